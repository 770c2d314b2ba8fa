"""ETL steps that touch the store: build from raw files, import one file, live refresh, first start."""

from __future__ import annotations

import datetime as dt
import fcntl
import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import text
from sqlalchemy.engine import Engine
from tqdm import tqdm

from etl import http, release_diff, snapshot, timeline
from etl.common import SanityError, load_origin
from etl.sources import SOURCES, get_source, live_sources
from etl.store import (
    GIVEN_DATE,
    PublishError,
    RefreshRun,
    VintageRecord,
    after_publish_hooks,
    freshness,
    init_schema,
    known_vintage,
    publish,
    record_run,
    sqlite_path,
    utcnow,
)


def record_failure(engine: Engine, source_id: str, kind: str, message: str, diff: str | None = None) -> None:
    """Record a run that failed before anything reached the store (the banner and status show it)."""
    try:
        record_run(engine, RefreshRun(source_id=source_id, kind=kind, started_at=utcnow(), outcome="failed",
                                      message=message, diff=diff))
    except Exception:  # the store itself failing: said in the log, the caller still reports
        log.exception("could not record the failed %s of %s", kind, source_id)


def _fail(engine: Engine, source_id: str, kind: str, message: str, diff: str | None = None) -> None:
    """Record a run that failed before anything reached the store, then raise (one line, always:
    a cell of the file may carry a line break into the message)."""
    message = " ".join(message.split())
    record_failure(engine, source_id, kind, message, diff)
    raise PublishError(message)


@contextmanager
def reading(engine: Engine, source_id: str, kind: str, what: str) -> Iterator[None]:
    """Reading a release: a failed sanity check, and any other error of a parser (an impossible
    date, a malformed number the checks did not foresee), is a failed run recorded in one line;
    the traceback goes to the log only."""
    try:
        yield
    except SanityError as exc:
        _fail(engine, source_id, kind, str(exc))
    except (requests.RequestException, OSError) as exc:  # the fetch, not the file
        _fail(engine, source_id, kind, f"{what}: {type(exc).__name__}: {_first_line(exc)}")
    except Exception as exc:  # a parser's unforeseen error is a refusal, never a traceback
        log.debug("%s: %s failed while reading %s", source_id, kind, what, exc_info=True)
        _fail(engine, source_id, kind, f"{what}: could not be read ({type(exc).__name__}: {_first_line(exc)}; "
                                       "the traceback with VERIFICA_LOG_LEVEL=DEBUG)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


def guarded_publish(engine: Engine, record: VintageRecord, *, kind: str,
                    accept_revisions: bool = False, accept_anomalies: bool = False) -> RefreshRun:
    """Publish a release only if its diff against the vintage it follows finds nothing harmful
    (``etl.release_diff``, ``etl.plausibility``); otherwise refuse it in one line and keep the diff
    in the run record. ``accept_revisions`` publishes reviewed revisions and missing cells of
    completed months; ``accept_anomalies`` reviewed new or provisional months out of line with
    their history. The run record keeps what was accepted."""
    with prepare_lock(engine):  # one writer at a time: two imports never race
        return _guarded_publish(engine, record, kind, accept_revisions, accept_anomalies)


def _guarded_publish(engine: Engine, record: VintageRecord, kind: str, accept_revisions: bool,
                     accept_anomalies: bool = False) -> RefreshRun:
    origin = load_origin(record.source_id)
    known = known_vintage(engine, record)
    if known is not None and known.withdrawn_on is not None and kind == "import":
        # The operator offers a release that was withdrawn: never "unchanged" in silence. (A
        # refresh finding the publisher still serving it is unchanged: nothing new was released.)
        raise PublishError(f"{record.file_name}: refused: this release is vintage #{known.id}, withdrawn on "
                           f"{known.withdrawn_on}: {known.withdrawn_reason}; to serve it again: "
                           f"python -m etl restore {known.id} --reason TEXT")
    if known is not None:
        # Already published (a rebuild, a second timer run, a re-encoded copy): nothing to compare;
        # only a corrected release date must still fit the data.
        moved = record.published_on != known.published_on and record.published_on_basis == GIVEN_DATE
        problems = release_diff.check_dates(record, origin) if moved else []
        if problems:
            _fail(engine, record.source_id, kind, f"{record.file_name}: refused: {problems[0][1]}")
        return publish(engine, origin, record, kind=kind)
    diff = _checked(engine, record, origin, kind, accept_revisions, accept_anomalies)
    diff.accept(accept_revisions, accept_anomalies)
    if diff.problems:
        log.warning("%s: published after review: %s", record.file_name, "; ".join(
            line for _, line in diff.problems))
    return publish(engine, origin, record, kind=kind, diff=diff.to_json())


def _checked(engine: Engine, record: VintageRecord, origin: dict, kind: str, accept_revisions: bool,
             accept_anomalies: bool):
    """The release's diff against the vintage it follows; a harmful one is refused (recorded)."""
    diff = release_diff.diff_release(engine, record, origin)
    refusals = diff.refusals(accept_revisions, accept_anomalies)
    if refusals:
        more = f" (+{len(refusals) - 1} more problem(s))" if len(refusals) > 1 else ""
        _fail(engine, record.source_id, kind, f"{record.file_name}: refused: {refusals[0]}{more}{diff.hint()}",
              diff.to_json())
    return diff


def records_from_file(module, path: Path) -> list[VintageRecord]:
    """The releases a raw file holds, oldest first: one, or for a table of dated publications one
    per publication date (``etl.source``)."""
    many = getattr(module, "records_from_file", None)
    return many(path) if many is not None else [module.record_from_file(path)]


def build(engine: Engine, raw_dir: Path, *, progress: bool = True,
          sources: list[str] | None = None) -> list[RefreshRun]:
    """Load every raw file of every source, oldest release first. Each file is one vintage (a
    table of dated publications one per publication date)."""
    init_schema(engine)
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise SanityError(f"raw data folder not found: {raw_dir}")
    jobs = [(sid, path) for sid in (sources or SOURCES) for path in get_source(sid).raw_files(raw_dir)]
    if not jobs:
        raise SanityError(f"no raw files found under {raw_dir}")
    records: list[tuple[str, VintageRecord]] = []
    for source_id, path in tqdm(jobs, desc="parse", unit="file", disable=not progress):
        with reading(engine, source_id, "build", path.name):
            records.extend((source_id, record) for record in records_from_file(get_source(source_id), path))
    records.sort(key=lambda item: (item[1].published_on, item[1].file_name))
    runs = []
    for _source_id, record in tqdm(records, desc="publish", unit="vintage", disable=not progress):
        runs.append(guarded_publish(engine, record, kind="build"))
    timeline.load_into_store(engine)
    return runs


def import_file(engine: Engine, source_id: str, path: Path, published_on: dt.date | None = None,
                accept_revisions: bool = False, accept_anomalies: bool = False) -> RefreshRun:
    """One downloaded file as a new vintage (for offices without internet); a table of dated
    publications as one per publication date, oldest first (those already loaded are unchanged).
    Returns the run of the file itself (the newest)."""
    init_schema(engine)
    module = get_source(source_id)
    path = Path(path)
    if not path.is_file():  # an operator's typo, not a failure of the source: not recorded
        raise PublishError(f"file not found: {path}")
    size = path.stat().st_size
    if size > http.MAX_BYTES:  # the cap a download has: no release of these sources comes near it
        _fail(engine, source_id, "import", f"{path.name}: {size:,} bytes, more than the {http.MAX_BYTES:,}-byte "
                                           "cap on a release")
    with reading(engine, source_id, "import", path.name):
        published = (published_on, GIVEN_DATE) if published_on else None
        many = getattr(module, "build_records", None)
        records = (many(path.read_bytes(), path.name, published=published) if many is not None
                   else [module.build_record(path.read_bytes(), path.name, published=published)])
    whole = records[-1]
    if len(records) > 1 and known_vintage(engine, whole) is None:
        # The file itself is checked first: a table refused as a whole publishes none of its
        # earlier dated releases either (nothing half-published).
        with prepare_lock(engine):
            _checked(engine, whole, load_origin(source_id), "import", accept_revisions, accept_anomalies)
    for record in records:
        run = guarded_publish(engine, record, kind="import", accept_revisions=accept_revisions,
                              accept_anomalies=accept_anomalies)
    return run


def refresh(engine: Engine, source_id: str, session: requests.Session | None = None,
            accept_revisions: bool = False, accept_anomalies: bool = False, *,
            schema_ready: bool = False) -> RefreshRun:
    """Fetch the newest release from the publisher and publish it; on any failure the last good
    data stays served and the failure is recorded. ``schema_ready``: the caller brought the schema
    up to date already (``etl refresh`` does it once for all its sources)."""
    if not schema_ready:
        init_schema(engine)
    module = get_source(source_id)
    if not hasattr(module, "fetch_latest"):  # an operator's mistake, not a source failure: not recorded
        raise PublishError(f"{source_id} has no live endpoint; use 'import' (live: {', '.join(live_sources())})")
    closed = load_origin(source_id).get("closed")
    if closed and _holds_month(engine, source_id, closed["through"]):
        # The publisher closed the series and the store holds its last month: nothing newer is due.
        # A later cut of the closed series (a revision) is still taken; finding none is the
        # series' recorded state, said in one line, not a failure.
        try:
            record = module.fetch_latest(session)
        except SanityError as exc:
            message = " ".join(str(exc).split())
            log.info("%s: %s", source_id, message)
            return record_run(engine, RefreshRun(source_id=source_id, kind="refresh", started_at=utcnow(),
                                                 outcome="closed", message=message))
        return guarded_publish(engine, record, kind="refresh", accept_revisions=accept_revisions,
                               accept_anomalies=accept_anomalies)
    with reading(engine, source_id, "refresh", "the newest release"):
        record = module.fetch_latest(session)
    return guarded_publish(engine, record, kind="refresh", accept_revisions=accept_revisions,
                           accept_anomalies=accept_anomalies)


def _holds_month(engine: Engine, source_id: str, month: str) -> bool:
    """Whether the store's served data of a source reach ``month`` (YYYY-MM)."""
    item = next((f for f in freshness(engine) if f.source_id == source_id), None)
    return item is not None and item.data_through is not None and f"{item.data_through:%Y-%m}" >= month


log = logging.getLogger(__name__)

# Any fixed 64-bit number: the key of the PostgreSQL advisory lock held while a store is prepared.
_PREPARE_LOCK_KEY = 7_244_091_512


@contextmanager
def prepare_lock(engine: Engine) -> Iterator[None]:
    """One process at a time prepares a store: several app workers may start at once.

    PostgreSQL: a session advisory lock. SQLite: an exclusive lock on a file beside the database
    (the database's own locks would deadlock the loader's separate connections).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PREPARE_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PREPARE_LOCK_KEY})
                conn.commit()
    elif sqlite_path(engine.url) is not None:
        with open(f"{sqlite_path(engine.url)}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def ensure_store(engine: Engine, snapshot_dir: Path = snapshot.SNAPSHOT_DIR,
                 then: Callable[[Engine], None] | None = None) -> None:
    """Every start: bring the schema up to date, add the committed snapshot's vintages the store
    lacks (all of them on a first start, a newly committed one after a pull); always load the
    curated timeline (it is versioned in git); then ``then(engine)`` (derived results), still
    under the lock. Safe when several workers start at once."""
    with prepare_lock(engine):
        init_schema(engine)
        added = snapshot.load(engine, snapshot_dir)  # new snapshot vintages reach an existing store
        if added:
            log.info("loaded %d snapshot vintage(s) the store did not have", added)
        timeline.load_into_store(engine)
        if then is not None:
            then(engine)


def _hooks() -> list[Callable[[Engine], None]]:
    hooks = []
    for spec in after_publish_hooks():
        module_name, _, function = spec.partition(":")
        hooks.append(getattr(importlib.import_module(module_name), function))
    return hooks


def after_publish(engine: Engine) -> None:
    """Run the hooks named in ``VERIFICA_AFTER_PUBLISH`` (``module:function``, comma-separated;
    default: recompute the stored scorecard). ETL knows nothing of what they compute: the hooks
    are named, not imported, so this package never depends on the layers above it."""
    for hook in _hooks():
        with prepare_lock(engine):
            hook(engine)


def after_publish_unlocked(engine: Engine) -> None:
    """The same hooks, for a caller that already holds the prepare lock (``etl prepare``)."""
    for hook in _hooks():
        hook(engine)
