"""The release diff: a new vintage compared with the one it follows, before anything is published.

A file that parses is not a file that is right. Against the previous vintage of the same source
(the newest one published on or before this release's date), over the months both cover:

* **revised**: a cell of a completed month (not flagged ``provisional`` in the previous vintage)
  that moved by more than the source's tolerance (``revision_tolerance`` in its origin file,
  justified there); provisional months are revised freely;
* **vanished**: cells of completed months that the previous vintage had and this one lacks, in a
  (series, geography, month) this release covers (a file cut mid-way, a fentanyl-only file: this
  release would serve those months, so the missing cells would read as 0);
* **blank**: values that turn empty where the previous vintage had numbers;
* **not in this release** (recorded, not refused): series the previous vintage had that this one
  lacks entirely; the store serves each (series, geography, month) from the newest vintage that
  has it, so the previous release keeps serving them;
* **magnitude**: a series whose values moved by a factor of ``MAGNITUDE`` or more (median ratio
  over the shared cells: swapped columns, units ×10, decimal commas read as points).

* **relabelled**: a series the previous vintage had is gone and a new one covers the same
  geographies and months (a renamed or mislabelled column: the numbers would be served under
  another name; acceptable after review).

Within the release: every geography must be one its output declares (``geographies``: national,
US states, Mexican states), and its last month must not be thin (fewer than half the rows of the thinnest
other month, per dimensioned series: a download cut mid-way; acceptable after review).
Whatever the previous vintage, months must lie within the source's span (``span_start`` in its
origin file) and not after the release date (rows flagged ``projection`` excepted), and the
release date not in the future. Rows flagged ``projection`` are revised freely, like provisional.

Revised and vanished cells can be accepted by an operator after review (``--accept-revisions``);
the rest cannot. Every problem is one line that says what and where; the run record keeps the
diff's summary.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl import plausibility
from etl.geography import MX_STATES, SPECIAL_GEOS, US_STATES
from etl.store import (
    GIVEN_DATE,
    OBSERVATION_COLUMNS,
    VintageRecord,
    covered_through,
    dimension_columns,
    dimension_texts,
    previous_vintage,
    vintage_observations,
)

MAGNITUDE = 3.0
FUTURE_SLACK_DAYS = 1
DEFAULT_TOLERANCE = {"relative": 0.0, "absolute": 0.0}
ACCEPTABLE = {"revised", "vanished", "thin", "relabelled"}
# Out of line with the series' own history (etl.plausibility): published after review with --accept-anomalies.
ANOMALIES = {"incomplete", "implausible", "zero", "repeated", "swapped", "provisional"}
# The first refusal is said first.
SEVERITY = ("dates", "geography", "older", "fractional", "magnitude", "relabelled", "blank", "vanished", "thin",
            "swapped", "revised", "incomplete", "repeated", "zero", "implausible", "provisional")


@dataclass
class ReleaseDiff:
    previous: str | None = None  # file name of the vintage compared with
    compared_cells: int = 0
    not_in_release: list[str] = field(default_factory=list)  # series the previous release keeps serving
    counts: dict[str, int] = field(default_factory=dict)  # kind → cells (or series)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, one line)
    accepted: list[str] = field(default_factory=list)  # problems published after review
    # Every month both releases cover whose cells moved beyond the tolerance, or appeared or went,
    # by series: "YYYY-MM" → "provisional" (revised freely) or "completed" (published after review).
    # The change log names them (read from the run record).
    revised_months: dict[str, dict[str, str]] = field(default_factory=dict)

    def refusals(self, accept_revisions: bool = False, accept_anomalies: bool = False) -> list[str]:
        """The problems that refuse the release, the most telling first."""
        ordered = sorted(self.problems, key=lambda item: SEVERITY.index(item[0]))
        return [line for kind, line in ordered if not self._accepted(kind, accept_revisions, accept_anomalies)]

    @staticmethod
    def _accepted(kind: str, accept_revisions: bool, accept_anomalies: bool) -> bool:
        return (accept_revisions and kind in ACCEPTABLE) or (accept_anomalies and kind in ANOMALIES)

    def accept(self, accept_revisions: bool, accept_anomalies: bool) -> None:
        """Record which problems an operator published after review (kept in the run record)."""
        self.accepted = [line for kind, line in self.problems
                         if self._accepted(kind, accept_revisions, accept_anomalies)]

    def hint(self) -> str:
        """How an operator publishes it after review, when every problem can be accepted."""
        kinds = {kind for kind, _ in self.problems}
        flags = [flag for flag, allowed in (("--accept-revisions", ACCEPTABLE), ("--accept-anomalies", ANOMALIES))
                 if kinds & allowed]
        if not kinds or not kinds <= ACCEPTABLE | ANOMALIES:
            return ""
        return f"; after review, {' '.join(flags)} publishes it"

    def summary(self) -> dict:
        return {"previous": self.previous, "compared_cells": self.compared_cells, "counts": self.counts,
                "not_in_release": self.not_in_release, "problems": [line for _, line in self.problems],
                "accepted": self.accepted, "revised_months": self.revised_months}

    def to_json(self) -> str:
        return json.dumps(self.summary(), ensure_ascii=False)


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: (indicator, geo, month, dimensions as canonical text) → value, flags."""
    dims = dimension_columns(frame)
    frame = frame.copy()
    frame["period"] = pd.to_datetime(frame["period"]).dt.to_period("M")
    frame["dims"] = dimension_texts(frame, dims)[1]
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["flags"] = frame["flags"].fillna("").astype(str)
    return frame[["indicator", "geo", "period", "dims", "value", "flags"]].drop_duplicates(
        subset=["indicator", "geo", "period", "dims"], keep="last").set_index(["indicator", "geo", "period", "dims"])


def _where(keys: pd.Index, limit: int = 3) -> str:
    samples = [f"{i} {g} {p}" + ("" if d == "{}" else f" {d}") for i, g, p, d in list(keys)[:limit]]
    more = len(keys) - len(samples)
    return "; ".join(samples) + (f" (+{more} more)" if more > 0 else "")


def _relabelled(old: pd.DataFrame, new: pd.DataFrame, gone: list[str]) -> list[tuple[str, str]]:
    """A new series over (nearly) the same geographies and months as one that is gone."""
    def cells(frame: pd.DataFrame, indicator: str) -> set:
        part = frame[frame.index.get_level_values("indicator") == indicator].index
        return set(zip(part.get_level_values("geo"), part.get_level_values("period"), strict=True))

    old_series = set(old.index.get_level_values("indicator"))
    problems = []
    for appeared in sorted(set(new.index.get_level_values("indicator")) - old_series):
        new_cells = cells(new, appeared)
        for lost in gone:
            shared = len(new_cells & cells(old, lost))
            if new_cells and shared >= 0.9 * len(new_cells):
                problems.append(("relabelled", f"{appeared} is new and {lost} is gone over the same {shared} "
                                               "geography-months: a renamed or mislabelled column?"))
    return problems


def _revised_months(old: pd.DataFrame, new: pd.DataFrame, shared: pd.Index, moved: np.ndarray,
                    completed: pd.Series) -> dict[str, dict[str, str]]:
    """Months both releases cover where a cell moved beyond the tolerance, turned blank or filled,
    or appeared or went (series both releases have), by series: month → "completed" when a cell of
    it was completed in the earlier release, else "provisional"."""
    before, after = old.loc[shared, "value"].isna().to_numpy(), new.loc[shared, "value"].isna().to_numpy()
    series = (set(old.index.get_level_values("indicator").unique())
              & set(new.index.get_level_values("indicator").unique()))
    changed = [(shared[moved | (before != after)], completed.loc[shared].to_numpy()[moved | (before != after)])]
    gone = old.index[~old.index.isin(new.index) & old.index.get_level_values("indicator").isin(series)]
    changed.append((gone, completed.loc[gone].to_numpy()))
    added = new.index[~new.index.isin(old.index) & new.index.get_level_values("indicator").isin(series)]
    changed.append((added, np.zeros(len(added), dtype=bool)))
    out: dict[str, dict[str, str]] = {}
    for keys, done in changed:
        for (indicator, _geo, period, _dims), was_completed in zip(keys, done, strict=True):
            months = out.setdefault(indicator, {})
            if was_completed:
                months[str(period)] = "completed"
            else:
                months.setdefault(str(period), "provisional")
    return {indicator: dict(sorted(months.items())) for indicator, months in sorted(out.items())}


THIN = 0.5  # the last month with fewer rows than half the thinnest other month: a cut download


def check_last_month(record: VintageRecord, origin: dict) -> list[tuple[str, str]]:
    """A download cut mid-way leaves its last month thin. In the stored releases the newest month
    of a dimensioned series has 0.8-1.1 times the rows of the thinnest other month (AMO, the
    sparsest: 14 against 17), so fewer than half of it is refused (acceptable after review)."""
    dimensioned = {o["series"] for o in origin.get("outputs", []) if o["aggregation"] in ("sum", "levels")}
    frame = record.observations[record.observations["indicator"].isin(dimensioned)]
    counts = frame.assign(month=pd.to_datetime(frame["period"]).dt.to_period("M")).groupby(
        ["indicator", "month"]).size()
    problems = []
    for indicator, per_month in counts.groupby(level="indicator"):
        per_month = per_month.droplevel("indicator").sort_index()
        if len(per_month) < 6:
            continue
        thinnest = int(per_month.iloc[:-1].min())
        if per_month.iloc[-1] < THIN * thinnest:
            problems.append(("thin", f"{indicator}: the last month {per_month.index[-1]} has {per_month.iloc[-1]} "
                                     f"row(s), the thinnest other month {thinnest}: a download cut mid-way?"))
    return problems


GEOGRAPHIES = {
    "national": {"US", "MX"},
    "us_states": set(US_STATES) | (set(SPECIAL_GEOS) - {"MX"}),
    "mx_states": set(MX_STATES) | {"MX"},
}


def check_geographies(record: VintageRecord, origin: dict) -> list[tuple[str, str]]:
    """Every row's geography is one its series declares (an unknown state code would be served
    as a new geography nobody asked for, or hide a shifted column)."""
    problems = []
    frame = record.observations
    for output in origin.get("outputs", []):
        allowed = GEOGRAPHIES.get(output.get("geographies"))
        if allowed is None:
            continue
        geos = set(frame.loc[frame["indicator"] == output["series"], "geo"].astype(str))
        unknown = sorted(geos - allowed)
        if unknown:
            problems.append(("geography", f"{output['series']}: geography code(s) not among its "
                                          f"{output['geographies']}: {', '.join(unknown[:5])}"))
    return problems


def check_dates(record: VintageRecord, origin: dict, today: dt.date | None = None) -> list[tuple[str, str]]:
    problems = []
    today = today or dt.date.today()
    if record.published_on > today + dt.timedelta(days=FUTURE_SLACK_DAYS):
        problems.append(("dates", f"release date {record.published_on} is in the future"))
    periods = pd.to_datetime(record.observations["period"]).dt.to_period("M")
    release_month = pd.Period(record.published_on, "M")
    projected = record.observations["flags"].fillna("").astype(str).str.contains("projection").to_numpy()
    late = periods[(periods > release_month).to_numpy() & ~projected]
    if len(late):
        problems.append(("dates", f"months after the release date {record.published_on}: {late.min()}..{late.max()}"))
    elif record.published_on_basis == GIVEN_DATE and (periods[~projected] == release_month).any():
        problems.append(("dates", f"the release date {record.published_on} is inside its last data month "
                                  f"{release_month}: a month's figures are published after it ends"))
    span_start = origin.get("span_start")
    if span_start:
        early = periods[periods < pd.Period(span_start, "M")]
        if len(early):
            problems.append(("dates", f"months before the source's span (from {span_start}): "
                                      f"{early.min()}..{early.max()}"))
    return problems


def diff_release(engine: Engine, record: VintageRecord, origin: dict, today: dt.date | None = None) -> ReleaseDiff:
    """The new release against the vintage it follows (see the module docstring)."""
    diff = ReleaseDiff(problems=check_dates(record, origin, today) + check_geographies(record, origin)
                       + check_last_month(record, origin))
    with Session(engine) as session:
        newest = previous_vintage(session, record.source_id, dt.date.max)
        last_month = covered_through(record.observations)
        if (newest is not None and newest.published_on > record.published_on and not record.earlier_state
                and record.published_on_basis.startswith("estimated") and newest.period_end
                and last_month < newest.period_end):
            diff.problems.append(("older", f"this release ends {last_month:%Y-%m}, before the newest one loaded "
                                           f"({newest.file_name}, to {newest.period_end:%Y-%m}): an older or truncated "
                                           "file; give --published-on if it is an older release"))
        previous = previous_vintage(session, record.source_id, record.published_on)
        if previous is None:
            diff.problems.extend(plausibility.check(record.observations.iloc[:0], record.observations, origin))
            return diff
        diff.previous = previous.file_name
        previous_id = previous.id
    stored = vintage_observations(engine, [previous_id]).drop(columns="vintage_id")
    diff.problems.extend(plausibility.check(stored, record.observations, origin))
    old = _keyed(stored)
    new = _keyed(record.observations.reindex(columns=[*OBSERVATION_COLUMNS, *dimension_columns(record.observations)]))
    months = set(old.index.get_level_values("period").unique()) & set(new.index.get_level_values("period").unique())
    old = old[old.index.get_level_values("period").isin(months)]
    new_in = new[new.index.get_level_values("period").isin(months)]
    if old.empty:
        return diff
    completed = ~old["flags"].str.contains("provisional|projection")
    shared = old.index.intersection(new_in.index)
    diff.compared_cells = len(shared)

    gone = sorted(set(old.index.get_level_values("indicator").unique())
                  - set(new_in.index.get_level_values("indicator").unique()))
    if gone:
        diff.not_in_release = gone
        diff.problems.extend(_relabelled(old, new_in, gone))
    covered = pd.MultiIndex.from_frame(new_in.index.to_frame(index=False)[["indicator", "geo", "period"]]).unique()
    old_keys = pd.MultiIndex.from_frame(old.index.to_frame(index=False)[["indicator", "geo", "period"]])
    vanished = old.index[completed.to_numpy() & ~old.index.isin(new_in.index) & old_keys.isin(covered)]
    if len(vanished):
        diff.counts["vanished"] = len(vanished)
        diff.problems.append(("vanished", f"{len(vanished)} cell(s) of completed months are missing (would be "
                                          f"served as 0 or gaps): {_where(vanished)}"))
    before, after = old.loc[shared, "value"], new_in.loc[shared, "value"]
    blank = shared[before.notna().to_numpy() & after.isna().to_numpy()]
    if len(blank):
        diff.counts["blank"] = len(blank)
        diff.problems.append(("blank", f"{len(blank)} value(s) turn blank: {_where(blank)}"))
    both = before.notna().to_numpy() & after.notna().to_numpy()
    tolerance = {**DEFAULT_TOLERANCE, **origin.get("revision_tolerance", {})}
    change = (after - before).abs().to_numpy()
    allowed = np.maximum(tolerance["absolute"], tolerance["relative"] * before.abs().to_numpy())
    revised = shared[both & completed.loc[shared].to_numpy() & (change > allowed + 1e-9)]
    if len(revised):
        diff.counts["revised"] = len(revised)
        first = revised[0]
        limit = f"{tolerance['relative']:.1%} / {tolerance['absolute']:g}"
        diff.problems.append(("revised", f"{len(revised)} completed-month cell(s) revised beyond {limit}: "
                                         f"{_where(revised, 2)} (e.g. {old.loc[first, 'value']:g} → "
                                         f"{new_in.loc[first, 'value']:g})"))
    diff.revised_months = _revised_months(old, new_in, shared, both & (change > allowed + 1e-9), completed)
    for indicator in sorted(set(shared.get_level_values("indicator"))):
        mask = (shared.get_level_values("indicator") == indicator) & both
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = after.to_numpy()[mask] / before.to_numpy()[mask]
        ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
        if len(ratio) >= 3:
            median = float(np.median(ratio))
            if median >= MAGNITUDE or median <= 1 / MAGNITUDE:
                diff.counts["magnitude"] = diff.counts.get("magnitude", 0) + 1
                diff.problems.append(("magnitude", f"{indicator}: values moved by a factor of {median:.3g} "
                                                   f"(median over {len(ratio)} shared cells)"))
    return diff
