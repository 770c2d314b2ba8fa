"""The Verifica store: SQLAlchemy schema, atomic publishing of vintages, and as-of reads.

Time model: a source publishes releases; each release we load is a *vintage*. Observations are
never updated or deleted; a revised value is a new row in a newer vintage. The "latest" view takes,
for each (indicator, geo, month), every row of the newest vintage that covers that key; the
``as_of`` view does the same over vintages published on or before a date.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import settings

PROJECT_ROOT = settings.PROJECT_ROOT

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Revision of the schema every store had before migrations existed (stamped, then upgraded).
BASELINE_REVISION = "0001"
DIMENSION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
DIMS_TYPE = JSON().with_variant(JSONB(), "postgresql")

log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    producer: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    attribution: Mapped[str] = mapped_column(Text)
    url_main: Mapped[str] = mapped_column(Text)
    url_download: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)


class Vintage(Base):
    __tablename__ = "vintages"
    __table_args__ = (UniqueConstraint("source_id", "sha256", name="uq_vintage_source_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_on: Mapped[dt.date] = mapped_column(Date, index=True)
    published_on_basis: Mapped[str] = mapped_column(Text)
    retrieved_at: Mapped[dt.datetime] = mapped_column(DateTime)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    row_count: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    # A digest of the observations (not the bytes): the same release re-encoded is the same release.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # Withdrawn vintages stay in the store (and in as_of views before this date), never deleted.
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class Withdrawal(Base):
    """One withdrawal of a vintage, and its restoration if it was undone: the vintage is out of
    views as known from ``withdrawn_on`` until the day before ``restored_on``. The vintage's own
    ``withdrawn_on`` is the open withdrawal (the current state)."""

    __tablename__ = "withdrawals"
    __table_args__ = (Index("ix_withdrawals_vintage", "vintage_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vintage_id: Mapped[int] = mapped_column(ForeignKey("vintages.id"))
    withdrawn_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    restored_on: Mapped[dt.date | None] = mapped_column(Date)
    restore_reason: Mapped[str | None] = mapped_column(Text)


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_obs_key", "indicator", "geo", "period", "vintage_id"),
        Index("ix_obs_vintage", "vintage_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vintage_id: Mapped[int] = mapped_column(ForeignKey("vintages.id"))
    indicator: Mapped[str] = mapped_column(String(96))
    period: Mapped[dt.date] = mapped_column(Date)
    geo: Mapped[str] = mapped_column(String(16))
    # The observation's dimensions, e.g. {"region": "Southwest Border", "category": "Fentanyl"}:
    # whatever the source has (direction, mode, state, weapon, ...). Null ones are left out.
    dims: Mapped[dict] = mapped_column(DIMS_TYPE, default=dict)
    value: Mapped[float | None] = mapped_column(Float)
    value_predicted: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[str] = mapped_column(String(128), default="")


class Event(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)


class RefreshRun(Base):
    __tablename__ = "refresh_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    vintage_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    diff: Mapped[str | None] = mapped_column(Text)  # the release diff (JSON) the run was judged by


class DerivedResult(Base):
    """A result computed from the store (the scorecard's assessments), kept with the vintage set
    and inputs it came from (``key``) so requests read it instead of recomputing it."""

    __tablename__ = "derived_results"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    payload: Mapped[str] = mapped_column(Text)


class ChangeEntry(Base):
    """One dated entry of the change log (``etl.changelog_store``): what a publish changed in codes
    and numbers (``payload``, JSON), why (``causes``, comma-separated codes), and the statuses and
    newest months it was compared with (``state``, JSON), which the next entry compares against."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    basis: Mapped[str] = mapped_column(String(64))  # digest of the vintages, timeline, engine and code
    causes: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)


class ChangeDelivery(Base):
    """One attempt to deliver a change-log entry to the operator's webhook."""

    __tablename__ = "change_deliveries"
    __table_args__ = (Index("ix_change_deliveries_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("change_log.id"))
    url: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime)


def database_url() -> str:
    """The store URL: ``DATABASE_URL`` if set, else the embedded SQLite file."""
    return settings.get().database_url


def after_publish_hooks() -> list[str]:
    """Hooks run after a publish (``VERIFICA_AFTER_PUBLISH``; empty to run none)."""
    return list(settings.get().after_publish)


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (as hosting platforms give them) use the psycopg
    driver the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def sqlite_path(url) -> Path | None:
    """The file of a SQLite store (``sqlite:///x.db`` or the URI form ``sqlite:///file:x.db?mode=ro&uri=true``),
    or None for another database or an in-memory one."""
    url = make_url(str(url)) if not hasattr(url, "drivername") else url
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database.removeprefix("file:"))


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine on the store. ``create=False`` (reads such as ``etl status``): a SQLite file
    that does not exist is an error, never a new empty store in a folder made for it; a URI
    opened read-only (``mode=ro``) never creates anything either."""
    url = normalise_url(url or database_url())
    path = sqlite_path(url)
    if path is not None:
        read_only = make_url(url).query.get("mode") == "ro"
        if (not create or read_only) and not path.is_file():
            raise PublishError(f"no store at {path}: check DATABASE_URL (a read never creates one)")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True)
    else:
        # A server database: a pooled connection the server dropped (restart, failover, idle
        # timeout) is tested and replaced before use instead of failing the request.
        engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def _alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _recorded_revision(conn) -> str | None:
    """The revision in alembic's own table (read with plain SQL: importing alembic takes about
    0.2 s of every start, and a store at the newest revision never needs it)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:  # branches: let alembic say what it makes of them
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()
    return rows[0] if rows else None


def schema_revision(engine: Engine) -> str | None:
    """The store's schema revision: None for an empty database, the baseline for a store made
    before migrations existed."""
    with engine.connect() as conn:
        current = _recorded_revision(conn)
        if current is None and inspect(conn).has_table("observations"):
            return BASELINE_REVISION
        return current


_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:[\"']([^\"']+)[\"']|None)", re.M)


def head_revision() -> str:
    """The newest migration's revision, read from the migration files' ``revision`` and
    ``down_revision`` lines (tests check it is alembic's own head); alembic decides when the
    files do not make one line of history."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict((name, value) for name, value in _REVISION_LINE.findall(path.read_text()))
        revisions.add(found.get("revision"))
        parents.add(found.get("down_revision") or None)
    heads = revisions - parents
    if len(heads) == 1 and None not in revisions and len(parents) == len(revisions):
        return heads.pop()
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def migrate(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Run pending schema migrations in place (never a rebuild); returns (before, after).

    A store made before migrations existed is stamped with the baseline first. Callers hold the
    store-preparation lock when several processes may start at once.
    """
    from alembic import command

    before = schema_revision(engine)
    with engine.begin() as conn:
        config = _alembic_config(conn)
        if before is not None and _recorded_revision(conn) is None:
            command.stamp(config, BASELINE_REVISION)
        command.upgrade(config, revision)
    return before, schema_revision(engine)


def init_schema(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database)."""
    if schema_revision(engine) != head_revision():
        migrate(engine)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


GIVEN_DATE = "given on the command line"


class PublishError(Exception):
    """A vintage could not be published; the store is unchanged."""


@dataclass
class VintageRecord:
    """A parsed release, ready to publish: its metadata and its tidy observations."""

    source_id: str
    file_name: str
    sha256: str
    published_on: dt.date
    published_on_basis: str
    observations: pd.DataFrame
    url: str | None = None
    retrieved_at: dt.datetime = field(default_factory=utcnow)
    content_sha256: str | None = None  # computed once, on first need (record_digest)
    # A table of dated publications as it stood on an earlier date (etl.source): dated by its own
    # rows, so it is never an older file presented as new, even when newer releases are loaded.
    earlier_state: bool = False


def make_record(source_id: str, content: bytes, file_name: str, tidy: pd.DataFrame,
                published: tuple[dt.date, str], url: str | None = None) -> VintageRecord:
    """A release's vintage record: its bytes' sha256, its release date and how it was known."""
    published_on, basis = published
    return VintageRecord(source_id=source_id, file_name=file_name, sha256=hashlib.sha256(content).hexdigest(),
                         published_on=published_on, published_on_basis=basis, observations=tidy, url=url)


# The columns every observation has; any other column of a tidy frame is a dimension.
OBSERVATION_COLUMNS: tuple[str, ...] = ("indicator", "period", "geo", "value", "value_predicted", "flags")
# A figure published for a span of years (ATF's 2018–2023) is stored once at its first year, with
# its last year in this dimension: it covers the months through December of that year.
END_YEAR = "end_year"


def covered_through(observations: pd.DataFrame) -> dt.date:
    """The last month rows cover: their newest period, or December of the last year of a figure
    over years (``end_year``), whichever is later. A release's coverage, its freshness and the
    checks that it does not end before the release it follows all read this."""
    last = pd.to_datetime(observations["period"]).max().date().replace(day=1)
    if END_YEAR in observations:
        years = pd.to_numeric(observations[END_YEAR], errors="coerce").dropna()
        if len(years):
            last = max(last, dt.date(int(years.max()), 12, 1))
    return last


def dimension_columns(frame: pd.DataFrame) -> list[str]:
    """The dimension columns of a tidy frame (every column that is not an observation column)."""
    names = [c for c in frame.columns if c not in OBSERVATION_COLUMNS and c != "vintage_id"]
    bad = [c for c in names if not DIMENSION_NAME.match(str(c))]
    if bad:
        raise ValueError(f"dimension names must be lower-case identifiers: {bad}")
    return names


def upsert_source(session: Session, origin: dict) -> None:
    fields = {
        k: origin.get(k)
        for k in (
            "producer",
            "title",
            "citation",
            "attribution",
            "url_main",
            "url_download",
            "licence",
            "description",
        )
    }
    existing = session.get(Source, origin["id"])
    if existing is None:
        session.add(Source(id=origin["id"], **fields))
    else:
        for key, value in fields.items():
            setattr(existing, key, value)


def _records(frame: pd.DataFrame, vintage_id: int) -> list[dict]:
    """The rows to insert: plain Python values (None for a missing one), dimensions as a dict of
    the non-empty ones. Built column by column (``tolist`` boxes in C; a row-wise ``to_dict``
    took most of a build's time)."""
    dimensions = dimension_columns(frame)
    frame = frame.reindex(columns=[*OBSERVATION_COLUMNS, *dimensions])
    columns = {}
    for name in frame.columns:
        values, missing = frame[name].tolist(), frame[name].isna().tolist()
        columns[name] = [None if gone else value for value, gone in zip(values, missing, strict=True)]
    periods = [p.date() if isinstance(p, pd.Timestamp) else p for p in columns["period"]]
    dim_values = [columns[d] for d in dimensions]
    records = []
    for i in range(len(frame)):
        record = {c: columns[c][i] for c in OBSERVATION_COLUMNS}
        record["period"] = periods[i]
        record["dims"] = {d: str(v[i]) for d, v in zip(dimensions, dim_values, strict=True) if v[i] not in (None, "")}
        record["vintage_id"] = vintage_id
        record["flags"] = record["flags"] or ""
        records.append(record)
    return records


CHUNK_ROWS = 50_000  # observations built and inserted at a time: memory stays flat with file size


def _chunks(frame: pd.DataFrame) -> Iterator[list[dict]]:
    for start in range(0, len(frame), CHUNK_ROWS):
        yield _records(frame.iloc[start:start + CHUNK_ROWS], vintage_id=0)


@lru_cache(maxsize=65_536)
def _dims_text(items: tuple[tuple[str, str], ...]) -> str:
    """A row's dimensions as canonical JSON (a release repeats a few hundred combinations over
    thousands of rows: each is encoded once)."""
    return json.dumps(dict(items), sort_keys=True)


def content_digest(chunks: Iterable[list[dict]]) -> str:
    """A digest of a vintage's observations, independent of the file's bytes, column order and row
    order: each row's (indicator, period, geo, dimensions, value, prediction, flags), values to 10
    significant digits (what the snapshot keeps), hashed on its own; the sorted row hashes hashed
    together (16 bytes a row, so any size of release fits in memory)."""

    def number(value) -> str:
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else f"{float(value):.10g}"

    rows = []
    for chunk in chunks:
        rows.append(np.frombuffer(b"".join(
            hashlib.blake2b("\t".join((
                str(r["indicator"]), str(r["period"])[:10], str(r["geo"]), _dims_text(tuple(sorted(r["dims"].items()))),
                number(r["value"]), number(r["value_predicted"]),
                ",".join(sorted(f for f in str(r["flags"] or "").split(",") if f)))).encode(),
                digest_size=16).digest()
            for r in chunk), dtype="V16"))
    hashes = np.concatenate(rows) if rows else np.empty(0, dtype="V16")
    ordered = np.sort(hashes.view("S16"), kind="stable").view("V16") if len(hashes) else hashes
    return hashlib.sha256(ordered.tobytes()).hexdigest()


def record_digest(record: VintageRecord) -> str:
    if record.content_sha256 is None:
        record.content_sha256 = content_digest(_chunks(record.observations))
    return record.content_sha256


def _stored_digest(session: Session, vintage: Vintage) -> str:
    """The vintage's content digest, computed from its stored rows the first time it is needed
    (vintages loaded before digests were kept)."""
    if vintage.content_sha256 is None:
        rows = session.execute(
            select(Observation.indicator, Observation.period, Observation.geo, Observation.dims,
                   Observation.value, Observation.value_predicted, Observation.flags)
            .where(Observation.vintage_id == vintage.id)).all()
        vintage.content_sha256 = content_digest(
            [[{"indicator": r[0], "period": r[1], "geo": r[2], "dims": _parse_dims(r[3]), "value": r[4],
               "value_predicted": r[5], "flags": r[6]} for r in rows]])
    return vintage.content_sha256


def find_vintage(session: Session, source_id: str, sha256: str, content: str | None = None) -> Vintage | None:
    """The vintage with these bytes, else (given ``content``) the one with the same observations."""
    same_bytes = session.scalars(
        select(Vintage).where(Vintage.source_id == source_id, Vintage.sha256 == sha256)
    ).first()
    if same_bytes is not None or content is None:
        return same_bytes
    same_content = session.scalars(
        select(Vintage).where(Vintage.source_id == source_id, Vintage.content_sha256 == content)
        .order_by(Vintage.id)
    ).first()
    if same_content is not None:
        return same_content
    # Vintages loaded before digests were kept get theirs now (once), then compare.
    for vintage in session.scalars(select(Vintage).where(Vintage.source_id == source_id,
                                                         Vintage.content_sha256.is_(None)).order_by(Vintage.id)):
        if _stored_digest(session, vintage) == content:
            return vintage
    return None


def known_vintage(engine: Engine, record: VintageRecord) -> Vintage | None:
    """The vintage this release already is (same bytes, or same observations), if any."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return find_vintage(session, record.source_id, record.sha256, record_digest(record))


def publish(engine: Engine, origin: dict, record: VintageRecord, *, kind: str, diff: str | None = None) -> RefreshRun:
    """Publish one vintage atomically and record the run.

    All observations of the vintage are written in one transaction with the vintage row; on any
    failure the transaction is rolled back and the previous data stays served. The run record is
    written in its own transaction either way.
    """
    run = RefreshRun(source_id=record.source_id, kind=kind, started_at=utcnow(), outcome="running", diff=diff)
    try:
        with Session(engine) as session, session.begin():
            upsert_source(session, origin)
            digest = record_digest(record)
            existing = find_vintage(session, record.source_id, record.sha256, digest)
            if existing is not None and record.published_on_basis == GIVEN_DATE \
                    and existing.published_on != record.published_on:
                # The same release with a release date an operator corrects: the vintage keeps its
                # rows and id; the run records the old and the new date.
                run.outcome = "corrected"
                run.vintage_id = existing.id
                run.message = (f"{record.file_name}: release date corrected from {existing.published_on} "
                               f"({existing.published_on_basis}) to {record.published_on}")
                existing.published_on, existing.published_on_basis = record.published_on, GIVEN_DATE
            elif existing is not None:
                run.outcome = "unchanged"
                run.vintage_id = existing.id
                run.message = (f"{record.file_name}: same sha256 already loaded" if existing.sha256 == record.sha256
                               else f"{record.file_name}: same observations as vintage #{existing.id} "
                                    f"({existing.file_name}); only the file's encoding or layout differs")
            else:
                periods = pd.to_datetime(record.observations["period"])
                _check_coverage(session, record, covered_through(record.observations))
                vintage = Vintage(
                    source_id=record.source_id,
                    file_name=record.file_name,
                    url=record.url,
                    sha256=record.sha256,
                    published_on=record.published_on,
                    published_on_basis=record.published_on_basis,
                    retrieved_at=record.retrieved_at,
                    loaded_at=utcnow(),
                    row_count=len(record.observations),
                    period_start=periods.min().date(),
                    period_end=covered_through(record.observations),
                    content_sha256=digest,
                )
                session.add(vintage)
                session.flush()
                for chunk in _chunks(record.observations):  # one transaction, chunk by chunk
                    for row in chunk:
                        row["vintage_id"] = vintage.id
                    session.execute(insert(Observation.__table__), chunk)
                run.outcome = "ok"
                run.rows = len(record.observations)
                run.vintage_id = vintage.id
                run.message = f"{record.file_name}: {run.rows} observations"
    except Exception as exc:  # the store is rolled back; say why in the run record
        run.outcome = "failed"
        run.message = f"{record.file_name}: {exc}"
    run.finished_at = utcnow()
    record_run(engine, run)
    if run.outcome == "failed":
        raise PublishError(run.message)
    return run


class CoverageShrank(ValueError):
    """A newer release ends earlier than the release before it."""


def _check_coverage(session: Session, record: VintageRecord, period_end: dt.date) -> None:
    """A release must not end before the newest release published before it: that would be an
    older file presented as new, or a truncated download."""
    previous = session.scalars(
        select(Vintage)
        .where(Vintage.source_id == record.source_id, Vintage.published_on <= record.published_on,
               Vintage.withdrawn_on.is_(None))
        .order_by(Vintage.published_on.desc(), Vintage.id.desc())
    ).first()
    if previous is not None and previous.period_end and period_end < previous.period_end:
        raise CoverageShrank(
            f"coverage shrank: this release ends {period_end:%Y-%m}, the previous one "
            f"({previous.file_name}, published {previous.published_on}) ended {previous.period_end:%Y-%m}"
        )


def record_run(engine: Engine, run: RefreshRun) -> RefreshRun:
    if run.finished_at is None:
        run.finished_at = utcnow()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(run)
    return run


TIMELINE_MARK = "timeline"  # derived_results row whose key is the digest of the stored timeline


def timeline_digest(events: Iterable[dict]) -> str:
    """Changes when the curated timeline does."""
    return hashlib.sha256(json.dumps(list(events), sort_keys=True, default=str).encode()).hexdigest()[:16]


def replace_events(engine: Engine, events: Iterable[dict]) -> int:
    """Replace the curated timeline in the store (it is versioned in git, not by vintage), with its
    digest in the same transaction (part of :func:`data_version`)."""
    rows = list(events)
    digest = timeline_digest(rows)
    with Session(engine) as session:
        stored = session.scalar(select(DerivedResult.key).where(DerivedResult.name == TIMELINE_MARK))
    if stored == digest:  # unchanged: no write (a read-only store, or a disk incident, must not stop a start)
        return len(rows)
    with Session(engine) as session, session.begin():
        session.query(Event).delete()
        session.query(DerivedResult).filter(DerivedResult.name == TIMELINE_MARK).delete()
        session.add(DerivedResult(name=TIMELINE_MARK, key=digest, computed_at=utcnow(), payload=""))
        for item in rows:
            session.add(
                Event(
                    id=item["id"],
                    date=item["date"],
                    date_end=item.get("date_end"),
                    date_precision=item.get("date_precision", "day"),
                    type=item["type"],
                    confidence=item["confidence"],
                    status=item.get("status", "happened"),
                    payload=_jsonable(item),
                )
            )
    return len(rows)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def timeline_event_count(engine: Engine) -> int:
    """How many timeline events the store holds (0: never prepared)."""
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def read_events(engine: Engine) -> list[dict]:
    with Session(engine) as session:
        rows = session.scalars(select(Event).order_by(Event.date, Event.id)).all()
        return [row.payload for row in rows]


def is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Vintage)) == 0


# One statement (so a publish in between cannot mix two views): for each month of (indicator,
# geo), the newest vintage covering it as known on :as_of, not withdrawn then (chosen from every
# row of the key, so a combination missing from the newest release is not taken from an older
# one); then the rows of those vintages that match the dimension filters ("row"), and each chosen
# month's flags ("month").
_SLICE_SQL = """
WITH candidates AS (
    SELECT DISTINCT period, vintage_id, flags FROM observations
    WHERE indicator = :indicator AND geo = :geo AND period >= :period_from AND period <= :period_to
),
ranked AS (
    SELECT c.period, c.vintage_id, c.flags,
           DENSE_RANK() OVER (PARTITION BY c.period ORDER BY v.published_on DESC, v.id DESC) AS rank_newest
    FROM candidates AS c JOIN vintages AS v ON v.id = c.vintage_id
    WHERE v.published_on <= :as_of AND NOT EXISTS (
        SELECT 1 FROM withdrawals AS w WHERE w.vintage_id = v.id AND w.withdrawn_on <= :as_of
        AND (w.restored_on IS NULL OR w.restored_on > :as_of))
),
chosen AS (SELECT DISTINCT period, vintage_id FROM ranked WHERE rank_newest = 1)
SELECT 'row' AS kind, obs.period AS period, obs.vintage_id AS vintage_id, {dims_text} AS dims,
       obs.value AS value, obs.value_predicted AS value_predicted, obs.flags AS flags
FROM chosen AS c
JOIN observations AS obs
  ON obs.vintage_id = c.vintage_id AND obs.period = c.period
 AND obs.indicator = :indicator AND obs.geo = :geo {filters}
UNION ALL
SELECT 'month', r.period, r.vintage_id, NULL, NULL, NULL, r.flags
FROM ranked AS r WHERE r.rank_newest = 1
"""


def _filter_sql(dialect: str, filters: dict[str, str]) -> tuple[str, dict]:
    """SQL conditions for dimension filters: ``@>`` on PostgreSQL (GIN-indexed), ``json_extract``
    on SQLite (inside the index range of the key)."""
    if not filters:
        return "", {}
    for name in filters:
        if not DIMENSION_NAME.match(name):
            raise ValueError(f"not a dimension name: {name!r}")
    if dialect == "postgresql":
        return " AND obs.dims @> CAST(:dims_filter AS JSONB)", {"dims_filter": json.dumps(filters)}
    conditions = "".join(f" AND json_extract(obs.dims, '$.{name}') = :dim_{i}" for i, name in enumerate(filters))
    return conditions, {f"dim_{i}": str(value) for i, value in enumerate(filters.values())}


def _parse_dims(value) -> dict:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return {}
    return value if isinstance(value, dict) else json.loads(value)


@dataclass
class Slice:
    """An (indicator, geo) read: the matching rows, and every month the chosen vintages cover
    (with that vintage and the month's flags), matched or not."""

    rows: pd.DataFrame
    months: pd.DataFrame


def read_slice(
    engine: Engine,
    indicator: str,
    geo: str,
    *,
    filters: dict[str, str] | None = None,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Slice:
    """Rows of the newest vintage covering each month of (indicator, geo), as known on ``as_of``,
    filtered on dimensions in SQL. Dimensions come back as columns."""
    conditions, filter_params = _filter_sql(engine.dialect.name, dict(filters or {}))
    params = {
        "indicator": indicator,
        "geo": geo,
        "period_from": period_from or dt.date(1900, 1, 1),
        "period_to": period_to or dt.date(2999, 12, 1),
        "as_of": as_of or dt.date(2999, 12, 31),
        **filter_params,
    }
    dims_text = "CAST(obs.dims AS TEXT)" if engine.dialect.name == "postgresql" else "obs.dims"
    sql = _SLICE_SQL.format(filters=conditions, dims_text=dims_text)
    with engine.connect() as conn:
        frame = pd.read_sql_query(text(sql), conn, params=params)
        vintages = pd.read_sql_query(
            select(Vintage.id.label("vintage_id"), Vintage.file_name.label("vintage"),
                   Vintage.published_on.label("vintage_published_on")).where(
                Vintage.id.in_([int(v) for v in frame["vintage_id"].unique()])), conn)
    frame["period"] = pd.to_datetime(frame["period"])
    vintages["vintage_published_on"] = pd.to_datetime(vintages["vintage_published_on"]).dt.date
    frame = frame.merge(vintages, on="vintage_id", how="left")
    months = (frame[frame["kind"] == "month"]
              .groupby("period", as_index=False)
              .agg(vintage_id=("vintage_id", "first"), vintage=("vintage", "first"),
                   vintage_published_on=("vintage_published_on", "first"),
                   flags=("flags", lambda f: ",".join(sorted({x for i in f for x in str(i).split(",") if x})))))
    rows = frame[frame["kind"] == "row"].drop(columns="kind").reset_index(drop=True)
    dims = pd.DataFrame([_parse_dims(d) for d in rows["dims"]], index=rows.index)
    rows = pd.concat([rows.drop(columns="dims"), dims], axis=1)
    rows.insert(1, "geo", geo)
    first = ["period", "geo", *dims.columns, "value", "value_predicted", "flags", "vintage_id", "vintage",
             "vintage_published_on"]
    return Slice(rows=rows[first].sort_values("period", kind="stable").reset_index(drop=True),
                 months=months.sort_values("period").reset_index(drop=True))


_MONTHS_SQL = """
WITH candidates AS (
    SELECT DISTINCT geo, period, vintage_id FROM observations WHERE indicator = :indicator
),
ranked AS (
    SELECT c.geo, c.period, c.vintage_id,
           DENSE_RANK() OVER (PARTITION BY c.geo, c.period ORDER BY v.published_on DESC, v.id DESC) AS rank_newest
    FROM candidates AS c JOIN vintages AS v ON v.id = c.vintage_id
    WHERE v.published_on <= :as_of AND NOT EXISTS (
        SELECT 1 FROM withdrawals AS w WHERE w.vintage_id = v.id AND w.withdrawn_on <= :as_of
        AND (w.restored_on IS NULL OR w.restored_on > :as_of))
),
chosen AS (SELECT DISTINCT geo, period, vintage_id FROM ranked WHERE rank_newest = 1)
SELECT DISTINCT obs.geo AS geo, obs.period AS period
FROM chosen AS c
JOIN observations AS obs
  ON obs.vintage_id = c.vintage_id AND obs.period = c.period AND obs.geo = c.geo
 AND obs.indicator = :indicator {filters}
WHERE obs.value IS NOT NULL
"""


def months_with_values(engine: Engine, indicator: str, *, filters: dict[str, str] | None = None,
                       as_of: dt.date | None = None) -> pd.DataFrame:
    """Every (geo, period) where the newest vintage covering it (as known on ``as_of``) has a value
    matching the filters: one query for every geography (``read_slice`` reads one)."""
    conditions, filter_params = _filter_sql(engine.dialect.name, dict(filters or {}))
    params = {"indicator": indicator, "as_of": as_of or dt.date(2999, 12, 31), **filter_params}
    with engine.connect() as conn:
        frame = pd.read_sql_query(text(_MONTHS_SQL.format(filters=conditions)), conn, params=params)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def read_observations(engine: Engine, indicator: str, geo: str, **kwargs) -> pd.DataFrame:
    """The rows of :func:`read_slice` (every dimension, unless ``filters`` are given)."""
    return read_slice(engine, indicator, geo, **kwargs).rows


def available_geos(engine: Engine, indicator: str, filters: dict[str, str] | None = None) -> list[str]:
    """Geographies with rows of the series (matching the dimension filters, if any)."""
    conditions, params = _filter_sql(engine.dialect.name, dict(filters or {}))
    sql = f"SELECT DISTINCT obs.geo FROM observations AS obs WHERE obs.indicator = :indicator{conditions}"
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"indicator": indicator, **params}).all()
    return sorted(row[0] for row in rows)


def list_vintages(engine: Engine, source_id: str | None = None) -> list[Vintage]:
    with Session(engine) as session:
        query = select(Vintage).order_by(Vintage.source_id, Vintage.published_on, Vintage.id)
        if source_id:
            query = query.where(Vintage.source_id == source_id)
        return list(session.scalars(query).all())


def _one_line_reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise PublishError(f"a {what} needs a reason (--reason)")
    if any(c in reason for c in "\r\n"):
        raise PublishError("the reason must be one line (it is shown to users as a sentence)")
    return reason.strip()


def _known_vintage(session: Session, vintage_id: int) -> Vintage:
    vintage = session.get(Vintage, vintage_id)
    if vintage is None:
        raise PublishError(f"no vintage #{vintage_id} (python -m etl status lists them)")
    return vintage


def withdraw(engine: Engine, vintage_id: int, reason: str, on: dt.date | None = None) -> RefreshRun:
    """Withdraw a published vintage: it stays in the store and in ``as_of`` views before ``on``
    (today by default), so a figure drawn from it can still be redrawn; later views fall back to the
    release before it. Recorded as a run; never deleted; :func:`restore` undoes it. Raises
    PublishError for an unknown or already withdrawn vintage, a blank reason, or a date before its
    release or its last restoration."""
    on = on or dt.date.today()
    reason = _one_line_reason(reason, "withdrawal")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        vintage = _known_vintage(session, vintage_id)
        if vintage.withdrawn_on is not None:
            raise PublishError(f"vintage #{vintage_id} ({vintage.file_name}) was already withdrawn on "
                               f"{vintage.withdrawn_on}: {vintage.withdrawn_reason}")
        if on < vintage.published_on:
            raise PublishError(f"vintage #{vintage_id} was published on {vintage.published_on}; "
                               f"it cannot be withdrawn on {on}")
        restored = session.scalar(select(func.max(Withdrawal.restored_on)).where(Withdrawal.vintage_id == vintage_id))
        if restored is not None and on < restored:
            raise PublishError(f"vintage #{vintage_id} was restored on {restored}; it cannot be withdrawn on {on}")
        vintage.withdrawn_on, vintage.withdrawn_reason = on, reason
        session.add(Withdrawal(vintage_id=vintage.id, withdrawn_on=on, reason=reason))
        run = RefreshRun(source_id=vintage.source_id, kind="withdraw", started_at=utcnow(), finished_at=utcnow(),
                         outcome="withdrawn", vintage_id=vintage.id,
                         message=f"{vintage.file_name}: withdrawn on {on}: {reason}")
        session.add(run)
    return run


def restore(engine: Engine, vintage_id: int, reason: str, on: dt.date | None = None) -> RefreshRun:
    """Undo a withdrawal: the vintage is served again from ``on`` (today by default); views as
    known between the withdrawal and ``on`` still leave it out. Recorded as a run, like the
    withdrawal. Raises PublishError for an unknown vintage, one that is not withdrawn, a blank
    reason, or a date before the withdrawal."""
    on = on or dt.date.today()
    reason = _one_line_reason(reason, "restoration")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        vintage = _known_vintage(session, vintage_id)
        if vintage.withdrawn_on is None:
            raise PublishError(f"vintage #{vintage_id} ({vintage.file_name}) is not withdrawn: nothing to restore")
        open_row = session.scalars(select(Withdrawal).where(Withdrawal.vintage_id == vintage_id,
                                                            Withdrawal.restored_on.is_(None))
                                   .order_by(Withdrawal.id.desc())).first()
        if open_row is None:  # a withdrawal set by hand in SQL: record it now
            open_row = Withdrawal(vintage_id=vintage_id, withdrawn_on=vintage.withdrawn_on,
                                  reason=vintage.withdrawn_reason or "")
            session.add(open_row)
        if on < open_row.withdrawn_on:
            raise PublishError(f"vintage #{vintage_id} was withdrawn on {open_row.withdrawn_on}; "
                               f"it cannot be restored on {on}")
        open_row.restored_on, open_row.restore_reason = on, reason
        vintage.withdrawn_on = vintage.withdrawn_reason = None
        run = RefreshRun(source_id=vintage.source_id, kind="restore", started_at=utcnow(), finished_at=utcnow(),
                         outcome="restored", vintage_id=vintage.id,
                         message=f"{vintage.file_name}: restored on {on} (withdrawn on {open_row.withdrawn_on}): "
                                 f"{reason}")
        session.add(run)
    return run


def withdrawal_history(engine: Engine, vintage_id: int | None = None) -> list[Withdrawal]:
    """Every withdrawal (of one vintage), oldest first, with its restoration if any."""
    with Session(engine) as session:
        query = select(Withdrawal).order_by(Withdrawal.vintage_id, Withdrawal.withdrawn_on, Withdrawal.id)
        if vintage_id is not None:
            query = query.where(Withdrawal.vintage_id == vintage_id)
        return list(session.scalars(query).all())


def in_force(vintage: Vintage, history: Iterable[Withdrawal], as_of: dt.date | None) -> bool:
    """Whether the vintage was served as known on ``as_of`` (None: now)."""
    if as_of is None:
        return vintage.withdrawn_on is None
    return vintage.published_on <= as_of and not any(
        w.vintage_id == vintage.id and w.withdrawn_on <= as_of and (w.restored_on is None or w.restored_on > as_of)
        for w in history)


def list_sources(engine: Engine) -> list[Source]:
    with Session(engine) as session:
        return list(session.scalars(select(Source).order_by(Source.id)).all())


def recent_runs(engine: Engine, limit: int = 20) -> list[RefreshRun]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(RefreshRun).order_by(RefreshRun.id.desc()).limit(limit)
            ).all()
        )


def failing_sources(engine: Engine) -> list[RefreshRun]:
    """For each source, the newest failed run of a kind (refresh, import, build) whose newest
    run of that kind failed: an import does not clear a refresh failure that is still happening; a
    later refresh that works (new data or unchanged) does. The last good data is still served."""
    decisive = RefreshRun.outcome.in_(("ok", "unchanged", "corrected", "closed", "failed"))
    newest = (
        select(RefreshRun.source_id, RefreshRun.kind, func.max(RefreshRun.id).label("last_id"))
        .where(decisive)
        .group_by(RefreshRun.source_id, RefreshRun.kind)
        .subquery()
    )
    query = (
        select(RefreshRun)
        .join(newest, RefreshRun.id == newest.c.last_id)
        .where(RefreshRun.outcome == "failed", RefreshRun.kind != "snapshot")
        .order_by(RefreshRun.id)
    )
    with Session(engine) as session:
        return list(session.scalars(query).all())


@dataclass
class Freshness:
    """Where a source stands: its newest data month (a figure over years counts through December
    of its last year), its newest release, and when a release with the next period is due: the
    month after the newest data month (monthly sources) or the year after its year (yearly reports
    with a live endpoint), published after the source's lag."""

    source_id: str
    data_through: dt.date | None
    latest_release: dt.date | None
    next_due: dt.date | None


def freshness(engine: Engine) -> list[Freshness]:
    from etl.common import load_origin

    with Session(engine) as session:
        rows = session.execute(
            select(Vintage.source_id, func.max(Vintage.period_end), func.max(Vintage.published_on))
            .where(Vintage.withdrawn_on.is_(None)).group_by(Vintage.source_id)).all()
    out = []
    for source_id, period_end, published in rows:
        try:
            origin = load_origin(source_id)
        except FileNotFoundError:
            continue
        due = None
        # The next period's months: a month, or a year for a live yearly report (an import-only
        # yearly table, such as a population projection, is never due).
        step = {"monthly": 1, "annual": 12 if origin.get("hosts") else None}.get(origin.get("cadence"))
        closed = origin.get("closed")
        if closed and period_end is not None and f"{period_end:%Y-%m}" >= closed["through"]:
            step = None  # the publisher closed the series and every month of it is here: nothing is due
        if step and period_end is not None:
            months = step + origin.get("publication_lag_months", 1) + 1  # the next period, after the lag
            index = period_end.year * 12 + period_end.month - 1 + months
            due = dt.date(index // 12, index % 12 + 1, 1)
        out.append(Freshness(source_id, period_end, published, due))
    return sorted(out, key=lambda f: f.source_id)


def overdue_sources(engine: Engine, today: dt.date | None = None, grace_days: int = 31) -> list[tuple[str, dt.date]]:
    """Live sources whose next release is late: past its due date plus ``grace_days``."""
    from etl.common import load_origin

    today = today or dt.date.today()
    late = []
    for item in freshness(engine):
        if item.next_due is None or not load_origin(item.source_id).get("hosts"):
            continue
        expected = item.next_due + dt.timedelta(days=grace_days)
        if today > expected:
            late.append((item.source_id, expected))
    return sorted(late)


def vintage_observations(engine: Engine, vintage_ids: Sequence[int]) -> pd.DataFrame:
    """All observations of the given vintages, dimensions as columns (for the snapshot writer and
    the checks, not for requests)."""
    columns = ["vintage_id", *OBSERVATION_COLUMNS]
    query = (
        select(*(getattr(Observation, c) for c in columns), Observation.dims)
        .where(Observation.vintage_id.in_(list(vintage_ids)))
        .order_by(Observation.vintage_id, Observation.id)
    )
    with engine.connect() as conn:
        result = conn.execute(query).all()
    frame = pd.DataFrame([row[:-1] for row in result], columns=columns)
    dims = pd.DataFrame([_parse_dims(row[-1]) for row in result], index=frame.index)
    return pd.concat([frame, dims], axis=1)


def vintage_set_key(engine: Engine) -> str:
    """A digest of every published vintage (id, checksum, release date, withdrawal): changes exactly
    when one is published, its release date corrected or it is withdrawn."""
    return data_versions(engine).vintages


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DataVersions:
    """What served numbers depend on, read in one go: ``overall`` changes with any publish,
    withdrawal, release-date correction or timeline change; :meth:`source` has one digest per
    source (a cache of one source's series need not move when another source publishes). Digests
    are computed when first asked for (a cached answer needs only ``overall``)."""

    rows: tuple[tuple, ...]  # (source_id, id, sha256, published_on, withdrawn_on, history) by id
    timeline: str | None
    cards: tuple[tuple, ...] = ()  # the sources table (citations and links shown beside the numbers)

    @cached_property
    def vintages(self) -> str:
        """The vintage set alone (:func:`vintage_set_key`)."""
        return _digest([row[1:] for row in self.rows])

    @cached_property
    def overall(self) -> str:
        return _digest(([row[1:] for row in self.rows], self.timeline, self.cards))

    @cached_property
    def _sources(self) -> dict[str, str]:
        by_source: dict[str, list] = {}
        for row in self.rows:
            by_source.setdefault(row[0], []).append(row[1:])
        return {source: _digest(items) for source, items in by_source.items()}

    def source(self, source_id: str) -> str:
        return self._sources.get(source_id, "none")

    def in_force(self, as_of: dt.date) -> str:
        """A digest of the vintages served as known on ``as_of`` (published by then, not withdrawn
        then): dates with the same vintages in force read the same data."""
        served = []
        for _source, vintage_id, sha256, published_on, withdrawn_on, history in self.rows:
            intervals = list(history) or ([(withdrawn_on, None)] if withdrawn_on else [])
            if published_on <= as_of and not any(w <= as_of and (r is None or r > as_of) for w, r in intervals):
                served.append((vintage_id, sha256, published_on))  # the release date orders the vintages
        return _digest(served)


_VERSION_ROWS = select(Vintage.source_id, Vintage.id, Vintage.sha256, Vintage.published_on,
                       Vintage.withdrawn_on).order_by(Vintage.id)
_HISTORY_ROWS = select(Withdrawal.vintage_id, Withdrawal.withdrawn_on, Withdrawal.restored_on).order_by(Withdrawal.id)
_TIMELINE_KEY = select(DerivedResult.key).where(DerivedResult.name == TIMELINE_MARK)
_SOURCE_CARDS = select(Source.__table__).order_by(Source.id)


def data_versions(engine: Engine) -> DataVersions:
    """:class:`DataVersions` from the vintages (tens of rows), the stored timeline's digest and the
    sources table (each source's citation and links, rewritten by any refresh):
    caches in any process key on them, so a change made by any process is seen by all of them at
    their next request (about a third of a millisecond on SQLite)."""
    with engine.connect() as conn:
        history: dict[int, list] = {}
        for vintage_id, withdrawn_on, restored_on in conn.execute(_HISTORY_ROWS).all():
            history.setdefault(vintage_id, []).append((withdrawn_on, restored_on))
        # A restoration changes the version (with the withdrawal's interval), even though the
        # vintage's own state is as it was before the withdrawal.
        rows = tuple((*row, tuple(history.get(row[1], ()))) for row in conn.execute(_VERSION_ROWS).all())
        timeline = conn.execute(_TIMELINE_KEY).scalar()
        cards = tuple(tuple(row) for row in conn.execute(_SOURCE_CARDS).all())
    return DataVersions(rows=rows, timeline=timeline, cards=cards)


def data_version(engine: Engine) -> str:
    """:attr:`DataVersions.overall`."""
    return data_versions(engine).overall


def read_derived(engine: Engine, name: str, key: str) -> str | None:
    with Session(engine) as session:
        row = session.get(DerivedResult, (name, key))
        return None if row is None else row.payload


def read_derived_named(engine: Engine, prefix: str) -> list[tuple[str, str, str]]:
    """(name, key, payload) of every stored result whose name starts with ``prefix``, newest first."""
    with Session(engine) as session:
        rows = session.scalars(select(DerivedResult).where(DerivedResult.name.like(f"{prefix}%"))
                               .order_by(DerivedResult.computed_at.desc())).all()
        return [(row.name, row.key, row.payload) for row in rows]


def read_latest_derived(engine: Engine, name: str) -> tuple[str, str] | None:
    """The newest stored result under ``name`` whatever its key: (key, payload), or None (what a
    reader serves, marked as updating, while the result for the new data is computed)."""
    with Session(engine) as session:
        row = session.scalars(select(DerivedResult).where(DerivedResult.name == name)
                              .order_by(DerivedResult.computed_at.desc())).first()
        return None if row is None else (row.key, row.payload)


LOCK_FILES = 16  # SQLite: derived results share this many lock files (names hashed), never one per name


@contextmanager
def derived_lock(engine: Engine, name: str, *, wait: bool = True) -> Iterator[bool]:
    """One computation of a derived result at a time, across processes: a PostgreSQL advisory lock
    keyed by the name, or an exclusive lock on one of LOCK_FILES files beside the SQLite database.
    Yields whether it is held (``wait=False``: False at once when another process holds it). Where
    no lock can be taken (a read-only folder), it yields True: the result is computed, not shared."""
    digest = hashlib.sha256(f"derived:{name}".encode()).digest()
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(digest[:8], "big", signed=True)
        # Autocommit: the lock's connection is never left idle inside a transaction while the
        # result is computed (a server's idle-in-transaction timeout would end it and the lock).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if wait:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                held = True
            else:
                held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            try:
                yield held
            finally:
                if held:
                    try:
                        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    except DBAPIError:  # the session ended: the server released the lock with it
                        log.warning("derived-result lock %s was gone at release", name)
        return
    path = sqlite_path(engine.url)
    if path is None:  # an in-memory database: one process, nothing to share
        yield True
        return
    try:
        handle = open(f"{path}.derived-{digest[0] % LOCK_FILES:02d}.lock", "a")
    except OSError:
        log.warning("no lock file beside %s: %s is computed without single-flight", path, name)
        yield True
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            held = True
        except BlockingIOError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)


def prune_derived(engine: Engine, prefix: str, keep: int) -> int:
    """Keep the ``keep`` newest results whose name starts with ``prefix`` (e.g. scorecards for
    anonymous ``as_of`` dates); drop the rest. Returns how many were dropped."""
    with Session(engine) as session, session.begin():
        names = session.scalars(select(DerivedResult.name).where(DerivedResult.name.like(f"{prefix}%"))
                                .order_by(DerivedResult.computed_at.desc(), DerivedResult.name.desc())).all()
        old = names[keep:]
        if old:
            session.query(DerivedResult).filter(DerivedResult.name.in_(old)).delete(synchronize_session=False)
    return len(old)


def write_derived(engine: Engine, name: str, key: str, payload: str) -> None:
    """Store one derived result; results of older keys under the same name are dropped."""
    try:
        with Session(engine) as session, session.begin():
            session.query(DerivedResult).filter(DerivedResult.name == name, DerivedResult.key != key).delete()
            row = session.get(DerivedResult, (name, key))
            if row is None:
                session.add(DerivedResult(name=name, key=key, computed_at=utcnow(), payload=payload))
            else:
                row.payload, row.computed_at = payload, utcnow()
    except IntegrityError:
        pass  # another process stored the same result under the same key first
    except DBAPIError as exc:
        # Only an app told it reads (VERIFICA_READ_ONLY) goes on: the result is served, not kept
        # (the refresh job, which writes, stores it after each publish). Anywhere else a refused
        # write is an error.
        if not (_write_refused(exc) and settings.get().read_only):
            raise
        global _last_refusal
        if time.monotonic() - _last_refusal > 60:
            _last_refusal = time.monotonic()
            log.warning("derived results not stored (e.g. %s): the database refused the write (read-only)", name)


_last_refusal = -1e9


def _write_refused(exc: DBAPIError) -> bool:
    """The database refused a write: no permission (PostgreSQL 42501), a read-only transaction
    or standby (25006), or a SQLite file open read-only."""
    return getattr(exc.orig, "sqlstate", None) in ("42501", "25006") or "readonly database" in str(exc.orig)
