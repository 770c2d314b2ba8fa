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
ENGINE_VERSION = "verification-3"  # bump when the statistics change, so stored grids are recomputed
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


def _name(engine: Engine, events: list[dict], as_of: dt.date | None) -> str:
    return NAME if as_of is None else f"{NAME}@{as_of_key(engine, events, as_of)}"


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


def compute_scorecard(engine: Engine, events: list[dict] | None = None, as_of: dt.date | None = None) -> dict:
    events = read_events(engine) if events is None else events
    start = time.perf_counter()
    grid = scorecard(engine, events, as_of=as_of)
    grid["key"] = scorecard_key(engine, events) if as_of is None else as_of_key(engine, events, as_of)
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
    payload = read_derived(engine, f"{NAME}@{key}", key)
    grid = None if payload is None else json.loads(payload)
    if grid is None or not _reusable(grid, as_of):
        return None
    grid["as_of"] = as_of.isoformat()  # the date asked for; computed_as_of says which date computed it
    return grid


def refresh_scorecard(engine: Engine, events: list[dict] | None = None, as_of: dt.date | None = None) -> dict:
    """Compute the grid and store it under its key (after a publish, or on start)."""
    events = read_events(engine) if events is None else events
    grid = compute_scorecard(engine, events, as_of)
    write_derived(engine, _name(engine, events, as_of), grid["key"], json.dumps(grid))
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


def _compute_in_background(engine: Engine, events: list[dict]) -> None:
    """Compute and store the latest grid in a thread of this process, unless some process (this
    one included) is computing it: readers meanwhile get the previous grid, marked updating."""
    def run() -> None:
        try:
            with derived_lock(engine, NAME, wait=False) as mine:
                if mine and stored_scorecard(engine, events) is None:
                    refresh_scorecard(engine, events)
        except Exception:  # logged, never raised into a request; the next request tries again
            log.exception("the scorecard for the new data could not be computed")
        finally:
            with _background_guard:
                _background.discard(key)

    key = (str(engine.url), scorecard_key(engine, events))
    with _background_guard:
        if key in _background:
            return
        _background.add(key)
    threading.Thread(target=run, name="scorecard-update", daemon=True).start()


_background: set[tuple[str, str]] = set()
_background_guard = threading.Lock()


# Past dates: one queue and one thread per process, so however many new dates are asked for at
# once, one core computes them one at a time and every request is answered at once.
_past_queue: queue.Queue = queue.Queue()
_past_queued: set[tuple[str, str]] = set()
_past_thread: threading.Thread | None = None


def _past_worker() -> None:
    while True:
        engine, events, as_of, key = _past_queue.get()
        try:
            name = _name(engine, events, as_of)
            with derived_lock(engine, name, wait=False) as mine:
                # Not mine: another process computes it now and stores it for everyone.
                if mine and stored_scorecard(engine, events, as_of) is None:
                    refresh_scorecard(engine, events, as_of)
        except Exception:  # logged, never raised; the next request for the date queues it again
            log.exception("the scorecard as of %s could not be computed", as_of)
        finally:
            with _background_guard:
                _past_queued.discard(key)


def past_scorecard(engine: Engine, events: list[dict], as_of: dt.date) -> dict | None:
    """The grid as known on ``as_of`` if it is stored; else None, and its computation is queued
    (once per process however often it is asked for; computed once across processes). A store
    that refuses writes (read-only) cannot keep it: there it is computed for the request."""
    found = stored_scorecard(engine, events, as_of)
    if found is not None:
        return found
    if settings.get().read_only:
        return scorecard_grid(engine, events, as_of)
    global _past_thread
    key = (str(engine.url), as_of_key(engine, events, as_of) + as_of.isoformat())
    with _background_guard:
        if key not in _past_queued:
            _past_queued.add(key)
            _past_queue.put((engine, events, as_of, key))
        if _past_thread is None or not _past_thread.is_alive():
            _past_thread = threading.Thread(target=_past_worker, name="scorecard-past-dates", daemon=True)
            _past_thread.start()
    return None


def scorecard_grid(engine: Engine, events: list[dict], as_of: dt.date | None = None) -> dict:
    """The stored grid, or else one computation of it across every process (single-flight).
    For the latest data with a grid stored for the previous data, that grid is served at once,
    marked ``updating``, while one thread in one process computes the new one (no request waits
    for it); with none stored (a first start, a past date not yet asked for), the request computes
    it, or waits for the process that does."""
    found = stored_scorecard(engine, events, as_of)
    if found is not None:
        return found
    if as_of is None and not settings.get().read_only:  # read-only: nothing would be stored; compute
        previous = read_latest_derived(engine, NAME)
        if previous is not None:
            _compute_in_background(engine, events)
            grid = json.loads(previous[1])
            if previous[0] != scorecard_key(engine, events):  # else stored meanwhile for this data: current
                grid["updating"] = True
            return grid
    name = _name(engine, events, as_of)
    with derived_lock(engine, name):  # one computation; the others wait for it and read its result
        return stored_scorecard(engine, events, as_of) or refresh_scorecard(engine, events, as_of)
