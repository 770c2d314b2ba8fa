"""Series reads: an indicator's monthly values from the store, latest or as known on a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.engine import Engine

from etl.store import available_geos, read_slice
from indicators.registry import Indicator, get_indicator

SERIES_COLUMNS = [
    "period", "geo", "value", "value_predicted", "flags", "vintage", "vintage_published_on",
]


class NotAvailable(LookupError):
    """The indicator has no data in the store (planned source, or unknown geography)."""


def _merge_flags(flags: pd.Series) -> str:
    merged = sorted({flag for item in flags for flag in str(item).split(",") if flag})
    return ",".join(merged)


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
    ``value_predicted``, ``flags``, ``vintage`` (release file) and ``vintage_published_on``.
    """
    spec = indicator if isinstance(indicator, Indicator) else get_indicator(indicator)
    if spec.status != "available" or spec.base is None:
        raise NotAvailable(f"{spec.id} has no data loaded yet (source {spec.source_id})")
    geo = geo or spec.default_geo
    got = read_slice(engine, spec.base, geo, filters=spec.filters, period_from=start, period_to=end, as_of=as_of)
    rows = got.rows
    if got.months.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS[:2] + ([spec.breakdown] if spec.breakdown else [])
                            + SERIES_COLUMNS[2:])
    if not spec.filters and spec.breakdown is None and not spec.zero_fill:
        return rows[SERIES_COLUMNS].reset_index(drop=True)
    covered = got.months.set_index("period")[["vintage", "vintage_published_on"]]
    if spec.breakdown and spec.breakdown not in rows.columns:
        rows = rows.assign(**{spec.breakdown: pd.Series(dtype=object)})
    keys = ["period"] + ([spec.breakdown] if spec.breakdown else [])
    summed = rows.groupby(keys, dropna=False).agg(
        value=("value", lambda v: v.sum(min_count=1)),
        flags=("flags", _merge_flags),
    )
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
    spec = indicator if isinstance(indicator, Indicator) else get_indicator(indicator)
    if spec.base is None:
        return []
    return available_geos(engine, spec.base)
