"""A chart view as the explorer shows it: series, timeline events and optional verification.

The explorer callback and the static export both build their figure here, so an exported image
is exactly the view on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import queries
from dashboard.figures import add_assessment, series_figure, wrap
from dashboard.i18n import pick, t
from etl.geography import geo_name
from indicators.explain import headline
from indicators.registry import Indicator, get_indicator
from indicators.scorecard import NotAssessable
from indicators.series import NotAvailable
from indicators.verification import Assessment


@dataclass
class ChartView:
    spec: Indicator
    geo: str
    frame: pd.DataFrame
    events: list[dict]
    figure: go.Figure
    assessment: Assessment | None = None
    headline: str | None = None  # the tested event's answer in words
    assessment_error: str | None = None


def linked(event: dict, indicator: str) -> bool:
    return any(link.get("indicator") == indicator for link in event.get("indicators") or [])


def filter_events(events: list[dict], event_types: list[str], unconfirmed: bool,
                  start: dt.date | None, end: dt.date | None, linked_to: str | None = None,
                  keep: str | None = None) -> list[dict]:
    """The events to draw: of the chosen types and dates; with ``linked_to``, only those linked
    to that indicator in the timeline (all of them when none is); ``keep`` (the tested event)
    always."""
    if linked_to and any(linked(e, linked_to) for e in events):
        events = [e for e in events if linked(e, linked_to) or e["id"] == keep]
    chosen = []
    for event in events:
        day = dt.date.fromisoformat(event["date"])
        if event["type"] not in event_types and not set(event.get("also", [])) & set(event_types):
            continue
        if event.get("status") == "announced_not_confirmed" and not unconfirmed:
            continue
        if (start and day < start) or (end and day > end):
            continue
        chosen.append(event)
    return chosen


def chart_view(indicator: str, geo: str | None, start: dt.date | None, end: dt.date | None,
               as_of: dt.date | None, event_types: list[str], unconfirmed: bool, event: str | None,
               method: str, lang: str, all_events: bool = False) -> ChartView:
    spec = get_indicator(indicator)
    geos = queries.geos_for(indicator)
    if geo not in geos:
        geo = spec.default_geo if spec.default_geo in geos else (geos[0] if geos else spec.default_geo)
    _, frame = queries.series_view(queries.SeriesQuery(spec.id, geo, start, end, as_of))
    if frame.empty and spec.semantics == "annual" and start is not None:
        # Yearly figures come late (ATF: about ten months after the year): rather than an empty
        # chart for a recent range, show every figure published; the events still mark the range.
        _, frame = queries.series_view(queries.SeriesQuery(spec.id, geo, None, end, as_of))
    # Events after the last published month stay on the chart: they show the data lag.
    shown_events = filter_events(queries.events(), event_types, unconfirmed, start, end,
                                 linked_to=None if all_events else spec.id, keep=event)
    view = ChartView(spec, geo, frame, events=shown_events, figure=series_figure(spec, frame, shown_events, lang=lang,
                                                     geo_label=geo_name(geo, lang, spec.source_id)))
    if as_of is not None:  # a historical view says so on the chart (and on every export of it)
        view.figure.update_layout(title={"text": f"{view.figure.layout.title.text}<br>"
                                                 f"<sup>{t('as_known_on', lang, day=as_of.isoformat())}</sup>"})
        if frame.empty:
            view.figure.add_annotation(text=t("no_data_as_of", lang, day=as_of.isoformat()), showarrow=False,
                                       xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16})
    if event:
        try:
            view.assessment = queries.assessment(spec.id, event, geo=geo, method=method or "auto", as_of=as_of)
        except (NotAssessable, NotAvailable, queries.BadQuery) as exc:
            view.assessment_error = str(exc)
        else:
            add_assessment(view.figure, view.assessment, lang)
            tested = queries.event_by_id(event)
            answer = headline(view.assessment, pick(tested["title"], lang), str(tested["date"]), lang)
            view.headline = answer
            view.figure.update_layout(
                title={"text": f"{view.figure.layout.title.text}<br><sup>{wrap(answer, 110)}</sup>"},
                margin={"t": 130})
    return view
