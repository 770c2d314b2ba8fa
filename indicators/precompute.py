"""The scorecard's assessments, computed once per publish and stored with what they came from.

The key digests the published vintage set, the curated timeline and the engine's version, so a
stored grid is served only while all three are unchanged. A grid for a past date (``as_of``) is
stored under what it depends on instead of the date: the vintages in force that day, its month,
the commitments made by then (:func:`as_of_key`), so dates that read the same data share one
stored grid; it is reused for another date only where no "expected publication" date of its
not-yet-verifiable cells falls between the two dates (the words "overdue" would differ). ``python -m etl`` calls
:func:`ensure_scorecard` after it publishes (and on start): it computes only a grid not yet stored.
Requests only read (:func:`scorecard_grid`); a request computes only when no process has yet
(a publish made outside the CLI), and then stores the result for every other worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
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
from indicators.scorecard import scorecard

log = logging.getLogger(__name__)

AS_OF_KEPT = 32  # scorecards for past dates kept (each about 50 kB); the oldest computed are dropped
ENGINE_VERSION = "verification-3"  # bump when the statistics change, so stored grids are recomputed
NAME = "scorecard"


def scorecard_key(engine: Engine, events: list[dict]) -> str:
    key = f"{ENGINE_VERSION}|{vintage_set_key(engine)}|{timeline_digest(events)}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def as_of_key(engine: Engine, events: list[dict], as_of: dt.date) -> str:
    """What a grid as known on ``as_of`` depends on, besides the date's position against
    publication dates (:func:`_reusable`): the engine, the vintages in force, the month the series
    end, the events dated by then, and the timeline."""
    made = sorted(e["id"] for e in events if str(e["date"])[:10] <= as_of.isoformat())
    key = (f"{ENGINE_VERSION}|{data_versions(engine).in_force(as_of)}|{as_of:%Y-%m}|{made}|"
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


def scorecard_grid(engine: Engine, events: list[dict], as_of: dt.date | None = None) -> dict:
    """The stored grid, or else one computation of it across every process (single-flight).
    While another process computes it, the grid stored for the previous data is served, marked
    ``updating``; with none stored, the request waits for that one computation."""
    found = stored_scorecard(engine, events, as_of)
    if found is not None:
        return found
    name = _name(engine, events, as_of)
    with derived_lock(engine, name, wait=False) as mine:
        if mine:  # this process computes; another may have stored it just before we took the lock
            return stored_scorecard(engine, events, as_of) or refresh_scorecard(engine, events, as_of)
    previous = read_latest_derived(engine, name) if as_of is None else None
    if previous is not None:
        grid = json.loads(previous[1])
        if previous[0] != scorecard_key(engine, events):  # stored meanwhile for this data: current
            grid["updating"] = True
        return grid
    with derived_lock(engine, name):  # nothing to serve meanwhile: wait for the one computation
        return stored_scorecard(engine, events, as_of) or refresh_scorecard(engine, events, as_of)
