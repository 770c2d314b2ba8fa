"""Scorecard page: commitments (rows) × indicators (columns), a verdict badge in every linked cell.

State in the URL (``?as_of=YYYY-MM-DD&lang=es``); each cell links to the explorer with the event's
counterfactual band, its window shaded and the numbers beside the chart.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, dcc, html, no_update

from dashboard import components, ids, queries
from dashboard.i18n import normalise_lang, pick, t
from dashboard.state import ExplorerState
from indicators import precompute
from indicators.assessment import Assessment
from indicators.explain import VERDICT_LABELS, effect_unit, number, sentence
from indicators.registry import get_indicator


def _cell(event: dict, indicator_id: str, cell: dict | None, lang: str, as_of: str | None) -> html.Td:
    if cell is None:
        return html.Td("", className="empty")
    verdict = cell["verdict"]
    children = [components.verdict_badge(verdict, lang)]
    if cell.get("effect") is not None and cell.get("ci_low") is not None:
        unit = effect_unit(cell.get("unit"), cell.get("semantics", "monthly"), lang)
        children.append(html.Div(
            f"{number(cell['effect'], lang, True)} [{number(cell['ci_low'], lang)} … {number(cell['ci_high'], lang)}] "
            f"{unit}", className="effect"))
        if cell.get("mde") is not None:
            children.append(html.Div(t("mde_short", lang, value=f"{number(cell['mde'], lang)} {unit}"),
                                     className="mde"))
        if cell.get("q_value") is not None:
            children.append(html.Div(f"q = {cell['q_value']:.2f}", className="qvalue"))
    elif cell.get("checkable_from"):
        children.append(html.Div(f"→ {cell['checkable_from'][:7]}", className="effect"))
    arrow = {"down": "↓", "up": "↑", "ambiguous": "↕"}.get(cell.get("expected_direction"), "")
    children.append(html.Div(f"{t('expected_short', lang)} {arrow}", className="direction"))
    if verdict == "no_data":
        return html.Td(children, className="cell no-data")
    # Yearly figures are shown whole (they end years before); monthly ones from the pre-period.
    start = None if cell.get("semantics") == "annual" else queries.parse_month(
        str(cell.get("pre_start") or event["date"])[:7], "from")
    href = ExplorerState(indicator=indicator_id, geo=cell.get("geo") or None, start=start,
                         event=cell.get("event", event["id"]), as_of=queries.page_as_of(as_of), lang=lang).href()
    title = sentence(Assessment.from_json(cell), lang)  # the stored cell has codes and numbers: worded here
    return html.Td(dcc.Link(children, href=href, title=title,
                            id=f"cell-{event['id']}-{indicator_id}"), className=f"cell verdict-{verdict}")


RELOAD_S = 3  # a page waiting for a past date's scorecard asks whether it is there this often


def _as_of_form(lang: str, as_of_text: str | None) -> html.Form:
    # A plain GET form: the chosen date becomes ?as_of= (a permalink), no script needed.
    return components.get_form("/scorecard", lang, [
        html.Label([t("as_of", lang), " ", dcc.Input(type="date", name="as_of", value=as_of_text or "",
                                                      id=ids.SCORECARD_AS_OF)]),
    ], className="as-of-form")


def _page_query(lang: str, as_of_text: str | None) -> str:
    """``?as_of=…&lang=es`` of the page (empty for the latest data in English)."""
    return components.query_string({"as_of": as_of_text, "lang": lang if lang != "en" else None})


def _address(lang: str, as_of_text: str) -> str:
    return f"/scorecard{_page_query(lang, as_of_text)}"


def _waiting(lang: str, as_of_text: str, message: html.P) -> html.Div:
    return components.page_frame("scorecard_title", lang, "/scorecard", _page_query(lang, as_of_text),
                                 message, _as_of_form(lang, as_of_text))


def _computing(lang: str, as_of_text: str) -> html.Div:
    """The page while the grid as known on a past date is computed: what is happening; every
    RELOAD_S seconds the page asks whether it is there, and loads it when it is (only while this
    page is shown: navigating away removes the timer)."""
    page = _waiting(lang, as_of_text, html.P(
        t("scorecard_computing", lang, day=as_of_text), id=ids.SCORECARD_COMPUTING, role="status",
        className="updating"))
    page.children += [dcc.Interval(id=ids.SCORECARD_WAIT, interval=RELOAD_S * 1000),
                      dcc.Store(id=ids.SCORECARD_WAIT_FOR, data={"as_of": as_of_text, "lang": lang}),
                      dcc.Location(id=ids.SCORECARD_RELOAD, refresh=True)]
    return page


def _failed(lang: str, as_of_text: str, reason: str) -> html.Div:
    page = _waiting(lang, as_of_text, html.P(
        t("scorecard_failed", lang, day=as_of_text, reason=reason), id=ids.SCORECARD_COMPUTING, role="alert",
        className="updating"))
    return page


def _ready(_n: int, wait_for: dict | None) -> str:
    """The waiting page's timer: the page's own address (loaded again) once the grid is there, or
    once its computation failed (the page then says so). The address is built here, never taken
    from the request."""
    as_of = queries.page_as_of((wait_for or {}).get("as_of"))
    if as_of is None:
        return no_update
    try:
        grid = queries.scorecard_grid(as_of)
    except precompute.PastScorecardFailed:
        grid = {}
    lang = normalise_lang(str((wait_for or {}).get("lang") or "en"))
    return no_update if grid is None else _address(lang, min(as_of, dt.date.today()).isoformat())


def register_callbacks(app: dash.Dash) -> None:
    app.callback(Output(ids.SCORECARD_RELOAD, "href"), Input(ids.SCORECARD_WAIT, "n_intervals"),
                 State(ids.SCORECARD_WAIT_FOR, "data"), prevent_initial_call=True)(_ready)


def layout(lang: str = "en", as_of: str | None = None, **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    as_of_date = queries.page_as_of(as_of)
    try:
        grid = queries.scorecard_grid(as_of_date)
    except precompute.PastScorecardFailed as exc:
        return _failed(lang, as_of_date.isoformat(), str(exc))
    as_of_text = as_of_date.isoformat() if as_of_date else None
    if grid is None:  # a past date being computed in the background: say so, and look again
        return _computing(lang, min(as_of_date, dt.date.today()).isoformat())
    header_row = html.Tr([html.Th(t("commitment", lang))] + [
        html.Th(pick(get_indicator(i).name, lang), className="indicator") for i in grid["columns"]
    ])
    body = [
        html.Tr([
            html.Th([html.Div(row["event"]["date"]), html.Div(pick(row["event"]["title"], lang)),
                     *[html.Div(f"+ {t('merged_with', lang)}: {other['date']} {pick(other['title'], lang)}",
                                className="merged") for other in row["event"].get("merged", [])]],
                    className="event"),
            *[_cell(row["event"], i, row["cells"].get(i), lang, as_of_text) for i in grid["columns"]],
        ])
        for row in grid["rows"]
    ]
    legend = html.P([components.verdict_badge(v, lang) for v in VERDICT_LABELS], className="legend")
    return components.page_frame(
        "scorecard_title", lang, "/scorecard", _page_query(lang, as_of_text),
        *([html.P(t("scorecard_updating", lang), id="scorecard-updating", role="status", className="updating")]
          if grid.get("updating") else []),
        html.P(t("scorecard_intro", lang)),
        legend,
        html.P(t("multiple_tests", lang, n=str(grid["tests"]), level=str(round(grid["alpha"] * 100)),
                 k=f"{grid['expected_by_chance']:.1f}"), id="multiple-tests"),
        _as_of_form(lang, as_of_text),
        html.Div(className="table-scroll", children=html.Table(
            id=ids.SCORECARD, className="scorecard", children=[html.Thead(header_row), html.Tbody(body)])),
        html.P([html.B(f"{t('download', lang)}: "),
                html.A("CSV", href=f"/api/scorecard.csv{'?as_of=' + as_of_text if as_of_text else ''}",
                       id=ids.SCORECARD_CSV), " · ",
                html.A("JSON", href=f"/api/scorecard.json{'?as_of=' + as_of_text if as_of_text else ''}")]),
    )
