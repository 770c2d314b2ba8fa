"""The scorecard's assessments, computed once per publish and stored with what they came from.

The key digests the published vintage set, the curated timeline, the engine's version and the
code and definitions (:mod:`indicators.digest`), so a stored grid is served only while all are
unchanged. A grid for a past date (``as_of``) is
stored under what it depends on instead of the date: the vintages in force that day, its month,
the commitments made by then (:func:`as_of_key`), so dates that read the same data share one
stored grid; it is reused for another date only where no "expected publication" date of its
not-yet-verifiable cells falls between the two dates (the words "overdue" would differ).

``python -m etl`` calls :func:`ensure_scorecard` after it publishes (and on start): it computes
only a grid not yet stored. Requests read (:func:`scorecard_grid`); when no process has computed
the grid for the latest data yet (a publish made without the hook), one thread of one process
computes it while requests are served the previous grid, marked updating.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import queue
import threading
import time

from sqlalchemy.engine import Engine

import settings
from etl.store import (
    data_versions,
    derived_lock,
    prune_derived,
    read_derived,
    read_derived_named,
    read_events,
    read_latest_derived,
    timeline_digest,
    vintage_set_key,
    write_derived,
)
from indicators.digest import code_digest
from indicators.scorecard import scorecard

log = logging.getLogger(__name__)

AS_OF_KEPT = 32  # scorecards for past dates kept (each about 50 kB); the oldest computed are dropped
# Bump when the statistics or the stored cells' shape change, so stored grids are recomputed
# (4: the cells carry codes and numbers, no words).
ENGINE_VERSION = "verification-4"
NAME = "scorecard"


def scorecard_key(engine: Engine, events: list[dict]) -> str:
    """The published vintages, the timeline, and the code and definitions (the engine, the
    registry, the wording): a stored grid is served only while all are as they were."""
    key = f"{ENGINE_VERSION}|{code_digest()}|{vintage_set_key(engine)}|{timeline_digest(events)}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def as_of_key(engine: Engine, events: list[dict], as_of: dt.date) -> str:
    """What a grid as known on ``as_of`` depends on, besides the date's position against
    publication dates (:func:`_reusable`): the engine, the vintages in force, the month the series
    end, the events dated by then, and the timeline."""
    made = sorted(e["id"] for e in events if str(e["date"])[:10] <= as_of.isoformat())
    key = (f"{ENGINE_VERSION}|{code_digest()}|{data_versions(engine).in_force(as_of)}|{as_of:%Y-%m}|{made}|"
           f"{timeline_digest(events)}")
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _lock_name(engine: Engine, events: list[dict], as_of: dt.date | None) -> str:
    return NAME if as_of is None else f"{NAME}@{as_of_key(engine, events, as_of)}"


def _stored_name(key: str, as_of: dt.date | None) -> str:
    """Where a grid is stored: the latest under NAME; a past date's under its key and the date it
    was computed for (so two dates of one key on either side of a publication date each keep theirs)."""
    return NAME if as_of is None else f"{NAME}@{key}:{as_of.isoformat()}"


def _thresholds(grid: dict) -> list[str]:
    """The expected publication dates of the grid's not-yet-verifiable cells (ISO)."""
    return sorted({str(cell["expected_publication"])[:10] for row in grid["rows"] for cell in row["cells"].values()
                   if cell.get("expected_publication")})


def _reusable(grid: dict, as_of: dt.date) -> bool:
    """A grid computed as of one date serves another with the same key unless a publication it
    waits for is due between them (then one says "expected", the other "overdue")."""
    computed = grid.get("computed_as_of") or grid.get("as_of")
    day = as_of.isoformat()
    return computed is not None and all((t <= computed) == (t <= day) for t in grid.get("thresholds", []))


def _key(engine: Engine, events: list[dict], as_of: dt.date | None) -> str:
    return scorecard_key(engine, events) if as_of is None else as_of_key(engine, events, as_of)


def compute_scorecard(engine: Engine, events: list[dict] | None = None, as_of: dt.date | None = None) -> dict:
    """The grid, with the key of the data it was read from (taken before reading: a publish made
    meanwhile gives a key that no longer matches, and :func:`refresh_scorecard` does not store it)."""
    events = read_events(engine) if events is None else events
    key = _key(engine, events, as_of)
    start = time.perf_counter()
    grid = scorecard(engine, events, as_of=as_of)
    grid["key"] = key
    if as_of is not None:
        grid["computed_as_of"], grid["thresholds"] = as_of.isoformat(), _thresholds(grid)
    grid["computed_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    log.info("scorecard%s computed in %.1f s", f" as of {as_of}" if as_of else "", time.perf_counter() - start)
    return grid


def stored_scorecard(engine: Engine, events: list[dict], as_of: dt.date | None = None) -> dict | None:
    if as_of is None:
        payload = read_derived(engine, NAME, scorecard_key(engine, events))
        return None if payload is None else json.loads(payload)
    key = as_of_key(engine, events, as_of)
    exact = read_derived(engine, _stored_name(key, as_of), key)
    candidates = [exact] if exact is not None else [
        payload for _name, stored_key, payload in read_derived_named(engine, f"{NAME}@{key}:") if stored_key == key]
    for payload in candidates:
        grid = json.loads(payload)
        if _reusable(grid, as_of):
            grid["as_of"] = as_of.isoformat()  # the date asked for; computed_as_of says which date computed it
            return grid
    return None


def refresh_scorecard(engine: Engine, events: list[dict] | None = None, as_of: dt.date | None = None) -> dict:
    """Compute the grid and store it under its key (after a publish, on start, or for a request).
    If the data changed while it was computed, it is returned marked updating and not stored."""
    events = read_events(engine) if events is None else events
    grid = compute_scorecard(engine, events, as_of)
    if _key(engine, events, as_of) != grid["key"]:
        log.info("the data changed while the scorecard%s was computed: not stored", f" as of {as_of}" if as_of else "")
        grid["updating"] = True
        return grid
    write_derived(engine, _stored_name(grid["key"], as_of), grid["key"], json.dumps(grid))
    if as_of is not None and not settings.get().read_only:  # anyone may ask for any date: bounded
        prune_derived(engine, f"{NAME}@", AS_OF_KEPT)
    return grid


def ensure_scorecard(engine: Engine) -> None:
    """On start and after a publish: compute the latest grid only if no stored one matches the
    store and timeline (idempotent: a step killed half-way is simply done again by the next run),
    under the same lock as requests, so the refresh job and a first request never both compute it."""
    events = read_events(engine)
    if stored_scorecard(engine, events) is None:
        with derived_lock(engine, NAME):
            if stored_scorecard(engine, events) is None:
                refresh_scorecard(engine, events)


_guard = threading.Lock()  # guards the sets and maps below (this process's background work)
_background: set[tuple[str, str]] = set()
_tried: dict[tuple[str, str], float] = {}
RETRY_S = 2.0  # a process that found another computing the latest grid looks again after this


def _compute_in_background(engine: Engine, events: list[dict]) -> None:
    """Compute and store the latest grid in a thread of this process, unless a process (this one
    included) is computing it: readers meanwhile get the previous grid, marked updating."""
    key = (str(engine.url), scorecard_key(engine, events))

    def run() -> None:
        try:
            with derived_lock(engine, NAME, wait=False) as mine:
                if mine and stored_scorecard(engine, events) is None:
                    refresh_scorecard(engine, events)
        except Exception:  # logged, never raised into a request; a later request tries again
            log.exception("the scorecard for the new data could not be computed")
        finally:
            with _guard:
                _background.discard(key)

    with _guard:
        if key in _background or time.monotonic() - _tried.get(key, -1e9) < RETRY_S:
            return
        _background.add(key)
        _tried[key] = time.monotonic()
        if len(_tried) > 64:
            _tried.clear()
    threading.Thread(target=run, name="scorecard-update", daemon=True).start()


def _marked(previous: tuple[str, str], engine: Engine, events: list[dict]) -> dict:
    grid = json.loads(previous[1])
    if previous[0] != scorecard_key(engine, events):  # else stored meanwhile for this data: current
        grid["updating"] = True
    return grid


def scorecard_grid(engine: Engine, events: list[dict], as_of: dt.date | None = None) -> dict:
    """The stored grid, or else one computation of it across every process (single-flight).

    For the latest data with a grid stored for the previous data, that grid is served at once,
    marked ``updating``, while one thread of one process computes the new one (a store that
    refuses writes: the request that takes the lock computes it, for itself). With none stored (a
    first start, or a past date on a read-only store), the request computes it, or waits for the
    process that does."""
    found = stored_scorecard(engine, events, as_of)
    if found is not None:
        return found
    previous = read_latest_derived(engine, NAME) if as_of is None else None
    if previous is not None:
        if not settings.get().read_only:
            _compute_in_background(engine, events)
            return _marked(previous, engine, events)
        with derived_lock(engine, NAME, wait=False) as mine:
            if mine:
                return refresh_scorecard(engine, events)
        return _marked(previous, engine, events)
    with derived_lock(engine, _lock_name(engine, events, as_of)):  # the others wait, then read its result
        return stored_scorecard(engine, events, as_of) or refresh_scorecard(engine, events, as_of)


# Past dates: one queue and one thread per process, so however many new dates are asked for at
# once, one core computes them one at a time and every request is answered at once.
_past_queue: queue.Queue = queue.Queue()
_past_queued: set[tuple[str, str]] = set()
_past_failed: dict[tuple[str, str], tuple[float, str]] = {}
_past_thread: threading.Thread | None = None
FAILED_KEEP_S = 300  # a past date whose computation failed is answered with the failure this long


class PastScorecardFailed(RuntimeError):
    """The grid for a past date could not be computed (the message says why, in one line)."""


def _past_worker() -> None:
    while True:
        engine, events, as_of, key = _past_queue.get()
        try:
            with derived_lock(engine, _lock_name(engine, events, as_of), wait=False) as mine:
                # Not mine: another process computes it now and stores it for everyone.
                if mine and stored_scorecard(engine, events, as_of) is None:
                    refresh_scorecard(engine, events, as_of)
        except Exception as exc:  # logged; the requests for the date are told, then it is tried again
            log.exception("the scorecard as of %s could not be computed", as_of)
            with _guard:
                _past_failed[key] = (time.monotonic(), f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                                     if str(exc).strip() else type(exc).__name__)
        finally:
            with _guard:
                _past_queued.discard(key)


def past_scorecard(engine: Engine, events: list[dict], as_of: dt.date) -> dict | None:
    """The grid as known on ``as_of`` if it is stored; else None, and its computation is queued
    (once per process however often it is asked for; computed once across processes). Raises
    PastScorecardFailed for FAILED_KEEP_S after its computation failed. A store that refuses writes
    (read-only) cannot keep it: there it is computed for the request."""
    found = stored_scorecard(engine, events, as_of)
    if found is not None:
        return found
    if settings.get().read_only:
        return scorecard_grid(engine, events, as_of)
    global _past_thread
    key = (str(engine.url), f"{as_of_key(engine, events, as_of)}:{as_of.isoformat()}")
    with _guard:
        failed = _past_failed.get(key)
        if failed is not None and time.monotonic() - failed[0] < FAILED_KEEP_S:
            raise PastScorecardFailed(f"the scorecard as known on {as_of} could not be computed: {failed[1]}")
        _past_failed.pop(key, None)
        if key not in _past_queued:
            _past_queued.add(key)
            _past_queue.put((engine, events, as_of, key))
        if _past_thread is None or not _past_thread.is_alive():
            _past_thread = threading.Thread(target=_past_worker, name="scorecard-past-dates", daemon=True)
            _past_thread.start()
    return None
