"""Plausibility of the months a release adds or revises, against each series' own history.

The release diff (``etl.release_diff``) guards completed months against the previous vintage. A
broken file does its damage in the newest month and in the months the previous vintage flagged
``provisional``; those are checked here, before anything is published:

* **incomplete**: a geography or a breakdown (one value of one dimension) present in every one of
  the last 12 months is missing from a new month (a state dropped, a drug gone);
* **implausible**: a series' new month moved, against the mean of the three months before it,
  by a factor of at least ``factor`` and either by more than ``mad`` robust standard deviations of
  that same change over the series' own history, or by more than ``record`` times the largest such
  change in its history and ``record_mad`` robust s.d. (a state doubled, a decimal comma read as
  thousands). The scale is the median absolute deviation of the history, never below the Poisson
  noise of the level for counts. Provisional months were judged when they were new; since then
  they are held to the revision bound below;
* **zero**: a series that was never zero in the months on record reads 0 (a month of zeros);
* **repeated**: a new month identical, cell for cell, to the month before it (a copied month);
* **fractional**: a count declared whole (``whole: true`` on the output) with a fraction
  (victims × 1.5);
* **swapped**: two geographies whose values traded places in a month both releases cover;
* **provisional**: a provisional month revised beyond ``provisional_revision`` (the largest
  revision of provisional months seen between the real releases, with a margin: origin file).

"Series" here means what a reader is served: each geography's total, and, for the dimensions the
origin file names, its total for one value of one dimension (for outputs whose rows add up,
``aggregation: sum``); for ``levels`` the rows with no breakdown; for ``none`` each row.

Every threshold is declared in the source's origin file (``plausibility``) with the measurement
behind it (bench/bench_plausibility.py measures how often the real history would have been held).
All but fractions can be published after review with ``--accept-anomalies``; the run record keeps
what was accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.store import dimension_columns

HISTORY_MIN = 12  # months of a series' history needed before its jumps are judged
REFERENCE = 3  # a month is compared with the mean of this many months before it
COMPLETE_MONTHS = 12  # present in each of this many last months: expected in a new month
MAD_TO_SD = 1.4826
MIN_REPEATED = 6  # a month copying the one before is judged where it has at least this many cells
DEFAULTS = {"mad": 5.0, "factor": 1.5, "record": 1.25, "record_mad": 3.0, "offset": 5.0, "min_level": 20.0,
            "provisional_revision": 0.5,
            "swap_factor": 1.2, "dimensions": [], "absent_geographies": False, "reviewed": []}


@dataclass(frozen=True)
class Key:
    indicator: str
    geo: str
    margin: str  # "" for the geography's total or a row of its own; "dimension=value" otherwise

    def __str__(self) -> str:
        return f"{self.indicator} {self.geo}" + (f" {self.margin}" if self.margin else "")


def settings_of(origin: dict) -> dict:
    declared = origin.get("plausibility", {})
    return {**DEFAULTS, **{k: v for k, v in declared.items() if k in DEFAULTS}}


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Months as periods, values as numbers, flags as text; a frame tidied already is returned as
    it is (``check`` tidies each release once for all the checks)."""
    if isinstance(frame["period"].dtype, pd.PeriodDtype):
        return frame
    frame = frame.copy(deep=False)  # the columns not replaced are shared, not copied (copy on write)
    frame["period"] = pd.to_datetime(frame["period"]).dt.to_period("M")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["flags"] = frame["flags"].fillna("").astype(str) if "flags" in frame else ""
    return frame


def series(frame: pd.DataFrame, origin: dict) -> dict[Key, pd.Series]:
    """The checked series of a tidy release: Key → value by month (a sum over the rows). Each
    geography's total, and its total for each value of the dimensions the origin file names
    (``plausibility.dimensions``: breakdowns steady enough to judge; event-level breakdowns such
    as a port or an air branch are lumpy by nature and are left to the totals)."""
    frame = _tidy(frame)
    aggregation = {o["series"]: o["aggregation"] for o in origin.get("outputs", [])}
    declared = set(settings_of(origin)["dimensions"])
    all_dims = dimension_columns(frame)
    dims = [d for d in all_dims if d in declared]
    out: dict[Key, pd.Series] = {}
    for indicator, part in frame.groupby("indicator", sort=True):
        kind = aggregation.get(indicator, "none")
        if kind == "figures":
            continue
        if kind == "sum" or not all_dims:
            totals = part.groupby(["geo", "period"])["value"].sum(min_count=1)
            for geo, s in totals.groupby(level="geo"):
                out[Key(indicator, geo, "")] = s.droplevel("geo")
            if kind != "sum":
                continue
            for dim in dims:
                named = part[part[dim].notna() & (part[dim].astype(str) != "")]
                sums = named.groupby(["geo", dim, "period"])["value"].sum(min_count=1)
                for (geo, value), s in sums.groupby(level=["geo", dim]):
                    out[Key(indicator, geo, f"{dim}={value}")] = s.droplevel(["geo", dim])
        else:  # levels: the rows with no breakdown are the geography's total (the others do not add up)
            blank = np.ones(len(part), dtype=bool)
            for dim in all_dims:
                blank &= (part[dim].isna() | (part[dim].astype(str) == "")).to_numpy()
            totals = part[blank].groupby(["geo", "period"])["value"].sum(min_count=1)
            for geo, s in totals.groupby(level="geo"):
                out[Key(indicator, geo, "")] = s.droplevel("geo")
    return {key: s.sort_index() for key, s in out.items()}


def checked_months(old: pd.DataFrame, new: pd.DataFrame) -> tuple[set, set]:
    """(new months: after the previous vintage's last, provisional months: flagged so in the
    previous vintage and present in this release)."""
    old, new = _tidy(old), _tidy(new)
    last = old["period"].max()
    added = set(new.loc[new["period"] > last, "period"].unique())
    flagged = set(old.loc[old["flags"].str.contains("provisional|projection"), "period"].unique())
    return added, flagged & set(new["period"].unique())


def _scale(history: np.ndarray, floor: float) -> float:
    centre = np.median(history)
    return max(MAD_TO_SD * float(np.median(np.abs(history - centre))), floor)


def _reference_changes(logged: pd.Series) -> pd.Series:
    """Each month against the mean of the REFERENCE months before it (on the log scale)."""
    return (logged - logged.rolling(REFERENCE).mean().shift(1)).dropna()


def jump_z(history: pd.Series, value: float, before: pd.Series, offset: float,
           counts: bool) -> tuple[float, float, float]:
    """(robust z, factor, record) of ``value`` against the mean of the ``before`` months: z scaled by
    the same change's spread over ``history`` (months in order, no gaps filled), the factor of the
    value over that mean, and the change over the largest one in the history (above 1: a record)."""
    level = float(np.nanmedian(history.iloc[-12:]))
    c = max(offset, 0.25 * abs(level))
    logged = np.log(history.clip(lower=0) + c)
    changes = _reference_changes(logged).to_numpy()
    reference = float(np.mean(np.log(before.clip(lower=0) + c)))
    change = float(np.log(max(value, 0) + c)) - reference
    # The Poisson noise of one month against one other, √(2/level): wider than against a mean of
    # REFERENCE months (√((1 + 1/REFERENCE)/level)), a deliberate margin for counts that vary more
    # than Poisson (the limits in the origin files were measured with it).
    floor = np.sqrt(2.0 / np.exp(reference)) if counts else 0.05
    centre = float(np.median(changes))
    z = (change - centre) / _scale(changes, floor)
    record = abs(change - centre) / max(float(np.max(np.abs(changes - centre))), 1e-9)
    factor = (max(value, 0) + offset) / (float(np.mean(before.clip(lower=0))) + offset)
    return z, factor, record


def _checked_series(old_series: dict, new_series: dict, months: set) -> Iterator[tuple[Key, pd.Series, pd.Series]]:
    for key, new_s in new_series.items():
        old_s = old_series.get(key)
        if old_s is None or not (set(new_s.index) & months):
            continue
        yield key, old_s, new_s


def check(old: pd.DataFrame, new: pd.DataFrame, origin: dict) -> list[tuple[str, str]]:
    """The plausibility problems of ``new`` (a release) against ``old`` (the vintage it follows),
    one line each, the most telling first within each kind."""
    conf = settings_of(origin)
    whole = {o["series"] for o in origin.get("outputs", []) if o.get("whole")}
    new = _tidy(new)
    problems = _fractional(new, whole)
    if old.empty or new.empty:
        return problems
    old = _tidy(old)
    added, provisional = checked_months(old, new)
    old_series, new_series = series(old, origin), series(new, origin)
    carried = {key.indicator for key in new_series}
    problems += _incomplete({k: v for k, v in old_series.items() if k.indicator in carried
                             and not (conf["absent_geographies"] and not k.margin)}, new_series, added,
                            conf["min_level"])
    problems += _repeated(new, added)
    problems += _swapped(old_series, new_series, conf)
    problems += _provisional(old_series, new_series, provisional, conf)
    # Only new months are judged against history: a provisional month was judged when it was new,
    # and is held to the revision bound since (judging it again would hold a reviewed month anew).
    problems += _jumps_and_zeros(old_series, new_series, added, conf, whole)
    return problems


def _fractional(new: pd.DataFrame, whole: set) -> list[tuple[str, str]]:
    if not whole:
        return []
    frame = _tidy(new)
    rows = frame.loc[frame["indicator"].isin(whole) & frame["value"].notna(), ["indicator", "geo", "period", "value"]]
    bad = rows[(rows["value"] - rows["value"].round()).abs() > 1e-6]
    if bad.empty:
        return []
    first = bad.iloc[0]
    return [("fractional", f"{len(bad)} value(s) of whole counts have fractions, e.g. {first['indicator']} "
                           f"{first['geo']} {first['period']}: {first['value']:g}")]


def _incomplete(old_series: dict, new_series: dict, added: set, min_level: float) -> list[tuple[str, str]]:
    if not added:
        return []
    missing = []
    last = max((s.index.max() for s in old_series.values() if len(s)), default=None)
    if last is None:
        return []
    window = set(pd.period_range(last - COMPLETE_MONTHS + 1, last, freq="M"))
    for key, old_s in old_series.items():
        recent = old_s.dropna()
        recent = recent[recent.index.isin(window)]
        # Present in each of the previous release's last 12 months (a series that stopped
        # earlier is not expected), and large enough to be always present.
        if len(recent) < COMPLETE_MONTHS or float(recent.median()) < min_level:
            continue
        new_s = new_series.get(key, pd.Series(dtype=float)).dropna()
        gone = sorted(m for m in added if m not in new_s.index)
        if gone:
            missing.append((key, gone[0]))
    if not missing:
        return []
    where = "; ".join(f"{key} {month}" for key, month in missing[:3])
    more = f" (+{len(missing) - 3} more)" if len(missing) > 3 else ""
    return [("incomplete", f"{len(missing)} series present in each of the last {COMPLETE_MONTHS} months are "
                           f"missing from the new month(s): {where}{more}")]


def _repeated(new: pd.DataFrame, added: set) -> list[tuple[str, str]]:
    frame = _tidy(new)
    dims = dimension_columns(frame)
    problems = []
    for month in sorted(added):
        for indicator, part in frame.groupby("indicator"):
            this = part[part["period"] == month]
            before = part[part["period"] == month - 1]
            if len(this) < MIN_REPEATED or len(this) != len(before):
                continue
            key = ["geo", *dims]
            a = this.set_index(key)["value"].sort_index()
            b = before.set_index(key)["value"].sort_index()
            if a.index.equals(b.index) and np.allclose(a.to_numpy(), b.to_numpy(), equal_nan=True) \
                    and np.nansum(np.abs(a.to_numpy())) > 0:
                problems.append(("repeated", f"{indicator} {month}: every one of its {len(a)} cells equals "
                                             f"{month - 1}'s: a copied month?"))
    return problems


def _swapped(old_series: dict, new_series: dict, conf: dict) -> list[tuple[str, str]]:
    """Two geographies' totals that traded places in a month both releases cover."""
    by_margin: dict[tuple[str, str], dict[str, tuple[pd.Series, pd.Series]]] = {}
    for key, old_s, new_s in _checked_series(old_series, new_series, set().union(
            *(set(s.index) for s in new_series.values()))):
        by_margin.setdefault((key.indicator, key.margin), {})[key.geo] = (old_s, new_s)
    problems = []
    for (indicator, margin), geos in by_margin.items():
        frame_old = pd.DataFrame({g: o for g, (o, _) in geos.items()})
        frame_new = pd.DataFrame({g: n for g, (_, n) in geos.items()}).reindex(frame_old.index)
        for month in frame_old.index:
            old_row, new_row = frame_old.loc[month], frame_new.loc[month]
            moved = [g for g in old_row.index if np.isfinite(old_row[g]) and np.isfinite(new_row[g])
                     and not np.isclose(old_row[g], new_row[g], rtol=0.01)]
            if len(moved) < 2 or len(moved) > 20:
                continue
            for i, a in enumerate(moved):
                for b in moved[i + 1:]:
                    low, high = sorted((abs(old_row[a]), abs(old_row[b])))
                    if high < conf["swap_factor"] * max(low, 1.0) or low < conf["min_level"]:
                        continue  # too alike, or too small (small counts trade values by chance)
                    if np.isclose(new_row[a], old_row[b], rtol=0.01) and np.isclose(new_row[b], old_row[a], rtol=0.01):
                        where = f" {margin}" if margin else ""
                        problems.append(("swapped", f"{indicator}{where} {month}: {a} and {b} traded values "
                                                    f"({old_row[a]:g} and {old_row[b]:g}): swapped codes?"))
    if not problems:
        return []
    more = f" (+{len(problems) - 1} more swapped pair(s))" if len(problems) > 1 else ""
    return [("swapped", problems[0][1] + more)]


def _provisional(old_series: dict, new_series: dict, provisional: set, conf: dict) -> list[tuple[str, str]]:
    """Provisional months revised beyond the declared bound (geography totals only: a breakdown's
    small cells move more, and its share of a total is judged by the jump check)."""
    bound = float(conf["provisional_revision"])
    worst = []
    for key, old_s, new_s in _checked_series(old_series, new_series, provisional):
        if key.margin and "=" in key.margin:
            continue
        for month in sorted(provisional & set(new_s.index) & set(old_s.index)):
            before, after = old_s[month], new_s[month]
            if not (np.isfinite(before) and np.isfinite(after)):
                continue
            c = conf["offset"]
            moved = abs(np.log((max(after, 0) + c) / (max(before, 0) + c)))
            if moved > np.log1p(bound):
                worst.append((moved, key, month, before, after))
    if not worst:
        return []
    worst.sort(key=lambda item: -item[0])
    _, key, month, before, after = worst[0]
    more = f" (+{len(worst) - 1} more)" if len(worst) > 1 else ""
    return [("provisional", f"{len(worst)} provisional month(s) revised by more than {bound:.0%}: {key} {month} "
                            f"{before:g} → {after:g}{more}")]


def scores(old_series: dict, new_series: dict, months: set, conf: dict, whole: set) -> Iterator[tuple]:
    """Every judged (series, month): ("zero", key, month, level) for a zero where the series never
    was, else ("jump", key, month, value, mean of the 3 months before, factor, robust z)."""
    for key, old_s, new_s in _checked_series(old_series, new_series, months):
        first = min(months & set(new_s.index))
        history = old_s[old_s.index < first].dropna()
        if len(history) < HISTORY_MIN + REFERENCE:
            continue
        merged = pd.concat([history, new_s[new_s.index >= first]]).sort_index()
        level = float(history.iloc[-12:].median())
        if level < conf["min_level"]:
            continue
        for month in sorted(months & set(new_s.index)):
            value = new_s[month]
            if not np.isfinite(value):
                continue
            if value == 0 and (history != 0).all():
                yield "zero", key, month, level
                continue
            before = merged[(merged.index < month) & (merged.index >= month - REFERENCE)]
            if len(before) < REFERENCE:
                continue
            z, factor, record = jump_z(history, value, before, conf["offset"], key.indicator in whole)
            yield "jump", key, month, value, float(np.mean(before)), factor, z, record


def implausible(z: float, factor: float, record: float, conf: dict) -> bool:
    """Out of line: a change of at least the declared factor that is either beyond ``mad`` robust
    s.d. of the series' own changes, or beyond ``record`` times the largest change in its history
    and ``record_mad`` robust s.d."""
    if max(factor, 1 / factor) < conf["factor"]:
        return False
    return abs(z) > conf["mad"] or (record > conf["record"] and abs(z) > conf["record_mad"])


def _jumps_and_zeros(old_series: dict, new_series: dict, months: set, conf: dict,
                     whole: set) -> list[tuple[str, str]]:
    jumps, zeros = [], []
    reviewed = set(conf["reviewed"])
    for kind, *item in scores(old_series, new_series, months, conf, whole):
        if f"{item[0]} {item[1]}" in reviewed:
            continue
        if kind == "zero":
            zeros.append(item)
            continue
        key, month, value, mean, factor, z, record = item
        if implausible(z, factor, record, conf):
            jumps.append((abs(z), key, month, value, mean, factor, z))
    problems = []
    if zeros:
        key, month, median = zeros[0]
        more = f" (+{len(zeros) - 1} more)" if len(zeros) > 1 else ""
        problems.append(("zero", f"{len(zeros)} series read 0 where they never were: {key} {month} "
                                 f"(usually {median:g}){more}"))
    if jumps:
        jumps.sort(key=lambda item: -item[0])
        _, key, month, value, mean, factor, z = jumps[0]
        more = f" (+{len(jumps) - 1} more)" if len(jumps) > 1 else ""
        problems.append(("implausible", f"{len(jumps)} new month(s) out of line with their own "
                                        f"history: {key} {month} {value:g} against {mean:g} the 3 months before "
                                        f"(×{factor:.2f}, {z:+.1f} robust s.d.; limit {conf['mad']:g}){more}"))
    return problems
