"""Explorer page: one indicator, one geography, a date range, the commitments timeline over it.

Every control lives in the URL (``?indicator=…&geo=…&from=…&to=…&as_of=…&events=…&lang=…``),
so each view is a permalink a report can cite.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State, dcc, html

from dashboard import components, ids, queries, views
from dashboard.i18n import normalise_lang, pick, t
from etl.geography import geo_name
from etl.timeline import EVENT_TYPES
from indicators.explain import METHOD_LABELS
from indicators.registry import INDICATORS, available_indicators, get_indicator
from indicators.verification import METHODS

DEFAULT_INDICATOR = "cbp_fentanyl_seizures_swb_lbs"
DEFAULT_FROM = "2024-01"


def _month(value: str | None) -> str | None:
    try:
        parsed = queries.parse_month(value, "month")
    except queries.BadQuery:
        return None
    return parsed.isoformat() if parsed else None


KNOWN_PARAMS = {"indicator", "geo", "lang", "events", "unconfirmed", "as_of", "from", "to", "event", "method",
                "all_events"}


def url_problems(lang: str, indicator: str, geo: str | None, events: str | None, as_of: str | None,
                 to: str | None, event: str | None, method: str, query: dict) -> list[str]:
    """What in the address could not be used, in words: a mistyped link must never pass silently
    for the default view."""
    problems = []
    spec = INDICATORS.get(indicator)
    if spec is None or spec.status != "available":
        problems.append(t("url_bad_indicator", lang, value=indicator,
                          default=pick(INDICATORS[DEFAULT_INDICATOR].name, lang)))
        spec = INDICATORS[DEFAULT_INDICATOR]
    if geo and geo not in queries.geos_for(spec.id):
        problems.append(t("url_bad_geo", lang, value=geo, default=spec.default_geo))
    for name, value in (("from", query.get("from")), ("to", to)):
        if value and _month(value) is None:
            problems.append(t("url_bad_value", lang, name=name, value=value))
    try:
        queries.parse_date(as_of, "as_of")
    except queries.BadQuery:
        problems.append(t("url_bad_value", lang, name="as_of", value=as_of))
    for kind in (events.split(",") if events else []):
        if kind not in EVENT_TYPES:
            problems.append(t("url_bad_value", lang, name="events", value=kind))
    if event and event not in {e["id"] for e in queries.events()}:
        problems.append(t("url_bad_value", lang, name="event", value=event))
    if method not in METHODS:
        problems.append(t("url_bad_value", lang, name="method", value=method))
    unknown = sorted(set(query) - KNOWN_PARAMS)
    if unknown:
        problems.append(t("url_unknown_param", lang, names=", ".join(unknown)))
    return problems


def layout(indicator: str = DEFAULT_INDICATOR, geo: str | None = None, lang: str = "en",
           events: str | None = None, unconfirmed: str = "1", as_of: str | None = None,
           to: str | None = None, event: str | None = None, method: str = "auto", all_events: str = "0",
           **query: str) -> html.Div:
    lang = normalise_lang(lang)
    problems = url_problems(lang, indicator, geo, events, as_of, to, event, method, query)
    spec = INDICATORS.get(indicator)
    if spec is None or spec.status != "available":
        spec = INDICATORS[DEFAULT_INDICATOR]
    if geo and geo not in queries.geos_for(spec.id):
        geo = None
    if event and event not in {e["id"] for e in queries.events()}:
        event = None
    start = _month(query.get("from")) or _month(DEFAULT_FROM)
    end = _month(to)
    event_types = [e for e in (events.split(",") if events is not None else EVENT_TYPES) if e in EVENT_TYPES]
    as_of_date = None
    try:
        as_of_date = queries.parse_date(as_of, "as_of")
    except queries.BadQuery:
        pass

    controls = html.Div(
        className="controls",
        children=[
            html.Label([t("indicator", lang), dcc.Dropdown(
                id=ids.INDICATOR,
                options=[{"label": pick(i.name, lang), "value": i.id} for i in available_indicators()],
                value=spec.id, clearable=False,
            )]),
            html.Label([t("geography", lang), dcc.Dropdown(id=ids.GEO, value=geo or spec.default_geo,
                                                            clearable=False)]),
            html.Label([t("date_range", lang), dcc.DatePickerRange(
                id=ids.DATES, start_date=start, end_date=end, display_format="YYYY-MM",
                clearable=True, min_date_allowed="2015-01-01",
                start_date_placeholder_text=t("start", lang), end_date_placeholder_text=t("end", lang),
            )]),
            html.Label([t("as_of", lang), dcc.DatePickerSingle(
                id=ids.AS_OF, date=as_of_date.isoformat() if as_of_date else None,
                display_format="YYYY-MM-DD", clearable=True, placeholder=t("latest", lang),
            )]),
            html.Label([t("assess_event", lang), dcc.Dropdown(
                id=ids.ASSESS_EVENT, options=_event_options(lang), value=event, clearable=True,
                placeholder=t("no_event", lang),
            )]),
            html.Label([t("method", lang), dcc.Dropdown(
                id=ids.METHOD, value=method if method in METHODS else "auto", clearable=False,
                options=[{"label": pick(METHOD_LABELS[m], lang), "value": m} for m in METHODS if m != "descriptive"],
            )]),
            html.Div([
                html.Span(t("event_types", lang), className="label"),
                dcc.Checklist(
                    id=ids.EVENT_TYPES,
                    options=[{"label": t("type_" + e, lang), "value": e} for e in EVENT_TYPES],
                    value=event_types, inline=True,
                ),
                dcc.Checklist(
                    id=ids.UNCONFIRMED,
                    options=[{"label": t("show_unconfirmed", lang), "value": "1"}],
                    value=["1"] if unconfirmed == "1" else [], inline=True,
                ),
                dcc.Checklist(
                    id=ids.ALL_EVENTS,
                    options=[{"label": t("show_all_events", lang), "value": "1"}],
                    value=["1"] if all_events == "1" else [], inline=True,
                ),
            ]),
        ],
    )
    return html.Div(
        [
            dcc.Location(id=ids.EXPLORER_URL, refresh=False),
            dcc.Store(id=ids.LANG, data=lang),
            components.header(lang, "/", _query_string(spec.id, geo, start, end, as_of, event_types,
                                                       unconfirmed == "1", lang, event, method,
                                                       all_events == "1")),
            components.status_banner(lang),
            html.Div(id=ids.URL_NOTICE, className="url-notice", role="alert", children=[
                html.P(t("url_notice", lang)), html.Ul([html.Li(p) for p in problems])]) if problems else None,
            controls,
            html.Div(className="chart-row", children=[
                dcc.Loading(dcc.Graph(id=ids.GRAPH, config={
                    # Month names, number format and toolbar tooltips in the page's language (the
                    # Spanish locale is registered by assets/vendor/plotly-locale-es.js).
                    "locale": lang,
                    "displaylogo": False, "showSendToCloud": False, "showEditInChartStudio": False,
                    "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"],
                    "toImageButtonOptions": {"format": "png", "scale": 2}})),
                html.Aside(id=ids.ASSESSMENT, className="assessment-panel"),
            ]),
            html.Div(id=ids.INFO, className="source-card"),
        ],
        className="page",
    )


def _event_options(lang: str) -> list[dict]:
    return [{"label": f"{e['date']} — {pick(e['title'], lang)}", "value": e["id"]} for e in queries.events()]


def _query_string(indicator, geo, start, end, as_of, event_types, unconfirmed, lang, event=None,
                  method="auto", all_events=False) -> str:
    params = {"indicator": indicator}
    if geo:
        params["geo"] = geo
    if start:
        params["from"] = str(start)[:7]
    if end:
        params["to"] = str(end)[:7]
    if as_of:
        params["as_of"] = str(as_of)[:10]
    if set(event_types) != set(EVENT_TYPES):
        params["events"] = ",".join(event_types)
    if not unconfirmed:
        params["unconfirmed"] = "0"
    if all_events:
        params["all_events"] = "1"
    if event:
        params["event"] = event
        if method and method != "auto":
            params["method"] = method
    if lang != "en":
        params["lang"] = lang
    return "?" + urlencode(params, safe=",")


def geo_options(indicator: str, current: str | None, lang: str):
    spec = get_indicator(indicator)
    geos = queries.geos_for(indicator)
    names = {g: geo_name(g, lang, spec.source_id) for g in geos}
    # The country first, then its states by name.
    ordered = sorted(geos, key=lambda g: (g not in ("US", "MX"), names[g]))
    options = [{"label": f"{names[g]} ({g})", "value": g} for g in ordered]
    value = current if current in geos else (spec.default_geo if spec.default_geo in geos else
                                             (geos[0] if geos else None))
    return options, value


def render(indicator, geo, start_date, end_date, as_of, event_types, unconfirmed, all_events, event, method,
           lang):
    """The explorer's main callback: figure, event list, source card and permalink for the controls."""
    start = queries.parse_month(start_date, "from")
    end = queries.parse_month(end_date, "to")
    as_of_date = queries.parse_date(as_of, "as_of")
    view = views.chart_view(indicator, geo, start, end, as_of_date, event_types or [], bool(unconfirmed), event,
                            method or "auto", lang, all_events=bool(all_events))
    spec, geo, frame = view.spec, view.geo, view.frame
    panel = None
    if view.assessment_error:
        panel = html.P(view.assessment_error, className="assessment-error")
    elif view.assessment is not None:
        panel = components.assessment_panel(view.assessment, lang, spec)
    search = _query_string(spec.id, geo, start, end, as_of_date, event_types or [], bool(unconfirmed), lang,
                           event, method, bool(all_events))
    api_query = urlencode({k: v for k, v in {
        "geo": geo, "from": start.isoformat()[:7] if start else None,
        "to": end.isoformat()[:7] if end else None,
        "as_of": as_of_date.isoformat() if as_of_date else None}.items() if v})
    # The image export takes the whole view: events shown, the verified event, the language.
    image_query = search.lstrip("?").replace(f"indicator={spec.id}&", "").replace(f"indicator={spec.id}", "")
    info = [components.event_list(view.events, lang, event),
            *components.source_panel(spec, frame, lang, api_query, image_query)]
    return view.figure, info, search, panel


def register_callbacks(app: dash.Dash) -> None:
    app.callback(
        Output(ids.GEO, "options"),
        Output(ids.GEO, "value"),
        Input(ids.INDICATOR, "value"),
        State(ids.GEO, "value"),
        State(ids.LANG, "data"),
    )(geo_options)
    app.callback(
        Output(ids.GRAPH, "figure"),
        Output(ids.INFO, "children"),
        Output(ids.EXPLORER_URL, "search"),
        Output(ids.ASSESSMENT, "children"),
        Input(ids.INDICATOR, "value"),
        Input(ids.GEO, "value"),
        Input(ids.DATES, "start_date"),
        Input(ids.DATES, "end_date"),
        Input(ids.AS_OF, "date"),
        Input(ids.EVENT_TYPES, "value"),
        Input(ids.UNCONFIRMED, "value"),
        Input(ids.ALL_EVENTS, "value"),
        Input(ids.ASSESS_EVENT, "value"),
        Input(ids.METHOD, "value"),
        State(ids.LANG, "data"),
    )(render)
