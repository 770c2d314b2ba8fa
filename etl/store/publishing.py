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
from sqlalchemy import insert, select
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
                for chunk in _chunks(record.observations):  # one transaction, chunk by chunk
                    for row in chunk:
                        row["vintage_id"] = vintage.id
                    session.execute(insert(Observation.__table__), chunk)
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
