"""The explorer's state map: each geography's value of one month, kept with what it came from.

A map of a state-level series reads every state's series (tens of reads: about half a second),
so it is computed once per source release and stored in ``derived_results`` under the source's
version (:func:`etl.store.data_versions`): :func:`refresh_maps` runs after a publish for the
newest month of every state-level indicator, and a request reads the stored values (or computes
and stores them for any other month, once, for every process).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time

import pandas as pd
from sqlalchemy.engine import Engine

from etl.store import available_geos, data_versions, read_derived, read_slice, write_derived
from indicators.digest import code_digest
from indicators.registry import Indicator, available_indicators
from indicators.series import POPULATION_BASE, geographies, read_series, sources_read
from indicators.transforms import per_100k as rate

log = logging.getLogger(__name__)


def _name(spec: Indicator, month: dt.date, per_100k: bool) -> str:
    return f"map:{spec.id}:{month:%Y-%m}:{'rate' if per_100k else 'level'}"


MAPS_VERSION = "maps-1"  # bump when compute() changes, so stored maps are recomputed


def _key(engine: Engine, spec: Indicator, per_100k: bool) -> str:
    """What a stored map came from: the code (``MAPS_VERSION`` and the code digest), the
    indicator's definition as the registry has it now, and the versions of the sources it reads."""
    versions = data_versions(engine)
    definition = (spec.base, sorted(spec.filters.items()), spec.transform, spec.semantics, spec.breakdown,
                  sorted((spec.share_of or {}).items()), spec.zero_fill)
    parts = (MAPS_VERSION, code_digest(), repr(definition),
             *(versions.source(source) for source in sources_read(spec, per_100k)))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def compute(engine: Engine, spec: Indicator, month: dt.date, as_of: dt.date | None = None,
            per_100k: bool = False) -> dict[str, float | None]:
    """Each geography's value of ``month`` (a breakdown summed; per 100,000 people a year when
    asked, where a population is loaded); None where the month has no value."""
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
    if as_of is not None:
        return compute(engine, spec, month, as_of, per_100k)
    name, key = _name(spec, month, per_100k), _key(engine, spec, per_100k)
    payload = read_derived(engine, name, key)
    if payload is not None:
        return json.loads(payload)
    values = compute(engine, spec, month, None, per_100k)
    write_derived(engine, name, key, json.dumps(values))
    return values


def refresh_maps(engine: Engine) -> int:
    """After a publish: the newest month's map (levels, and rates where a population is loaded) of
    every state-level indicator whose source changed; returns how many maps were computed."""
    start, computed = time.perf_counter(), 0
    has_population = set(available_geos(engine, POPULATION_BASE))
    for spec in available_indicators():
        if spec.semantics == "annual":
            continue
        geos = geographies(engine, spec)
        if len(geos) < 2:
            continue
        national = read_series(engine, spec)
        if national.empty:
            continue
        month = national["period"].max().date()
        for per_100k in (False, True):
            if per_100k and (spec.transform == "per_100k" or not has_population & set(geos)):
                continue
            name, key = _name(spec, month, per_100k), _key(engine, spec, per_100k)
            if read_derived(engine, name, key) is None:
                write_derived(engine, name, key, json.dumps(compute(engine, spec, month, None, per_100k)))
                computed += 1
    log.info("state maps: %d computed in %.1f s", computed, time.perf_counter() - start)
    return computed
