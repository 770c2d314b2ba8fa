"""Commitments × indicators: run the verification for every linked pair, from the store.

Rows are the timeline's commitments (events that are, or carry, a commitment) linked to at least
one indicator; columns are the indicators they link. Each cell is an :class:`Assessment` made
with the data as known on ``as_of``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.engine import Engine

from indicators import explain
from indicators.registry import Indicator, get_indicator
from indicators.series import NotAvailable, read_series
from indicators.verification import Assessment, assess


class NotAssessable(ValueError):
    """The indicator cannot be verified as one series (e.g. a breakdown by drug type)."""


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


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


def previous_linked_event(events: list[dict], event: dict, indicator_id: str) -> dt.date | None:
    """The latest event before this one's month that happened and links the same indicator."""
    month = pd.Period(_date(event["date"]), "M")
    earlier = [
        _date(other["date"]) for other in events
        if other["id"] != event["id"] and other.get("status", "happened") == "happened"
        and indicator_id in links(other) and pd.Period(_date(other["date"]), "M") < month
    ]
    return max(earlier) if earlier else None


def measurement_changes(events: list[dict], indicator_id: str) -> list[dt.date]:
    return [
        _date(e["date"]) for e in events
        if e["type"] == "measurement_change" and any(link["indicator"] == indicator_id for link in e["indicators"])
    ]


def verify(engine: Engine, indicator: str | Indicator, event: dict, *, events: list[dict],
           geo: str | None = None, method: str = "auto", as_of: dt.date | None = None) -> Assessment:
    spec = indicator if isinstance(indicator, Indicator) else get_indicator(indicator)
    if spec.breakdown:
        raise NotAssessable(f"{spec.id} is broken down by {spec.breakdown}; verify one series instead")
    frame = read_series(engine, spec, geo, as_of=as_of)
    series = frame.set_index("period")["value"]
    provisional = pd.DatetimeIndex(frame.loc[frame["flags"].str.contains("provisional|underreported", na=False),
                                             "period"])
    direction = links(event).get(spec.id, spec.better)
    result = assess(
        series, _date(event["date"]), method=method, as_of=as_of,
        better=direction if direction in ("up", "down") else "ambiguous",
        semantics=spec.semantics, provisional=provisional,
        measurement_changes=measurement_changes(events, spec.id),
        previous_event=previous_linked_event(events, event, spec.id),
        publication_lag_months=spec.publication_lag_months,
    )
    month = pd.Period(_date(event["date"]), "M")
    sharing = sorted(
        other["id"] for other in events
        if other["id"] != event["id"] and spec.id in links(other)
        and pd.Period(_date(other["date"]), "M") == month
    )
    if sharing:
        explain.add_note(result, "same_month", events=", ".join(sharing))
    return result


def scorecard(engine: Engine, events: list[dict], *, as_of: dt.date | None = None) -> dict:
    rows = [e for e in events if is_commitment(e) and (as_of is None or _date(e["date"]) <= as_of)]
    columns: list[str] = []
    for event in rows:
        for indicator_id in links(event):
            if indicator_id not in columns:
                columns.append(indicator_id)
    columns.sort(key=lambda i: (get_indicator(i).status != "available", i))
    grid = []
    for event in rows:
        cells = {}
        for indicator_id, direction in links(event).items():
            spec = get_indicator(indicator_id)
            if spec.status != "available":
                cells[indicator_id] = {"verdict": "no_data", "expected_direction": direction}
                continue
            try:
                result = verify(engine, spec, event, events=events, as_of=as_of)
            except NotAvailable:
                cells[indicator_id] = {"verdict": "no_data", "expected_direction": direction}
                continue
            cell = result.to_json()
            cell.pop("counterfactual")
            cell["expected_direction"] = direction
            cell["geo"] = spec.default_geo
            cells[indicator_id] = cell
        grid.append({"event": {k: event[k] for k in ("id", "date", "type", "title", "confidence", "status")},
                     "cells": cells})
    return {"as_of": as_of.isoformat() if as_of else None, "columns": columns, "rows": grid}
