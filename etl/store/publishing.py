"""Publishing a vintage: the parsed release (``VintageRecord``), its content digest, the vintage it
already is (if any), the one atomic publish with its coverage check, and the run record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl.store import coverage
from etl.store.schema import (
    DIMENSION_NAME,
    OBSERVATION_COLUMNS,
    Observation,
    PublishError,
    RefreshRun,
    Source,
    Vintage,
    _parse_dims,
    utcnow,
)

GIVEN_DATE = "given on the command line"


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


def _each(values: pd.Series, fn) -> np.ndarray:
    """``fn`` of each row's value (None for a missing one), called once per distinct value: a
    release repeats a few indicators, geographies, months, flags and dimension values over many rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques.tolist()):
        mapped[i] = fn(value)
    mapped[-1] = fn(None)  # code -1: missing
    return mapped[codes]


def _day(value):
    return value.date() if isinstance(value, pd.Timestamp) else value


def _text(value) -> str | None:
    return None if value is None else str(value)


def _flags(value) -> str:
    return value or ""


def _sorted_flags(value) -> str:
    return ",".join(sorted(f for f in str(value or "").split(",") if f))


def _number(value) -> str:
    return "" if value is None else f"{float(value):.10g}"


@dataclass
class _Rows:
    """A chunk of a tidy frame as row-aligned lists: what is stored (``dims`` as JSON in the
    frame's dimension order, as the JSON column writes it) and what the content digest reads
    (``dims_key``: the non-empty dimensions as canonical JSON). Each column is converted once per
    distinct value, not row by row."""

    indicator: list
    geo: list
    period: list  # dates (or datetimes), as the Date column takes them
    period_text: list  # YYYY-MM-DD
    dims: list
    dims_key: list
    value: list
    value_predicted: list
    flags: list
    flags_key: list


def dimension_texts(frame: pd.DataFrame, dimensions: list[str]) -> tuple[list[str], list[str]]:
    """Each row's non-empty dimensions as JSON: in the frame's dimension order (as the store writes
    them) and canonical (sorted keys; the content digest and the release diff compare these). Made
    once per combination of values: a release repeats a few hundred over many rows."""
    n = len(frame)
    if not dimensions:
        return ["{}"] * n, [_dims_text(())] * n
    factorized = [pd.factorize(frame[d], use_na_sentinel=True) for d in dimensions]
    combo = np.zeros(n, dtype=np.int64)  # each row's combination of dimension values, numbered
    for codes, uniques in factorized:
        combo = pd.factorize(combo * (len(uniques) + 1) + codes + 1)[0]
    _, first = np.unique(combo, return_index=True)  # a row of each combination
    values = [uniques.tolist() for _, uniques in factorized]
    stored, canonical = np.empty(len(first), dtype=object), np.empty(len(first), dtype=object)
    for i, row in enumerate(first.tolist()):
        items = {}
        for name, (codes, _), named in zip(dimensions, factorized, values, strict=True):
            if codes[row] >= 0 and named[codes[row]] != "":
                items[name] = str(named[codes[row]])
        stored[i], canonical[i] = json.dumps(items), _dims_text(tuple(sorted(items.items())))
    return stored[combo].tolist(), canonical[combo].tolist()


def _rows(frame: pd.DataFrame) -> _Rows:
    dimensions = dimension_columns(frame)
    frame = frame.reindex(columns=[*OBSERVATION_COLUMNS, *dimensions])
    dims_column, keys_column = dimension_texts(frame, dimensions)

    def numbers(name: str) -> list:
        column = frame[name]
        values = column.to_numpy(dtype=object, copy=True)
        values[column.isna().to_numpy()] = None
        return values.tolist()

    flags = frame["flags"]
    return _Rows(indicator=_each(frame["indicator"], _text).tolist(), geo=_each(frame["geo"], _text).tolist(),
                 period=_each(frame["period"], _day).tolist(),
                 period_text=_each(frame["period"], lambda p: str(_day(p))[:10]).tolist(),
                 dims=dims_column, dims_key=keys_column, value=numbers("value"),
                 value_predicted=numbers("value_predicted"), flags=_each(flags, _flags).tolist(),
                 flags_key=_each(flags, _sorted_flags).tolist())


CHUNK_ROWS = 50_000  # observations built and inserted at a time: memory stays flat with file size


def _chunks(frame: pd.DataFrame) -> Iterator[_Rows]:
    for start in range(0, len(frame), CHUNK_ROWS):
        yield _rows(frame.iloc[start:start + CHUNK_ROWS])


@lru_cache(maxsize=65_536)
def _dims_text(items: tuple[tuple[str, str], ...]) -> str:
    """A row's dimensions as canonical JSON (a release repeats a few hundred combinations over
    thousands of rows: each is encoded once)."""
    return json.dumps(dict(items), sort_keys=True)


def _row_hashes(rows: _Rows) -> np.ndarray:
    """Each row's 16-byte hash of (indicator, period, geo, dimensions, value, prediction, flags)."""
    values = [_number(v) for v in rows.value]
    predicted = [_number(v) for v in rows.value_predicted]
    # A missing indicator or geography reads "None" (the insert refuses the row later, in publish).
    indicator, geo = ([str(v) for v in column] if None in column else column for column in (rows.indicator, rows.geo))
    lines = zip(indicator, rows.period_text, geo, rows.dims_key, values, predicted, rows.flags_key, strict=True)
    return np.frombuffer(b"".join(hashlib.blake2b("\t".join(line).encode(), digest_size=16).digest()
                                  for line in lines), dtype="V16")


def content_digest(chunks: Iterable[_Rows]) -> str:
    """A digest of a vintage's observations, independent of the file's bytes, column order and row
    order: each row's (indicator, period, geo, dimensions, value, prediction, flags), values to 10
    significant digits (what the snapshot keeps), hashed on its own; the sorted row hashes hashed
    together (16 bytes a row, so any size of release fits in memory)."""
    parts = [_row_hashes(rows) for rows in chunks]
    hashes = np.concatenate(parts) if parts else np.empty(0, dtype="V16")
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
        dims = [_parse_dims(r[3]) for r in rows]
        vintage.content_sha256 = content_digest([_Rows(
            indicator=[r[0] for r in rows], geo=[r[2] for r in rows], period=[r[1] for r in rows],
            period_text=[str(r[1])[:10] for r in rows], dims=[json.dumps(d) for d in dims],
            dims_key=[_dims_text(tuple(sorted(d.items()))) for d in dims], value=[r[4] for r in rows],
            value_predicted=[r[5] for r in rows], flags=[r[6] for r in rows],
            flags_key=[_sorted_flags(r[6]) for r in rows])])
    return vintage.content_sha256


_INSERTED = ("vintage_id", "indicator", "period", "geo", "dims", "value", "value_predicted", "flags")


def _insert_rows(session: Session, rows: _Rows, vintage_id: int) -> None:
    """Insert a chunk's observations in one executemany of tuples, the values already as the
    columns store them (the dates through the Date type's own conversion, the dimensions as JSON,
    cast to JSONB on PostgreSQL), instead of a dict a row that SQLAlchemy's executemany converts
    value by value."""
    conn = session.connection()
    dialect = conn.dialect
    convert = Observation.__table__.c.period.type.dialect_impl(dialect).bind_processor(dialect)
    stored = {day: convert(day) for day in set(rows.period)} if convert is not None else None
    periods = rows.period if stored is None else [stored[day] for day in rows.period]
    columns = ([vintage_id] * len(periods), rows.indicator, periods, rows.geo, rows.dims, rows.value,
               rows.value_predicted, rows.flags)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"  # SQLite's driver, or psycopg's
    marks = [f"CAST({mark} AS JSONB)" if name == "dims" and dialect.name == "postgresql" else mark
             for name in _INSERTED]
    quote = dialect.identifier_preparer.quote
    conn.exec_driver_sql(f"INSERT INTO {quote(Observation.__tablename__)} "
                         f"({', '.join(quote(name) for name in _INSERTED)}) VALUES ({', '.join(marks)})",
                         list(zip(*columns, strict=True)))


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
                session.flush()
                coverage.recover(session, existing.id)
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
                for rows in _chunks(record.observations):  # one transaction, chunk by chunk
                    _insert_rows(session, rows, vintage.id)
                coverage.cover(session, vintage.id, vintage.published_on)
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


def previous_vintage(session: Session, source_id: str, published_on: dt.date) -> Vintage | None:
    """The newest vintage of the source published on or before ``published_on`` and not withdrawn:
    the release a new one follows (the coverage check here, the release diff in ``etl.release_diff``)."""
    return session.scalars(
        select(Vintage).where(Vintage.source_id == source_id, Vintage.published_on <= published_on,
                              Vintage.withdrawn_on.is_(None))
        .order_by(Vintage.published_on.desc(), Vintage.id.desc())
    ).first()


def _check_coverage(session: Session, record: VintageRecord, period_end: dt.date) -> None:
    """A release must not end before the newest release published before it: that would be an
    older file presented as new, or a truncated download."""
    previous = previous_vintage(session, record.source_id, record.published_on)
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
