"""Explorer page: one indicator, one geography, a date range, the commitments timeline over it.

Every control lives in the address (``ExplorerState``: indicator, geography, range, as-of date,
transform, comparisons, events, the event tested, language), so each view is a permalink a report
can cite; one callback keeps the address and the controls in step, Back and Forward included.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import dash
from babel.dates import format_date
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard import components, downloads, exports, ids, links, queries, tilemap, views
from dashboard.i18n import pick, t
from dashboard.state import ExplorerState
from indicators.catalogue import EVENT_TYPES, geo_name
from indicators.explain import METHOD_LABELS, date_locale, number, percent
from indicators.registry import INDICATORS, available_indicators, get_indicator
from indicators.transforms import TRANSFORMS
from indicators.verification import METHODS


def read_address(query: dict | str) -> tuple[ExplorerState, list]:
    """The view an address asks for and what in it could not be used (``ExplorerState.parse``),
    checked against what the store offers (read by the data door: ``queries.view_choices``)."""
    return ExplorerState.parse(query, queries.view_choices(ExplorerState.indicator_in(query)))


def layout(**query: str) -> html.Div:
    """The explorer as its address asks (``ExplorerState.parse``); what could not be used is
    named in a notice above the chart."""
    state, problems = read_address(query)
    lang = state.lang
    spec = INDICATORS[state.indicator]
    geo_opts, geo = geo_options(state.indicator, state.geo, lang)
    event_opts = _event_options(lang)
    controls = html.Div(
        id=ids.CONTROLS, className="controls",
        children=[
            html.Label([t("indicator", lang), dcc.Dropdown(
                id=ids.INDICATOR,
                options=[{"label": pick(i.name, lang), "value": i.id} for i in available_indicators()],
                value=spec.id, clearable=False,
            )]),
            html.Label([t("geography", lang), dcc.Dropdown(id=ids.GEO, options=geo_opts, value=geo,
                                                            clearable=False)]),
            html.Label([t("date_range", lang), dcc.DatePickerRange(
                id=ids.DATES, start_date=_day(state.start), end_date=_day(state.end), display_format="YYYY-MM",
                clearable=True, min_date_allowed="2015-01-01",
                start_date_placeholder_text=t("start", lang), end_date_placeholder_text=t("end", lang),
            )]),
            html.Label([t("as_of", lang), dcc.DatePickerSingle(
                id=ids.AS_OF, **_date_prop(state.as_of), display_format="YYYY-MM-DD", clearable=True,
                placeholder=t("latest", lang),
            )]),
            html.Label([t("assess_event", lang), dcc.Dropdown(
                id=ids.ASSESS_EVENT, options=event_opts, value=state.event, clearable=True,
                placeholder=t("no_event", lang),
            )]),
            html.Label([t("method", lang), dcc.Dropdown(
                id=ids.METHOD, value=state.method, clearable=False,
                options=[{"label": pick(METHOD_LABELS[m], lang), "value": m} for m in METHODS if m != "descriptive"],
            )]),
            html.Label([t("transform", lang), dcc.Dropdown(
                id=ids.TRANSFORM, value=state.transform, clearable=False, options=transform_options(state),
            )]),
            html.Label([t("index_base", lang), dcc.Dropdown(
                id=ids.BASE, options=event_opts, value=state.base, clearable=True,
                placeholder=t("index_base_default", lang),
            )]),
            html.Label([t("compare_geo", lang), dcc.Dropdown(
                id=ids.COMPARE, options=geo_opts, value=state.compare, clearable=True,
                placeholder=t("none_option", lang),
            )]),
            html.Label([t("compare_indicator", lang), dcc.Dropdown(
                id=ids.VS, value=state.vs, clearable=True, placeholder=t("none_option", lang),
                options=[{"label": pick(i.name, lang), "value": i.id} for i in available_indicators()],
            )]),
            html.Label([t("revision", lang), dcc.DatePickerSingle(
                id=ids.REVISION, **_date_prop(state.revision), display_format="YYYY-MM-DD", clearable=True,
                placeholder=t("none_option", lang),
            )]),
            html.Div([
                html.Span(t("event_types", lang), className="label"),
                dcc.Checklist(
                    id=ids.EVENT_TYPES,
                    options=[{"label": t("type_" + e, lang), "value": e} for e in EVENT_TYPES],
                    value=list(state.event_types), inline=True,
                ),
                dcc.Checklist(
                    id=ids.UNCONFIRMED,
                    options=[{"label": t("show_unconfirmed", lang), "value": "1"}],
                    value=["1"] if state.unconfirmed else [], inline=True,
                ),
                dcc.Checklist(
                    id=ids.ALL_EVENTS,
                    options=[{"label": t("show_all_events", lang), "value": "1"}],
                    value=["1"] if state.all_events else [], inline=True,
                ),
                dcc.Checklist(
                    id=ids.LOG, options=[{"label": t("log_scale", lang), "value": "1"}],
                    value=["1"] if state.log else [], inline=True,
                ),
            ]),
        ],
    )
    downloads = html.Div(className="downloads", children=[
        html.Span(t("download", lang) + ":", className="label"),
        *[html.Button(fmt.upper(), id=f"{ids.DOWNLOAD_BUTTON}-{fmt}", n_clicks=0,
                      className="download-button", **{"aria-label": f"{t('download', lang)}: {fmt.upper()}"})
          for fmt in DOWNLOAD_FORMATS],
        html.Label([t("download_size", lang), dcc.RadioItems(
            id=ids.SIZE, value=exports.DEFAULT_SIZE, inline=True,
            options=[{"label": t(label, lang), "value": size} for size, label in exports.SIZE_LABELS.items()])],
            className="size-choice"),
        dcc.Download(id=ids.DOWNLOAD),
    ])
    # No heading: the chart's title names the view.
    return components.page_frame(
        None, lang, "/", state.search(),
        html.Div(id=ids.URL_NOTICE, className="url-notice", role="alert",
                 children=notice_children(problems, lang)),
        # On a phone the answer and the chart come first; the settings wait behind this button.
        html.Button(t("controls_toggle", lang), id=ids.CONTROLS_TOGGLE, n_clicks=0, className="controls-toggle",
                    **{"aria-expanded": "false", "aria-controls": ids.CONTROLS}),
        controls,
        html.Div(className="chart-row", children=[
            dcc.Loading(dcc.Graph(id=ids.GRAPH, config=graph_config(lang))),
            html.Aside(id=ids.ASSESSMENT, className="assessment-panel"),
        ]),
        downloads,
        html.Div(id=ids.INFO, className="source-card"),
        html.Div(id=ids.TABLE, className="data-table"),
        html.Div(id=ids.MAP, className="state-map"),
        before=(dcc.Location(id=ids.EXPLORER_URL, refresh=False), dcc.Store(id=ids.LANG, data=lang),
                dcc.Store(id=ids.CAMERA, data=None), dcc.Store(id=ids.FIGURE, data=None),
                dcc.Store(id=ids.VIEWPORT, data=None)),
    )


DOWNLOAD_FORMATS = ids.DOWNLOAD_FORMATS


def notice_children(problems, lang: str) -> list:
    """What in the address could not be used, in words (nothing when all of it could)."""
    if not problems:
        return []
    return [html.P(t("url_notice", lang)), html.Ul([html.Li(p.words(lang)) for p in problems])]


def graph_config(lang: str) -> dict:
    # Month names, number format and toolbar tooltips in the page's language (the Spanish locale
    # is registered by assets/vendor/plotly-locale-es.js). The camera button is replaced by one
    # that downloads the cited export (assets/explorer.js, from the CAMERA store).
    return {"locale": lang, "displaylogo": False, "showSendToCloud": False, "showEditInChartStudio": False,
            "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio", "toImage"]}


def _date_prop(value) -> dict:
    """A date picker's ``date``, left out when there is none: an empty picker given ``date=None``
    sets it again on mounting (to nothing, but not the same nothing), which called the view
    callback a second time on every page load."""
    return {"date": value.isoformat()} if value else {}


def _day(value) -> str | None:
    return value.isoformat() if value else None


def transform_options(state: ExplorerState) -> list[dict]:
    """Every transform, those this view cannot take disabled with the reason in their label."""
    options = []
    population = queries.population_geos()
    for name in TRANSFORMS:
        why = state.transform_unavailable(name, population)
        label = t("transform_" + name, state.lang) + (f" — {t(why, state.lang)}" if why else "")
        options.append({"label": label, "value": name, "disabled": bool(why)})
    return options


def _event_options(lang: str) -> list[dict]:
    return [{"label": f"{e['date']} — {pick(e['title'], lang)}", "value": e["id"]} for e in queries.events()]


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


CONTROLS = (
    # (state field, component id, property): the controls the state is read from and written to.
    ("indicator", ids.INDICATOR, "value"), ("geo", ids.GEO, "value"), ("start", ids.DATES, "start_date"),
    ("end", ids.DATES, "end_date"), ("as_of", ids.AS_OF, "date"), ("transform", ids.TRANSFORM, "value"),
    ("base", ids.BASE, "value"), ("log", ids.LOG, "value"), ("compare", ids.COMPARE, "value"),
    ("vs", ids.VS, "value"), ("revision", ids.REVISION, "date"), ("event_types", ids.EVENT_TYPES, "value"),
    ("unconfirmed", ids.UNCONFIRMED, "value"), ("all_events", ids.ALL_EVENTS, "value"),
    ("event", ids.ASSESS_EVENT, "value"), ("method", ids.METHOD, "value"),
)


def control_values(state: ExplorerState) -> list:
    """The state as the controls hold it."""
    out = []
    for name, _, _ in CONTROLS:
        value = getattr(state, name)
        if name in ("log", "unconfirmed", "all_events"):
            value = ["1"] if value else []
        elif name == "event_types":
            value = list(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out.append(value)
    return out


def render_state(state: ExplorerState) -> dict:
    """Everything the explorer shows for a state: figure, panel, source card, the table and the map
    folded (their contents come when unfolded: :func:`table_body`, :func:`map_body`), the export
    address the camera button downloads, and the address of the view."""
    lang = state.lang
    view = views.chart_view(state)
    spec, geo, frame = view.spec, view.geo, view.frame
    state = state.with_(geo=geo)
    panel = None
    if view.assessment_error:
        panel = html.P(view.assessment_error, className="assessment-error")
    elif view.assessment is not None:
        panel = components.assessment_panel(view.assessment, lang, spec)
    data_query = urlencode({k: v for k, v in state.params().items() if k in DATA_PARAMS}, safe=",")
    # A source whose next release is overdue says so first, beside the chart's data (not in the
    # panel: the chart keeps the whole row when no event is tested).
    stale = components.stale_notice(spec, lang) if state.as_of is None else None
    info = [*([stale] if stale is not None else []), components.event_list(view.events, lang, state.event),
            *displacement_panel(spec, geo, frame, state),
            *components.source_panel(spec, frame, lang, data_query, state.export_query())]
    return {
        "figure": view.chart, "info": info, "panel": panel, "table": components.data_table(view, lang),
        "map": state_map(state, view), "search": state.search(),
        "camera": {"href": f"/api/indicators/{spec.id}.png?{state.export_query()}",
                   "title": t("camera_title", lang)},
        "state": state,
    }


DATA_PARAMS = ("geo", "from", "to", "as_of")


def displacement_panel(spec, geo: str, frame, state: ExplorerState) -> list:
    """The displacement check beside a homicide series: its context series (homicidio culposo,
    other crimes against life; SESNSP's RNID register, crimes) over the months the chart shows,
    each month's value and the change from the first to the last. Context, never a verdict."""
    if not spec.context or frame.empty:
        return []
    lang = state.lang
    first, last = frame["period"].min().date(), frame["period"].max().date()
    found = queries.context_changes(spec.id, geo, first, last, state.as_of)
    if not found:
        body = [html.P(t("displacement_none", lang))]
    else:
        rows = [html.Tr([
            html.Td(pick(get_indicator(item["id"]).name, lang)),
            html.Td(" · ".join(f"{month}: {number(value, lang)}" for month, value in item["months"])),
            html.Td("—" if item["change"] is None else percent(item["change"], lang)),
        ]) for item in found]
        body = [html.Table(className="displacement", children=[
            html.Thead(html.Tr([html.Th(""), html.Th(t("displacement_months", lang)),
                                html.Th(t("displacement_change", lang))])),
            html.Tbody(rows)])]
    return [html.Details(id="displacement", open=True, children=[
        html.Summary(t("displacement_title", lang)), html.P(t("displacement_intro", lang)), *body])]


def state_map(state: ExplorerState, view) -> html.Details | None:
    """For a series published by state: a tile map of the newest month shown that most states have
    (level, or per 100,000 people when that is the view), each square a link to that state's chart.
    Folded, with its title only: the map itself (:func:`map_body`) is drawn when first unfolded."""
    month = map_month(state, view)
    if month is None:
        return None
    title = t("map_title", state.lang, month=format_date(month, "MMMM yyyy", locale=state.lang))
    return html.Details(open=False, children=[
        html.Summary(title, id=ids.MAP_SUMMARY, n_clicks=0),
        html.Div(id=ids.MAP_BODY),
    ])


def map_month(state: ExplorerState, view):
    """The month the view's state map shows, or None when the view has no map."""
    spec = view.spec
    if spec.semantics == "annual" or view.frame.empty:
        return None
    if tilemap.grid_for(queries.geos_for(spec.id)) is None:
        return None
    # The newest month most states have (the national total can run months ahead of them).
    return queries.map_month(spec.id, state.as_of, upto=view.frame["period"].max().date())


def map_body(clicks, search):
    """The state map of the view at ``search`` (the address is the view), on its first unfolding."""
    if clicks != 1:  # folded again, or unfolded again: drawn already
        return dash.no_update
    state, _ = read_address(search or "")
    view = views.chart_view(state)
    state = state.with_(geo=view.geo)
    month = map_month(state, view)
    if month is None:
        return None
    spec = view.spec
    values = queries.map_values(spec.id, month, state.as_of, per_100k=state.transform == "per100k")
    unit = view.unit if state.transform == "per100k" else pick(spec.unit, state.lang)
    title = t("map_title", state.lang, month=format_date(month, "MMMM yyyy", locale=date_locale(state.lang)))
    figure = tilemap.tile_map(values, source_id=spec.source_id, lang=state.lang, unit=unit, title=title,
                              selected=view.geo)
    return [html.P(t("map_hint", state.lang)),
            dcc.Graph(id=ids.MAP_GRAPH, figure=figure, config={"locale": state.lang, "displaylogo": False})]


def table_body(clicks, search):
    """The rows of the view's table at ``search`` (the address is the view), on its first unfolding."""
    if clicks != 1:  # folded again, or unfolded again: shown already
        return dash.no_update
    state, _ = read_address(search or "")
    return components.table_rows(views.chart_view(state), state.lang)


def sync(search, *values):
    """The explorer's one callback. The address and the controls stay one state: a change of the
    address (first load, Back, Forward) sets the controls; a change of a control writes the
    address (one history entry per change, none for a load or Back/Forward)."""
    *controls, lang = values
    triggered = dash.ctx.triggered_id
    keys = [name for name, _, _ in CONTROLS]
    if triggered is None or triggered == ids.EXPLORER_URL:
        state, problems = read_address(search or "")
        notice = notice_children(problems, state.lang)
        write_address = False
    else:
        given = dict(zip(keys, controls, strict=True))
        state = ExplorerState.from_controls(lang=lang, **given)
        if triggered == ids.INDICATOR:  # a new indicator: its own geographies and transforms
            geos = queries.geos_for(state.indicator)
            state = state.with_(geo=state.geo if state.geo in geos else None,
                                compare=state.compare if state.compare in geos else None,
                                vs=None if state.vs == state.indicator else state.vs)
        state = state.normalised(queries.population_geos())
        notice = []  # the view is now the controls', not the address's
        write_address = True
    out = render_state(state)
    state = out["state"]
    geo_opts, _ = geo_options(state.indicator, state.geo, state.lang)
    address = out["search"] if write_address and out["search"] != (search or "") else dash.no_update
    return (*control_values(state), geo_opts, geo_opts, transform_options(state), out["figure"], out["info"],
            address, out["panel"], out["table"], out["map"], out["camera"],
            components.language_links(state.lang, "/", out["search"]), notice)


def download(*values):
    """A download button: the same export the API serves for this view (citation and vintages
    inside), as a file."""
    *clicks, search, size = values
    triggered = dash.ctx.triggered_id or ""
    fmt = triggered.removeprefix(f"{ids.DOWNLOAD_BUTTON}-")
    if fmt not in DOWNLOAD_FORMATS or not any(clicks):
        return dash.no_update
    state, _ = read_address(search or "")
    params = {k: v for k, v in state.params().items() if k != "indicator"}
    if fmt in (*exports.FORMATS, "zip"):  # an image's size (the data formats have none)
        params["size"] = size or exports.DEFAULT_SIZE
    content, _mimetype, filename = downloads.export_view(state.indicator, fmt, params, links.base_url())
    return dcc.send_bytes(content, filename)


def pure_outputs(app: dash.Dash) -> list[str]:
    """The callbacks whose answer depends only on their request, the data version and the date
    (:mod:`dashboard.response_cache`): the view callback and the unfolded table's and map's (not
    the download, which names the host)."""
    folded = (f"{ids.TABLE_BODY}.children", f"{ids.MAP_BODY}.children")
    return [key for key in app.callback_map if f"{ids.FIGURE}.data" in key or key in folded]


def register_callbacks(app: dash.Dash) -> None:
    app.callback(
        *[Output(cid, prop) for _, cid, prop in CONTROLS],
        Output(ids.GEO, "options"),
        Output(ids.COMPARE, "options"),
        Output(ids.TRANSFORM, "options"),
        Output(ids.FIGURE, "data"),
        Output(ids.INFO, "children"),
        Output(ids.EXPLORER_URL, "search"),
        Output(ids.ASSESSMENT, "children"),
        Output(ids.TABLE, "children"),
        Output(ids.MAP, "children"),
        Output(ids.CAMERA, "data"),
        Output(ids.LANGUAGE_LINKS, "children"),
        Output(ids.URL_NOTICE, "children"),
        Input(ids.EXPLORER_URL, "search"),
        *[Input(cid, prop) for _, cid, prop in CONTROLS],
        State(ids.LANG, "data"),
    )(sync)
    app.callback(
        Output(ids.DOWNLOAD, "data"),
        *[Input(f"{ids.DOWNLOAD_BUTTON}-{fmt}", "n_clicks") for fmt in DOWNLOAD_FORMATS],
        State(ids.EXPLORER_URL, "search"),
        State(ids.SIZE, "value"),
        prevent_initial_call=True,
    )(download)
    # The table's rows and the map: asked for on the first click of their summary, never with the view.
    # The summary and the body come in the view's answer together (inserting them calls nothing);
    # the summary's later clicks (fold, unfold) are answered with nothing to do.
    for summary, body, render in ((ids.TABLE_SUMMARY, ids.TABLE_BODY, table_body),
                                  (ids.MAP_SUMMARY, ids.MAP_BODY, map_body)):
        app.callback(
            Output(body, "children"),
            Input(summary, "n_clicks"),
            State(ids.EXPLORER_URL, "search"),
            prevent_initial_call=True,
        )(render)
    # A square of the state map charts that state. In the browser: the map is drawn anew with each
    # view, and Dash calls a callback whose input is inserted so (prevent_initial_call or not), which
    # on the server was a second request after every change of a view with a map.
    app.clientside_callback(
        ClientsideFunction(namespace="verifica", function_name="pickState"),
        Output(ids.GEO, "value", allow_duplicate=True),
        Input(ids.MAP_GRAPH, "clickData"),
        State(ids.GEO, "options"),
        prevent_initial_call=True,
    )
    # The figure and the config together: the camera button of the chart's toolbar downloads
    # the cited export of the view.
    app.clientside_callback(
        ClientsideFunction(namespace="verifica", function_name="toggleControls"),
        Output(ids.CONTROLS, "className"),
        Output(ids.CONTROLS_TOGGLE, "aria-expanded"),
        Input(ids.CONTROLS_TOGGLE, "n_clicks"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="verifica", function_name="drawChart"),
        Output(ids.GRAPH, "figure"),
        Output(ids.GRAPH, "config"),
        Input(ids.FIGURE, "data"),
        Input(ids.CAMERA, "data"),
        Input(ids.VIEWPORT, "data"),  # a window turned or resized across the phone width: drawn again for it
        State(ids.GRAPH, "config"),
    )
