"""Read-time views of a monthly series: level, year-over-year change, an index, a rate.

Pure functions of a series frame (``period``, ``value``, optional breakdown column): the explorer,
its exports and its data table apply the same one. Nothing here changes what is stored.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TRANSFORMS = ("level", "yoy", "index", "per100k")


def _keys(frame: pd.DataFrame, breakdown: str | None) -> list[str]:
    return [breakdown] if breakdown and breakdown in frame.columns else []


def year_over_year(frame: pd.DataFrame, breakdown: str | None = None) -> pd.DataFrame:
    """Percent change on the same month a year before (per breakdown value). A month whose
    year-earlier value is missing or zero has no change (NaN), never an infinite one."""
    out = frame.copy()
    keys = _keys(out, breakdown)
    earlier = out[["period", *keys, "value"]].copy()
    earlier["period"] = earlier["period"] + pd.DateOffset(years=1)
    merged = out[["period", *keys]].merge(earlier.rename(columns={"value": "earlier"}), on=["period", *keys],
                                          how="left")
    before = merged["earlier"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(before > 0, (out["value"].to_numpy(dtype=float) / before - 1) * 100, np.nan)
    out["value"] = change
    if "value_predicted" in out:
        out["value_predicted"] = np.nan
    return out


def index_to(frame: pd.DataFrame, base_month: dt.date | pd.Timestamp, breakdown: str | None = None
             ) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Each value as a percentage of its value in ``base_month`` (= 100), each breakdown value on
    its own. When that month is missing or zero, the nearest earlier month with a positive value
    is the base (a part with none before it takes its first positive month; one with none at all
    has no index). Returns the base month of the whole series (or of the first part), so the
    chart can say which month it is; None when there is none."""
    out = frame.copy()
    keys = _keys(out, breakdown)
    base_month = pd.Timestamp(base_month).to_period("M").to_timestamp()
    parts = [out] if not keys else [rows for _, rows in out.groupby(keys[0], sort=False)]
    divisors = pd.Series(np.nan, index=out.index)
    used_months = []
    for rows in parts:
        positive = rows[rows["value"] > 0]
        before = positive[positive["period"] <= base_month]
        if not before.empty:
            used = before["period"].max()
        elif not positive.empty:
            used = positive["period"].min()
        else:
            continue
        divisors.loc[rows.index] = float(positive.loc[positive["period"] == used, "value"].iloc[0])
        used_months.append(used)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = out["value"].to_numpy(dtype=float) / divisors.to_numpy() * 100
    if "value_predicted" in out:
        out["value_predicted"] = out["value_predicted"] / divisors * 100
    return out, (max(used_months) if used_months else None)


def per_100k(frame: pd.DataFrame, population: pd.DataFrame, *, rolling_12: bool = False) -> pd.DataFrame:
    """Values per 100,000 people, with the mid-year population of each value's year
    (``population``: ``period``, ``value``). Monthly counts become annualised rates (the month's
    pace over a year, as official rates are quoted); a 12-month-ending sum is already a year's
    count. A year without a population figure has no rate (NaN)."""
    out = frame.copy()
    by_year = pd.Series(population["value"].to_numpy(dtype=float), index=population["period"].dt.year)
    people = out["period"].dt.year.map(by_year).to_numpy(dtype=float)
    values = out["value"].to_numpy(dtype=float)
    if not rolling_12:
        days_in_year = np.where(out["period"].dt.is_leap_year, 366, 365)
        values = values / out["period"].dt.days_in_month.to_numpy() * days_in_year
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = np.where(people > 0, values / people * 100_000, np.nan)
    if "value_predicted" in out:
        out["value_predicted"] = np.nan
    return out
