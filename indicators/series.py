"""Series reads: an indicator's monthly values from the store, latest or as known on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from etl.common import load_origin
from etl.conapo_population import SOURCE_ID as POPULATION_SOURCE
from etl.store import available_geos, read_slice
from indicators.registry import Indicator, get_indicator
from indicators.transforms import per_100k

SERIES_COLUMNS = [
    "period", "geo", "value", "value_predicted", "flags", "vintage_id", "vintage", "vintage_published_on",
]


# Columns of annual and multi-year figures (ATF): the window they cover and their provenance.
FIGURE_COLUMNS = ["end_year", "window", "unit", "confidence", "citation", "url"]
# Mid-year population by year (CONAPO), the denominator of rates per 100,000 people.
POPULATION_BASE = "conapo_population_mid_year"


def sources_read(spec: Indicator, per_100k: bool = False) -> tuple[str, ...]:
    """The sources :func:`read_series` reads for this indicator: its own, and the population for a
    rate (the registry's per-100k transform, or a per-100k view of it). Caches key on these."""
    rate = per_100k or spec.transform == "per_100k"
    return (spec.source_id, POPULATION_SOURCE) if rate else (spec.source_id,)


class NotAvailable(LookupError):
    """The indicator has no data in the store (planned source, or unknown geography)."""


def _sum_by(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Values summed per key, in key order (none when every value is missing; each sum added in
    the rows' order, so the same rows give the same bits on any machine), with the flags of the
    key's rows merged; indexed by the keys (a missing category is a key of its own, last)."""
    codes = np.zeros(len(rows), dtype=np.int64)
    for key in keys:
        key_codes, uniques = pd.factorize(rows[key], sort=True, use_na_sentinel=False)
        codes = codes * max(len(uniques), 1) + key_codes
    groups, first, inverse = np.unique(codes, return_index=True, return_inverse=True)  # first: a row of each key
    values = rows["value"].to_numpy(dtype=float, na_value=np.nan)
    present = ~np.isnan(values)
    # (bincount of no rows is an integer array whatever its weights: the sums are made floats)
    sums = np.bincount(inverse, weights=np.where(present, values, 0.0), minlength=len(groups)).astype(float)
    counts = np.bincount(inverse, weights=present, minlength=len(groups))
    sums[counts == 0] = np.nan
    texts = rows["flags"].fillna("").to_numpy(dtype=object)
    flagged = texts.astype(bool)
    merged: dict[int, set[str]] = {}
    for group, text in set(zip(inverse[flagged].tolist(), texts[flagged].tolist(), strict=True)):
        merged.setdefault(group, set()).update(flag for flag in text.split(",") if flag)
    arrays = [pd.Index(rows[key].take(first)) for key in keys]
    index = pd.MultiIndex.from_arrays(arrays, names=keys) if len(keys) > 1 else arrays[0].rename(keys[0])
    flags = pd.array([",".join(sorted(merged.get(g, ()))) for g in range(len(groups))], dtype=str)
    return pd.DataFrame({"value": sums, "flags": flags}, index=index)


def read_series(
    engine: Engine,
    indicator: str | Indicator,
    geo: str | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Monthly values of an indicator for one geography.

    Columns: ``period`` (month start), ``geo``, the breakdown dimension if any, ``value``,
    ``value_predicted``, ``flags``, ``vintage_id``, ``vintage`` (release file) and ``vintage_published_on``.
    """
    spec = indicator if isinstance(indicator, Indicator) else get_indicator(indicator)
    if spec.status != "available" or spec.base is None:
        raise NotAvailable(f"{spec.id} has no data loaded yet (source {spec.source_id})")
    geo = geo or spec.default_geo
    series = _summed(engine, spec, geo, start=start, end=end, as_of=as_of)
    if spec.transform is None or series.empty:
        return series
    if spec.transform == "share":
        part = _summed(engine, replace(spec, filters={**spec.filters, **spec.share_of}, zero_fill=True), geo,
                       start=start, end=end, as_of=as_of)
        keys = ["period"] + ([spec.breakdown] if spec.breakdown else [])
        numerator = series[keys].merge(part[[*keys, "value"]], on=keys, how="left")["value"]
        series["value"] = (numerator.fillna(0.0) / series["value"].where(series["value"] > 0) * 100).to_numpy()
        return series
    days = series["period"].dt.days_in_month
    if spec.transform == "daily_average":
        series["value"] = series["value"] / days
        return series
    if spec.transform == "per_100k":  # the explorer's per-100k view computes it the same way
        population = read_slice(engine, POPULATION_BASE, geo, as_of=as_of).rows
        return per_100k(series, population)
    raise ValueError(f"{spec.id}: unknown transform {spec.transform!r}")


def _summed(engine: Engine, spec: Indicator, geo: str, *, start: dt.date | None, end: dt.date | None,
            as_of: dt.date | None) -> pd.DataFrame:
    """The indicator's base series for one geography: filtered, summed per month (and breakdown)."""
    if spec.semantics == "annual":
        # Published figures for a year or a window, each as it is: never summed, never spread. A
        # window is in the range when any of its years is.
        rows = read_slice(engine, spec.base, geo, filters=spec.filters, period_to=end, as_of=as_of).rows
        figures = rows.reindex(columns=["period", "geo", *FIGURE_COLUMNS, *SERIES_COLUMNS[2:]])
        if start is not None and not figures.empty:
            figures = figures[figures["end_year"].astype(int) >= start.year]
        return figures.sort_values(["period", "end_year"]).reset_index(drop=True)
    got = read_slice(engine, spec.base, geo, filters=spec.filters, period_from=start, period_to=end, as_of=as_of)
    rows = got.rows
    if got.months.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS[:2] + ([spec.breakdown] if spec.breakdown else [])
                            + SERIES_COLUMNS[2:])
    if not spec.filters and spec.breakdown is None and not spec.zero_fill:
        return rows[SERIES_COLUMNS].reset_index(drop=True)
    covered = got.months.set_index("period")[["vintage_id", "vintage", "vintage_published_on"]]
    if spec.breakdown and spec.breakdown not in rows.columns:
        rows = rows.assign(**{spec.breakdown: pd.Series(dtype=object)})
    keys = ["period"] + ([spec.breakdown] if spec.breakdown else [])
    summed = _sum_by(rows, keys)
    if spec.zero_fill:
        # A combination missing from a release's aggregate table means zero seizures that month.
        levels = [covered.index]
        if spec.breakdown:
            levels.append(pd.Index(sorted(rows[spec.breakdown].dropna().unique()), name=spec.breakdown))
        grid = pd.MultiIndex.from_product(levels, names=keys) if spec.breakdown else covered.index
        summed = summed.reindex(grid)
        summed["value"] = summed["value"].fillna(0.0)
        month_flags = got.months.set_index("period")["flags"]
        summed["flags"] = summed["flags"].fillna(
            pd.Series(summed.index.get_level_values("period"), index=summed.index).map(month_flags)
        )
    series = summed.reset_index().join(covered, on="period")
    series["geo"] = geo
    series["value_predicted"] = float("nan")
    columns = ["period", "geo"] + ([spec.breakdown] if spec.breakdown else []) + SERIES_COLUMNS[2:]
    return series[columns].sort_values(keys).reset_index(drop=True)


def geographies(engine: Engine, indicator: str | Indicator) -> list[str]:
    """Geographies with at least one row matching the indicator's filters (a state with no
    Southwest-border encounters is not offered for a Southwest-border indicator)."""
    spec = indicator if isinstance(indicator, Indicator) else get_indicator(indicator)
    if spec.base is None:
        return []
    return available_geos(engine, spec.base, spec.filters)


# Read-time transforms give values no publisher table holds: their decimals are ours (a daily
# average to 0.1 as the government quotes it, a rate per 100,000 to 0.01, a share to 0.1 point).
TRANSFORM_DECIMALS = {"daily_average": 1, "per_100k": 2, "share": 1}


def decimals(spec: Indicator) -> int:
    """Decimal places a download rounds the indicator's values to: the publisher's own, declared
    for each series in its origin file (``precision``), or the transform's."""
    if spec.transform in TRANSFORM_DECIMALS:
        return TRANSFORM_DECIMALS[spec.transform]
    outputs = load_origin(spec.source_id)["outputs"]
    return next((o["precision"] for o in outputs if o["series"] == spec.base), max(o["precision"] for o in outputs))
