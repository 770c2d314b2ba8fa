"""Commitments × indicators: the verification of every linked pair, from the store.

Rows are the timeline's commitments (events that are, or carry, a commitment) linked to at least
one indicator; commitments in the same month are one row (their effects cannot be told apart).
Columns are the indicators they link. Each cell is an :class:`Assessment` made with the data as
known on ``as_of``, in codes and numbers (the page and the API word them). The grid is many tests
at once: each tested cell carries a Benjamini–Hochberg q-value, and the grid says how many cells
would look significant by chance.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from etl.store import in_force, list_vintages, withdrawal_history
from indicators import context
from indicators.assessment import Assessment
from indicators.regimes import markers_for
from indicators.registry import Indicator, donor_specs, get_indicator
from indicators.series import NotAvailable, read_series
from indicators.verification import JOINT_DAYS, as_date, assess, named_events


class NotAssessable(ValueError):
    """The indicator cannot be verified as one series (e.g. a breakdown by drug type)."""


_date = as_date


def _month(event: dict) -> pd.Period:
    return pd.Period(_date(event["date"]), "M")


def links(event: dict) -> dict[str, str]:
    """Indicator id → expected direction, for the event's links that name a direction."""
    return {
        link["indicator"]: link["expected_direction"]
        for link in event.get("indicators", [])
        if link["expected_direction"] != "none"
    }


def is_commitment(event: dict) -> bool:
    kinds = {event["type"], *event.get("also", [])}
    carries = any(item.get("kind") == "commitment" for item in event.get("commitments", []))
    return ("commitment" in kinds or carries) and bool(links(event))


def _happened(event: dict) -> bool:
    return event.get("status", "happened") == "happened"


def previous_linked_event(events: list[dict], event: dict, indicator_id: str) -> dt.date | None:
    """The latest event before this one's month that happened and links the same indicator."""
    earlier = [
        _date(other["date"]) for other in events
        if other["id"] != event["id"] and _happened(other) and indicator_id in links(other)
        and _month(other) < _month(event)
    ]
    return max(earlier) if earlier else None


def later_linked_events(events: list[dict], event: dict, indicator_id: str) -> list[tuple[dt.date, str, dict]]:
    """Events after this one's month that link the same indicator (named if inside the window)."""
    return [
        (_date(other["date"]), other["id"], other["title"]) for other in events
        if _happened(other) and indicator_id in links(other) and _month(other) > _month(event)
    ]


def nearby_linked_events(events: list[dict], event: dict, indicator_id: str) -> list[tuple[dt.date, str, dict]]:
    """Other events that happened, link the same indicator and lie within JOINT_DAYS of this one:
    the result covers them too."""
    day = _date(event["date"])
    return [
        (_date(other["date"]), other["id"], other["title"]) for other in events
        if other["id"] != event["id"] and _happened(other) and indicator_id in links(other)
        and abs((_date(other["date"]) - day).days) <= JOINT_DAYS
    ]


def revision_pattern(engine: Engine, spec: Indicator, geo: str | None, latest: pd.Series,
                     as_of: dt.date | None) -> dict[int, float]:
    """How much this source revised its recent months, from the stored vintages: for each earlier
    release, the months at its end (0 = its newest month) compared with the values read now; the
    median relative revision by months from the end. Empty when fewer than two releases exist."""
    history = withdrawal_history(engine)
    vintages = [v for v in list_vintages(engine, spec.source_id) if in_force(v, history, as_of)]
    published = sorted({v.published_on for v in vintages})
    by_age: dict[int, list[float]] = {}
    for day in published[:-1]:
        earlier, _ = assessed_values(read_series(engine, spec, geo, as_of=day), spec)
        earlier = earlier.dropna()
        if earlier.empty:
            continue
        earlier.index = pd.DatetimeIndex(earlier.index).to_period("M")
        newest = earlier.index.max()
        for period, value in earlier.loc[newest - 11:].items():
            now = latest.get(period)
            if value > 0 and now is not None and np.isfinite(now):
                by_age.setdefault((newest - period).n, []).append(float(now) / float(value) - 1)
    return {age: float(np.median(values)) for age, values in sorted(by_age.items())}


def same_month_events(events: list[dict], event: dict, indicator_id: str) -> list[str]:
    return sorted(
        other["id"] for other in events
        if other["id"] != event["id"] and indicator_id in links(other) and _month(other) == _month(event)
    )


def measurement_changes(events: list[dict], indicator_id: str) -> list[dt.date]:
    return [
        _date(e["date"]) for e in events
        if e["type"] == "measurement_change" and any(link["indicator"] == indicator_id for link in e["indicators"])
    ]


def _closed_through(spec: Indicator) -> dt.date | None:
    """The last month of a series its publisher closed (origin file ``closed``), else None."""
    from etl.common import load_origin

    through = load_origin(spec.source_id).get("closed", {}).get("through")
    return dt.date(int(through[:4]), int(through[5:7]), 1) if through else None


def changes_inside(changes: list[dt.date], series: pd.Series) -> list[dt.date]:
    """The measurement changes after a series' first month with a value: one at or before it splits
    nothing (a series that begins with the change, such as SESNSP's RNID register from January 2026)."""
    observed = series.dropna()
    if observed.empty:
        return list(changes)
    first = pd.Period(observed.index.min(), "M")
    return [day for day in changes if pd.Period(day, "M") > first]


def assessed_values(frame: pd.DataFrame, spec: Indicator) -> tuple[pd.Series, bool]:
    """The values a verification reads. Where CDC publishes a predicted count (adjusted for
    deaths still under investigation), it is used: the reported counts of recent months are
    incomplete and rise with later releases, so they would read as a fall (bias towards
    "improved"). Returns the series and whether any predicted value was used."""
    values = frame.set_index("period")["value"].astype(float)
    if not spec.has_predicted or "value_predicted" not in frame:
        return values, False
    predicted = pd.to_numeric(frame.set_index("period")["value_predicted"], errors="coerce")
    used = bool(predicted.notna().any())
    return predicted.fillna(values) if used else values, used


def verify(engine: Engine, indicator: str | Indicator, event: dict, *, events: list[dict],
           geo: str | None = None, method: str = "auto", as_of: dt.date | None = None,
           direction: str | None = None, patterns: dict | None = None) -> Assessment:
    """One assessment; ``direction`` overrides the event's link (the scorecard passes the
    direction of all same-month commitments, "ambiguous" when they disagree)."""
    spec = indicator if isinstance(indicator, Indicator) else get_indicator(indicator)
    if spec.breakdown:
        raise NotAssessable(f"{spec.id} is broken down by {spec.breakdown}; verify one series instead")
    frame = read_series(engine, spec, geo, as_of=as_of)
    newest_year = None
    if spec.semantics == "annual":  # single-year figures only: a window is not a year
        newest_year = int(frame["end_year"].astype(int).max()) if len(frame) else None
        frame = frame[frame["end_year"].astype(int) == frame["period"].dt.year]
    series, predicted = assessed_values(frame, spec)
    provisional = pd.DatetimeIndex(frame.loc[frame["flags"].str.contains("provisional|underreported", na=False),
                                             "period"])
    direction = direction or links(event).get(spec.id, spec.better)
    latest = series.copy()
    latest.index = pd.DatetimeIndex(latest.index).to_period("M")
    pattern = {}
    if len(provisional):  # one reading of the stored vintages per indicator and geography in a grid
        key = (spec.id, geo, as_of)
        if patterns is not None and key in patterns:
            pattern = patterns[key]
        else:
            pattern = revision_pattern(engine, spec, geo, latest, as_of)
            if patterns is not None:
                patterns[key] = pattern
    donors, donor_labels = {}, {}
    for donor, donor_spec in donor_specs(spec):
        try:
            donor_values, _ = assessed_values(read_series(engine, donor_spec, geo, as_of=as_of), donor_spec)
        except NotAvailable:
            continue
        donors[donor["id"]], donor_labels[donor["id"]] = donor_values, donor["label"]
    result = assess(
        series, _date(event["date"]), method=method, as_of=as_of, donors=donors or None,
        donor_labels=donor_labels,
        better=direction if direction in ("up", "down") else "ambiguous",
        semantics=spec.semantics, unit=spec.unit, scale=spec.model_scale, provisional=provisional,
        revision_pattern=pattern or None, regime_markers=markers_for(spec.id),
        measurement_changes=changes_inside(measurement_changes(events, spec.id), series),
        previous_event=previous_linked_event(events, event, spec.id),
        later_events=later_linked_events(events, event, spec.id),
        nearby_events=nearby_linked_events(events, event, spec.id),
        publication_lag_months=spec.publication_lag_months,
    )
    extra = []
    if newest_year is not None:  # the newest figure, multi-year windows included, ends with this year
        result.data_through = dt.date(newest_year, 12, 1)
        if newest_year < _date(event["date"]).year:
            result.verdict = "no_data_after_event"
        elif result.verdict == "no_data_after_event":
            result.verdict = "descriptive_only"
        extra.append({"code": "annual_through", "year": newest_year})
    if predicted:
        extra.append({"code": "predicted"})
    sharing = same_month_events(events, event, spec.id)
    if sharing:
        by_id = {e["id"]: e for e in events}
        named = [(_date(e["date"]), e["title"]) for e in [event, *(by_id[i] for i in sharing)]]
        extra.append({"code": "same_month", **named_events(named)})
    closed = _closed_through(spec)
    if closed and result.verdict == "not_yet_verifiable" and result.checkable_from \
            and _date(result.checkable_from) > closed:
        # The series closed before the months this test needs: they will never be published in it.
        # Waiting ("overdue") would never end: the test cannot be made on this series.
        breaks = [d for d in measurement_changes(events, spec.id) if _date(event["date"]) <= d <= closed
                  + dt.timedelta(days=31)]
        result.verdict, result.reasons = "confounded", ["measurement_change" if breaks else "series_closed"]
        result.checkable_from = result.expected_publication = None
        result.note_codes = [n for n in result.note_codes if n["code"] not in ("lag", "lag_overdue")]
        extra.append({"code": "series_closed", "through": f"{closed:%Y-%m}"})
    if spec.context:  # the displacement check: the context series over the months the verdict reads
        found = context.note(engine, spec, geo, result.pre_start or _date(event["date"]),
                             result.post_end or result.data_through, as_of)
        if found:
            extra.append(found)
    if extra:
        result.note_codes = [*result.note_codes, *extra]
    return result


def commitment_groups(events: list[dict], as_of: dt.date | None) -> list[list[dict]]:
    """Commitment rows, earliest first: commitments in the same month or within JOINT_DAYS of the
    previous one merged (their effects cannot be told apart)."""
    commitments = sorted(
        (e for e in events if is_commitment(e) and (as_of is None or _date(e["date"]) <= as_of)),
        key=lambda e: (_date(e["date"]), e["id"]),
    )
    groups: list[list[dict]] = []
    for event in commitments:
        last = groups[-1][-1] if groups else None
        if last is not None and (_month(last) == _month(event)
                                 or (_date(event["date"]) - _date(last["date"])).days <= JOINT_DAYS):
            groups[-1].append(event)
        else:
            groups.append([event])
    return groups


def _direction(group: list[dict], indicator_id: str) -> str:
    directions = {links(e)[indicator_id] for e in group if indicator_id in links(e)}
    return directions.pop() if len(directions) == 1 else "ambiguous"


def scorecard(engine: Engine, events: list[dict], *, as_of: dt.date | None = None, alpha: float = 0.05) -> dict:
    groups = commitment_groups(events, as_of)
    columns: list[str] = []
    for group in groups:
        for event in group:
            for indicator_id in links(event):
                if indicator_id not in columns:
                    columns.append(indicator_id)
    columns.sort(key=lambda i: (get_indicator(i).status != "available", i))
    grid = []
    patterns: dict = {}
    for group in groups:
        lead = group[0]
        linked = sorted({i for e in group for i in links(e)}, key=columns.index)
        cells = {}
        for indicator_id in linked:
            direction = _direction(group, indicator_id)
            spec = get_indicator(indicator_id)
            # The assessment is made for the event of the group that links this indicator.
            event = next(e for e in group if indicator_id in links(e))
            if spec.status != "available":
                cells[indicator_id] = {"verdict": "no_data", "expected_direction": direction}
                continue
            try:
                result = verify(engine, spec, event, events=events, as_of=as_of, direction=direction,
                                patterns=patterns)
            except NotAvailable:
                cells[indicator_id] = {"verdict": "no_data", "expected_direction": direction}
                continue
            cell = result.to_json()
            cell.pop("counterfactual")
            cell.update(expected_direction=direction, geo=spec.default_geo, event=event["id"])
            cells[indicator_id] = cell
        row_event = {k: lead[k] for k in ("id", "date", "type", "title", "confidence", "status")}
        row_event["merged"] = [{k: e[k] for k in ("id", "date", "title")} for e in group[1:]]
        grid.append({"event": row_event, "cells": cells})
    tested = _adjust(grid, alpha)
    return {
        "as_of": as_of.isoformat() if as_of else None, "columns": columns, "rows": grid, "alpha": alpha,
        "tests": tested, "expected_by_chance": round(alpha * tested, 2),
    }


def _adjust(grid: list[dict], alpha: float) -> int:
    """Benjamini–Hochberg q-values over every cell with a model p-value; returns how many."""
    tested = [cell for row in grid for cell in row["cells"].values() if cell.get("p_value") is not None
              and cell.get("method") in ("structural", "its")]
    if tested:
        from statsmodels.stats.multitest import multipletests  # loaded when first needed

        _, q_values, _, _ = multipletests([c["p_value"] for c in tested], alpha=alpha, method="fdr_bh")
        for cell, q in zip(tested, q_values, strict=True):
            cell["q_value"] = float(q)
    return len(tested)
