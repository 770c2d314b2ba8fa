"""The explorer's state map: each geography's value of one month, kept with what it came from.

A map of a state-level series reads every state's series (tens of reads: about half a second),
so it is computed once per source release and stored in ``derived_results`` under the source's
version (:func:`etl.store.data_versions`): :func:`refresh_maps` runs after a publish for the
map's month of every state-level indicator, and a request reads the stored values (or computes
and stores them for any other month, once, for every process).

The map's month is the newest month most of the states have (:func:`map_month`), not the newest
month of the national series: CDC publishes the US total months before the states' figures, and
a map of a month the states do not have yet would be blank. Rates per 100,000 people are mapped
only for counts (:attr:`indicators.registry.Indicator.takes_per_100k`): a rate of a daily average
or of a share means nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time

import pandas as pd
from sqlalchemy.engine import Engine

from etl.geography import MX_STATES, US_STATES
from etl.store import available_geos, data_versions, months_with_values, read_derived, read_slice, write_derived
from indicators.digest import code_digest
from indicators.registry import Indicator, available_indicators
from indicators.series import POPULATION_BASE, geographies, read_series, sources_read
from indicators.transforms import per_100k as rate

log = logging.getLogger(__name__)


class NoRateMap(ValueError):
    """A map per 100,000 people was asked of an indicator that is not a count."""


def _name(spec: Indicator, month: dt.date, per_100k: bool) -> str:
    return f"map:{spec.id}:{month:%Y-%m}:{'rate' if per_100k else 'level'}"


MAPS_VERSION = "maps-2"  # bump when compute() or month_coverage() changes, so stored maps are recomputed


def _key(engine: Engine, spec: Indicator, per_100k: bool) -> str:
    """What a stored map came from: the code (``MAPS_VERSION`` and the code digest), the
    indicator's definition as the registry has it now, and the versions of the sources it reads."""
    versions = data_versions(engine)
    definition = (spec.base, sorted(spec.filters.items()), spec.transform, spec.semantics, spec.breakdown,
                  sorted((spec.share_of or {}).items()), spec.zero_fill)
    parts = (MAPS_VERSION, code_digest(), repr(definition),
             *(versions.source(source) for source in sources_read(spec, per_100k)))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _require_rate(spec: Indicator, per_100k: bool) -> None:
    if per_100k and not spec.takes_per_100k:
        raise NoRateMap(f"{spec.id} is not a count ({spec.transform or spec.semantics}): it has no map per "
                        "100,000 people")


def compute(engine: Engine, spec: Indicator, month: dt.date, as_of: dt.date | None = None,
            per_100k: bool = False) -> dict[str, float | None]:
    """Each geography's value of ``month`` (a breakdown summed; per 100,000 people a year when
    asked, where a population is loaded); None where the month has no value."""
    _require_rate(spec, per_100k)
    population_geos = set(available_geos(engine, POPULATION_BASE)) if per_100k else set()
    values: dict[str, float | None] = {}
    for geo in geographies(engine, spec):
        frame = read_series(engine, spec, geo, start=month, end=month, as_of=as_of)
        if frame.empty or frame["value"].isna().all() or (per_100k and geo not in population_geos):
            values[geo] = None
            continue
        total = frame.groupby("period", as_index=False)["value"].sum(min_count=1)
        if per_100k:
            people = read_slice(engine, POPULATION_BASE, geo, as_of=as_of).rows
            total = rate(total, people, rolling_12=spec.semantics == "rolling_12m")
        value = total["value"].iloc[0]
        values[geo] = None if pd.isna(value) else float(value)
    return values


def map_values(engine: Engine, spec: Indicator, month: dt.date, as_of: dt.date | None = None,
               per_100k: bool = False) -> dict[str, float | None]:
    """The stored values for the store as it is now; computed and stored first when missing.
    A map as known on an earlier date (``as_of``) is computed, not stored."""
    _require_rate(spec, per_100k)
    if as_of is not None:
        return compute(engine, spec, month, as_of, per_100k)
    name, key = _name(spec, month, per_100k), _key(engine, spec, per_100k)
    payload = read_derived(engine, name, key)
    if payload is not None:
        return json.loads(payload)
    values = compute(engine, spec, month, None, per_100k)
    write_derived(engine, name, key, json.dumps(values))
    return values


def states(engine: Engine, spec: Indicator) -> list[str]:
    """The indicator's states (US states and DC, Mexican states): its geographies less the
    national one and special codes."""
    return [geo for geo in geographies(engine, spec) if geo in US_STATES or geo in MX_STATES]


def month_coverage(engine: Engine, spec: Indicator, as_of: dt.date | None = None) -> dict:
    """How many of the indicator's states have a value in each month (``"YYYY-MM"`` → count), and
    how many states it has (``states``)."""
    chosen = states(engine, spec)
    counts: dict[str, int] = {}
    if spec.zero_fill:  # a missing combination is a zero: read each state's series as drawn
        for geo in chosen:
            frame = read_series(engine, spec, geo, as_of=as_of)
            months = pd.to_datetime(frame.loc[frame["value"].notna(), "period"]).dt.strftime("%Y-%m").unique()
            for month in months:
                counts[month] = counts.get(month, 0) + 1
    else:  # one query for every state: the months each has a value in (the base series, filtered)
        found = months_with_values(engine, spec.base, filters=spec.filters, as_of=as_of)
        found = found[found["geo"].isin(chosen)]
        counts = found.groupby(found["period"].dt.strftime("%Y-%m"))["geo"].nunique().to_dict()
    return {"states": len(chosen), "months": dict(sorted((k, int(v)) for k, v in counts.items()))}


def _month_name(spec: Indicator) -> str:
    return f"map-month:{spec.id}"


def stored_coverage(engine: Engine, spec: Indicator) -> dict:
    """:func:`month_coverage` for the store as it is now: stored per source release, computed and
    stored first when missing."""
    name, key = _month_name(spec), _key(engine, spec, False)
    payload = read_derived(engine, name, key)
    if payload is not None:
        return json.loads(payload)
    coverage = month_coverage(engine, spec)
    write_derived(engine, name, key, json.dumps(coverage))
    return coverage


def map_month(engine: Engine, spec: Indicator, as_of: dt.date | None = None,
              upto: dt.date | None = None) -> dt.date | None:
    """The month a state map shows: the newest month (up to ``upto``) that more than half of the
    indicator's states have a value for; else the newest month any state has; None when no state
    has one. Read from the stored coverage for the store as it is now (as known on ``as_of``:
    computed)."""
    coverage = month_coverage(engine, spec, as_of) if as_of is not None else stored_coverage(engine, spec)
    last = f"{upto:%Y-%m}" if upto is not None else None
    months = [m for m in coverage["months"] if last is None or m <= last]
    most = [m for m in months if coverage["months"][m] * 2 > coverage["states"]]
    chosen = most[-1] if most else (months[-1] if months else None)
    return dt.date.fromisoformat(f"{chosen}-01") if chosen else None


def refresh_maps(engine: Engine) -> int:
    """After a publish: the map of the month most states have (levels, and rates of counts where a
    population is loaded) of every state-level indicator whose source changed; returns how many
    maps were computed."""
    start, computed = time.perf_counter(), 0
    has_population = set(available_geos(engine, POPULATION_BASE))
    for spec in available_indicators():
        if spec.semantics == "annual":
            continue
        geos = geographies(engine, spec)
        if len(geos) < 2:
            continue
        month = map_month(engine, spec)
        if month is None:
            continue
        for per_100k in (False, True):
            if per_100k and (not spec.takes_per_100k or not has_population & set(geos)):
                continue
            name, key = _name(spec, month, per_100k), _key(engine, spec, per_100k)
            if read_derived(engine, name, key) is None:
                write_derived(engine, name, key, json.dumps(compute(engine, spec, month, None, per_100k)))
                computed += 1
    log.info("state maps: %d computed in %.1f s", computed, time.perf_counter() - start)
    return computed
