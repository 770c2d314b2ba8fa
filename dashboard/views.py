"""A chart view as the explorer shows it: series, timeline events and optional verification.

The explorer callback and the static export both build their figure here, so an exported image
is exactly the view on screen.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace

import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_date

from dashboard import queries
from dashboard.figures import add_assessment, add_line, linked, relabel_events, series_figure, update_layout, wrap
from dashboard.i18n import pick, t
from dashboard.state import ExplorerState
from indicators import transforms
from indicators.assessment import Assessment
from indicators.catalogue import geo_name
from indicators.explain import date_locale, headline
from indicators.registry import Indicator, get_indicator
from indicators.scorecard import NotAssessable
from indicators.series import NotAvailable

POPULATION_SOURCE = "conapo_population"  # the denominator of per-100k views


@dataclass
class ChartView:
    spec: Indicator
    geo: str
    frame: pd.DataFrame
    events: list[dict]
    chart: dict  # the figure as plotly's JSON, built as plain dicts (what the explorer sends)
    assessment: Assessment | None = None
    headline: str | None = None  # the tested event's answer in words
    assessment_error: str | None = None
    shown: pd.DataFrame | None = None  # the frame as drawn (transformed)
    unit: str = ""
    extra: list = field(default_factory=list)  # (label, frame, right axis) of compared series
    table: pd.DataFrame | None = None
    sources: list[str] = field(default_factory=list)  # every source the view draws on, main first
    cited: list = field(default_factory=list)  # further frames whose vintages the view used (population)

    @functools.cached_property
    def figure(self) -> go.Figure:
        """The finished chart as a ``go.Figure`` (every property checked by plotly), made once on
        first use: for exports, which lay it out again, never for the page."""
        return go.Figure(self.chart)


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


def chart_view(state: ExplorerState) -> ChartView:
    """The view a state asks for: the series (transformed as asked), the comparisons, the events,
    the test of an event; the figure and the table come from the same frames."""
    spec = get_indicator(state.indicator)
    lang = state.lang
    geos = queries.geos_for(state.indicator)
    geo = state.geo
    if geo not in geos:
        geo = spec.default_geo if spec.default_geo in geos else (geos[0] if geos else spec.default_geo)
    assessment, assessment_error, requested_start = None, None, None
    if state.event:
        try:
            assessment = queries.assessment(spec.id, state.event, geo=geo, method=state.method, as_of=state.as_of)
        except (NotAssessable, NotAvailable, queries.BadQuery) as exc:
            assessment_error = str(exc)
        else:
            # The chart starts where the model's data start: its shaded pre-period is never
            # drawn over months without a line.
            fitted_from = pd.Timestamp(assessment.pre_start).date().replace(day=1) if assessment.pre_start else None
            if fitted_from and state.start and fitted_from < state.start and spec.semantics != "annual":
                requested_start = state.start  # the table and the downloads keep the range asked for
                state = replace(state, start=fitted_from)
    _, frame = queries.series_view(state.series_query(geo=geo))
    if frame.empty and spec.semantics == "annual" and state.start is not None:
        # Yearly figures come late (ATF: about ten months after the year): rather than an empty
        # chart for a recent range, show every figure published; the events still mark the range.
        _, frame = queries.series_view(replace(state.series_query(geo=geo), start=None))
    # Events after the last published month stay on the chart: they show the data lag.
    shown_events = filter_events(queries.events(), list(state.event_types), state.unconfirmed, state.start,
                                 state.end, linked_to=None if state.all_events else spec.id, keep=state.event)
    base_event = state.base or state.event
    shown, unit, base_month = transform_frame(spec, frame, state, geo, base_event, _reader(state, spec, geo))
    extra = _extra_series(spec, state, geo, base_event)
    view = ChartView(spec, geo, frame, events=shown_events, shown=shown, unit=unit, extra=extra,
                     chart=series_figure(spec, shown, shown_events, lang=lang,
                                         geo_label=geo_name(geo, lang, spec.source_id), unit=unit))
    view.sources = [spec.source_id] + ([get_indicator(state.vs).source_id] if state.vs else [])
    if state.transform == "per100k" and spec.semantics != "annual":
        view.cited = [queries.population(g, state.as_of) for g in {geo, state.compare} - {None}
                      if queries.has_population(g)]
        view.sources.append(POPULATION_SOURCE)
    view.sources = list(dict.fromkeys(view.sources))
    figure = view.chart
    for index, (label, rows, right) in enumerate(extra):
        add_line(figure, rows, label, index, right=right, lang=lang)
    if any(right for _, _, right in extra):
        vs = get_indicator(state.vs)
        vs_unit = extra[-1][1].attrs.get("unit", pick(vs.unit, lang))
        update_layout(figure, yaxis3={"title": {"text": f"{pick(vs.name, lang)} ({vs_unit})"}, "overlaying": "y",
                                      "side": "right", "rangemode": "tozero", "showgrid": False},
                      margin={"r": 80})
    if state.log and state.transform != "yoy":
        update_layout(figure, yaxis={"type": "log", "rangemode": None})
    if state.transform == "yoy":
        update_layout(figure, yaxis={"rangemode": None, "zeroline": True, "zerolinecolor": "#57606a"})
    if base_month is not None and state.transform == "index":
        figure["layout"]["shapes"].append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
                                           "y0": 100, "y1": 100, "line": {"color": "#57606a", "width": 1},
                                           "opacity": 0.6})
    subtitle = []
    if state.as_of is not None:  # a historical view says so on the chart (and on every export of it)
        subtitle.append(t("as_known_on", lang, day=state.as_of.isoformat()))
        if frame.empty:
            figure["layout"].setdefault("annotations", []).append({
                "text": t("no_data_as_of", lang, day=state.as_of.isoformat()), "showarrow": False,
                "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 16}})
    if state.transform != "level":
        subtitle.append(unit)
    view.assessment, view.assessment_error = assessment, assessment_error
    result_line = None
    if assessment is not None:
        # The test is on the published level: its counterfactual is drawn on that scale only.
        add_assessment(figure, assessment, lang, band=state.transform == "level", event_id=state.event)
        tested = queries.event_by_id(state.event)
        view.headline = headline(assessment, pick(tested["title"], lang), str(tested["date"]), lang)
        result_line = view.headline + ("" if state.transform == "level" else " " + t("test_on_level", lang))
        subtitle.append(result_line)
    relabel_events(figure, shown_events, lang, indicator=spec.id, tested=state.event)
    # The title's parts, kept for the report layout of exports (which sets its own sizes).
    layout = figure["layout"]
    layout["meta"] = {"title": layout["title"]["text"], "subtitle": subtitle, "headline": result_line}
    # The title wrapped clear of the chart's toolbar (top right), and room for every line as
    # wrapped, so the result never runs into the plot or its labels.
    heading = wrap(layout["title"]["text"], 80)
    lines = [wrap(line, 110) for line in subtitle]
    height = layout.get("height") or 560
    update_layout(figure, title={"text": heading + "".join(f"<br><sup>{line}</sup>" for line in lines),
                                 "y": 1 - 30 / height, "yanchor": "top"},
                  margin={"t": 44 + 22 * (heading.count("<br>") + 1)
                          + 19 * sum(line.count("<br>") + 1 for line in lines)})
    view.table = view_table(view, state)
    if requested_start is not None and not view.table.empty:
        view.table = view.table[pd.to_datetime(view.table["period"]) >= pd.Timestamp(requested_start)].reset_index(
            drop=True)
    return view


def transform_frame(spec: Indicator, frame: pd.DataFrame, state: ExplorerState, geo: str,
                    base_event: str | None, read=None) -> tuple[pd.DataFrame, str, pd.Timestamp | None]:
    """The frame as the state shows it, its unit, and (for an index) the month = 100. ``read(since)``
    gives the same series from an earlier month: a change on a year earlier needs the twelve
    months before the range, an index on an event before the range needs that month; the result
    is cut back to the range."""
    lang = state.lang
    unit = pick(spec.unit, lang)
    if state.transform == "level" or frame.empty or spec.semantics == "annual":
        return frame, unit, None
    if state.transform == "per100k":
        shown = transforms.per_100k(frame, queries.population(geo, state.as_of),
                                    rolling_12=spec.semantics == "rolling_12m")
        return shown, t("unit_per100k_12m" if spec.semantics == "rolling_12m" else "unit_per100k", lang), None
    start = pd.Timestamp(state.start) if state.start else None
    if state.transform == "yoy":
        longer = frame
        if start is not None and read is not None:
            longer = read((start - pd.DateOffset(years=1)).date())
        shown = transforms.year_over_year(longer, spec.breakdown)
        return _within(shown, start), t("unit_yoy", lang), None
    if base_event:  # the last whole month before the event (events fall mid-month) = 100
        day = dt.date.fromisoformat(str(queries.event_by_id(base_event)["date"]))
        base = pd.Timestamp(day.replace(day=1)) - pd.DateOffset(months=1)
    else:
        base = frame["period"].min()
    longer = frame
    if start is not None and base < start and read is not None:
        longer = read(base.date())
    shown, used = transforms.index_to(longer, base, spec.breakdown)
    month = format_date(used, "MMM yyyy", locale=date_locale(lang)) if used is not None else "—"
    return _within(shown, start), t("unit_index", lang, month=month), used


def _within(frame: pd.DataFrame, start: pd.Timestamp | None) -> pd.DataFrame:
    if start is None or frame.empty:
        return frame
    return frame[frame["period"] >= start].reset_index(drop=True)


def _reader(state: ExplorerState, spec: Indicator, geo: str, as_of="same", total: bool = False):
    """``since -> frame``: the series of the view from an earlier month (for transforms)."""
    def read(since: dt.date) -> pd.DataFrame:
        query = replace(state.series_query(geo=geo, indicator=spec.id, as_of=as_of), start=since)
        rows = queries.series_view(query)[1]
        return _total(spec, rows) if total else rows
    return read


def _extra_series(spec: Indicator, state: ExplorerState, geo: str, base_event: str | None
                  ) -> list[tuple[str, pd.DataFrame, bool]]:
    """The comparison lines: another geography, another indicator (right axis), an earlier
    vintage of the same series. Each is the total of its rows per month, transformed like the
    main series."""
    if spec.semantics == "annual":
        return []
    lang = state.lang
    out = []
    if state.compare and state.compare != geo and not (
            state.transform == "per100k" and not queries.has_population(state.compare)):
        _, rows = queries.series_view(state.series_query(geo=state.compare))
        shown, _, _ = transform_frame(spec, _total(spec, rows), replace(state, geo=state.compare), state.compare,
                                      base_event, _reader(state, spec, state.compare, total=True))
        out.append((geo_name(state.compare, lang, spec.source_id), shown.assign(series="compare"), False))
    if state.revision:
        _, rows = queries.series_view(state.series_query(geo=geo, as_of=state.revision))
        shown, _, _ = transform_frame(spec, _total(spec, rows), state, geo, base_event,
                                      _reader(state, spec, geo, as_of=state.revision, total=True))
        out.append((t("revision_label", lang, day=state.revision.isoformat()), shown.assign(series="revision"), False))
    if state.vs:
        vs = get_indicator(state.vs)
        vs_geos = queries.geos_for(vs.id)
        vs_geo = geo if geo in vs_geos else vs.default_geo
        _, rows = queries.series_view(state.series_query(geo=vs_geo, indicator=vs.id))
        vs_state = replace(state, indicator=vs.id, geo=vs_geo)
        transform_ok = vs_state.transform_unavailable(state.transform, queries.population_geos()) is None
        shown, unit, _ = transform_frame(vs, _total(vs, rows), vs_state if transform_ok else
                                         replace(vs_state, transform="level"), vs_geo, base_event,
                                         _reader(vs_state, vs, vs_geo, total=True))
        shown = shown.assign(series="vs", indicator=vs.id)
        shown.attrs["unit"] = unit
        out.append((f"{pick(vs.name, lang)} — {geo_name(vs_geo, lang, vs.source_id)}", shown, True))
    return out


def _total(spec: Indicator, rows: pd.DataFrame) -> pd.DataFrame:
    """One value per month: a breakdown is summed (every value of it is in the rows)."""
    if rows.empty or not spec.breakdown or spec.breakdown not in rows:
        return rows
    if spec.transform == "share":  # shares of parts do not add up to a share of the whole
        return rows.iloc[0:0]
    totals = rows.groupby("period", as_index=False).agg(
        geo=("geo", "first"), value=("value", lambda v: v.sum(min_count=1)), flags=("flags", "first"),
        vintage_id=("vintage_id", "first"), vintage=("vintage", "first"),
        vintage_published_on=("vintage_published_on", "first"))
    totals["value_predicted"] = float("nan")
    return totals


def view_table(view: ChartView, state: ExplorerState) -> pd.DataFrame:
    """The view's table, as downloads carry it and the page shows it: the published rows (level
    ``value``), the shown value when transformed, the counterfactual when an event is tested, and
    the comparison series' rows marked in a ``series`` column."""
    table = view.frame.copy()
    if state.transform != "level" and view.spec.semantics != "annual" and not table.empty:
        keys = ["period", *([view.spec.breakdown] if view.spec.breakdown in table else [])]
        shown = view.shown[[*keys, "value"]].rename(columns={"value": f"value_{state.transform}"})
        table = table.merge(shown, on=keys, how="left")
    band = view.assessment.counterfactual if view.assessment is not None else None
    if band is not None and not band.empty and view.spec.semantics != "annual":
        cf = band[["period", "expected", "lower", "upper"]].rename(columns={
            "expected": "counterfactual", "lower": "counterfactual_lower", "upper": "counterfactual_upper"})
        cf["period"] = pd.to_datetime(cf["period"])
        table = table.merge(cf, on="period", how="left")
    if view.extra:
        table.insert(0, "series", "main")
        extras = []
        for _, rows, _ in view.extra:
            rows = rows.copy()
            if state.transform != "level":
                rows[f"value_{state.transform}"] = rows["value"]
                rows["value"] = float("nan")  # the level of a compared series is in its own download
            extras.append(rows)
        table = pd.concat([table, *extras], ignore_index=True)
    return table
