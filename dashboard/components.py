"""Reusable page parts: header with language switch, refresh-status banner, source card."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode

import dash
import pandas as pd
from dash import dcc, html

from catalogues import DEFAULT
from dashboard import ids, queries
from dashboard.figures import COMMITMENT_COLOURS, COMMITMENT_SYMBOLS, VERDICT_COLOURS, VERDICT_SYMBOLS
from dashboard.i18n import basis_text, flag_text, lang_query, languages, pick, t
from indicators import explain
from indicators.assessment import Assessment
from indicators.explain import METHOD_LABELS, VERDICT_LABELS, effect_unit, mde_share, month_name, number, percent
from indicators.registry import Indicator
from indicators.service import failing_sources


def toggle_lang(query: str, lang: str, target: str | None = None) -> str:
    """The query string of the same view in ``target``, by default the language after ``lang``
    (with two, the other one)."""
    if target is None:
        offered = languages()
        target = offered[(offered.index(lang) + 1) % len(offered)] if lang in offered else offered[0]
    params = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True))
    params["lang"] = target
    if params["lang"] == DEFAULT:
        params.pop("lang")
    return "?" + urlencode(params, safe=",") if params else ""


def language_links(lang: str, path: str, query: str) -> list[html.A]:
    """A link to the same view in each other language, named in that language (and marked as
    such), the language after this one first (its id ``LANGUAGE_LINK``). The explorer draws them
    again with each view (``LANGUAGE_LINKS``), so every language's link follows the view."""
    offered = languages()
    start = offered.index(lang) + 1 if lang in offered else 0
    targets = [other for other in offered[start:] + offered[:start] if other != lang]
    return [html.A(t("language_name", other), id=ids.LANGUAGE_LINK if i == 0 else f"{ids.LANGUAGE_LINK}-{other}",
                   href=path + toggle_lang(query, lang, other), className="language", lang=other)
            for i, other in enumerate(targets)]


def header(lang: str, path: str, query: str) -> html.Header:
    return html.Header(
        className="header",
        children=[
            html.H1(t("app_title", lang)),
            html.Nav([
                *[dcc.Link(t(page["nav_key"], lang), href=page["path"] + lang_query(lang))
                  for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order", 99))
                  if page.get("nav_key")],
                html.Span(language_links(lang, path, query), id=ids.LANGUAGE_LINKS, className="language-links"),
            ]),
        ],
    )


def page_frame(title_key: str | None, lang: str, path: str, query: str, *children, before: tuple = ()) -> html.Div:
    """Every page's frame: the header (navigation, and the language switch to this page at
    ``path`` + ``query``), the refresh-status banner and the page's heading (``t(title_key)``;
    none when ``title_key`` is None), then ``children``. ``before``: what precedes the header
    (the explorer's address and stores)."""
    return html.Div(className="page", children=[
        *before,
        header(lang, path, query),
        status_banner(lang),
        *([html.H2(t(title_key, lang))] if title_key else []),
        *children,
    ])


def status_banner(lang: str) -> html.Div:
    """Tells users when a refresh failed; the last good data is what they see."""
    failures = failing_sources(queries.engine())
    return html.Div(
        id=ids.STATUS_BANNER,
        className="status-banner" if failures else "status-banner empty",
        children=[
            html.P(t("refresh_failed", lang, source=run.source_id or "?", kind=t(f"run_kind_{run.kind}", lang),
                     when=f"{run.started_at:%Y-%m-%d %H:%M} UTC"))
            for run in failures
        ],
    )


def stale_notice(spec, lang: str) -> html.P | None:
    """Said on every view of a source whose next release is overdue: how old the newest data are,
    for readers (the operator's hint is on the status page)."""
    late = queries.overdue().get(spec.source_id)
    if not late or not late.get("data_through"):
        return None
    month = month_name(dt.date.fromisoformat(late["data_through"]), lang)
    return html.P(t("stale_notice", lang, month=month, due=late["expected_by"]), id=ids.STALE_NOTICE,
                  className="stale-notice", role="status")


def query_string(params: dict) -> str:
    """``?a=1&b=2`` of the parameters that have a value (empty when none has)."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"?{query}" if query else ""


def get_form(action: str, lang: str, fields: list, *, hidden: dict | None = None, **attrs) -> html.Form:
    """A plain GET form: what it chooses becomes the page's address (a permalink), and it works
    before any script has loaded. The page's language and ``hidden`` values travel with it."""
    kept = {"lang": lang if lang != "en" else None, **(hidden or {})}
    return html.Form(action=action, method="get", **attrs, children=[
        *[dcc.Input(type="hidden", name=name, value=value) for name, value in kept.items() if value],
        *fields,
        html.Button(t("show", lang), type="submit", className="download-button"),
    ])


def select_field(name: str, label: str, options: list[tuple[str, str]], chosen: str | None,
                 select_id: str) -> html.Label:
    """A labelled native select for a GET form: ``options`` are (value, text)."""
    return html.Label([label, html.Select(name=name, id=select_id, children=[
        html.Option(text, value=value, selected=(chosen or "") == value) for value, text in options])])


def as_written(text: str) -> html.Span:
    """Source metadata as the project records it (titles, producers, citations and how a release
    date was known, in English): marked ``lang="en"`` so screen readers and translation tools
    treat it as English on a Spanish page. A citation stays the reference it is."""
    return html.Span(text, lang="en")


def basis(note: str, lang: str) -> html.Span:
    """How a release date was known: in Spanish on Spanish pages, as recorded (English) otherwise."""
    translated = basis_text(note, lang)
    return html.Span(translated) if translated != note or lang == "en" else as_written(note)


def origin_text(origin: dict, field: str, lang: str) -> html.Span:
    """An origin file's title or licence in the page's language (``<field>_es``), else as recorded."""
    if lang != DEFAULT and origin.get(f"{field}_{lang}"):
        return html.Span(origin[f"{field}_{lang}"])
    return as_written(origin[field])


def event_list(events: list[dict], lang: str, tested: str | None = None) -> html.Details:
    """The events drawn on the chart as a list: readable without a mouse, each with its date,
    type, summary and first source (keyboard: Tab through the links)."""
    items = []
    for event in events:
        sources = event.get("sources") or []
        title = pick(event["title"], lang)
        items.append(html.Li(className="tested" if event["id"] == tested else None, children=[
            html.B(f"{event['date']} · {t('type_' + event['type'], lang)}: "),
            html.A(title, href=sources[0], target="_blank", rel="noopener") if sources else title,
            html.Br(), html.Span(pick(event["summary"], lang), className="event-summary"),
        ]))
    return html.Details(id=ids.EVENT_LIST, open=True, className="event-list", children=[
        html.Summary(t("events_on_chart", lang, n=str(len(events)))), html.Ul(items)])


TABLE_LIMIT = 600


def data_table(view, lang: str) -> html.Details | None:
    """The view's numbers on the page, folded: the summary (how many rows) and an empty body that
    :func:`table_rows` fills when the reader first unfolds it (the rows are not in the view's
    answer: a state series has hundreds, and the chart comes first)."""
    table = view.table
    if table is None or table.empty:
        return None
    return html.Details(className="data-table", children=[
        html.Summary(t("data_table", lang, n=str(len(table))), id=ids.TABLE_SUMMARY, n_clicks=0),
        html.Div(id=ids.TABLE_BODY),
    ])


def table_rows(view, lang: str) -> html.Div | None:
    """The rows of :func:`data_table`: month, geography, breakdown, the value shown (transformed,
    if it is), the counterfactual when an event is tested, notes and release. The newest rows
    first; the downloads carry every row."""
    table = view.table
    if table is None or table.empty:
        return None
    spec = view.spec
    value_column = next((c for c in table.columns if c.startswith("value_") and c != "value_predicted"), "value")
    columns = [c for c in ("series", "period", "geo", spec.breakdown, value_column, "counterfactual",
                           "counterfactual_lower", "counterfactual_upper", "flags", "vintage_id") if c and c in table]
    rows = table.sort_values("period", ascending=False, kind="stable").head(TABLE_LIMIT)
    heads = {"period": t("period", lang), "geo": t("geography", lang),
             value_column: f"{t('value', lang)} ({view.unit})",
             "flags": t("flags_col", lang), "vintage_id": t("vintage_col", lang),
             "counterfactual": t("counterfactual", lang), "series": ""}

    def cell(column, value):
        if pd.isna(value) if not isinstance(value, (list, dict)) else False:
            return "—"
        if column == "period":
            return f"{pd.Timestamp(value):%Y-%m}"
        if column == "flags":
            return flag_text(value, lang)
        if column == "vintage_id":
            return f"#{int(value)}"
        if isinstance(value, float):
            return number(value, lang)
        if column == spec.breakdown:
            return pick(spec.value_labels.get(str(value)), lang) or str(value)
        return str(value)

    return html.Div(className="table-scroll", children=html.Table([
        html.Thead(html.Tr([html.Th(heads.get(c, c), scope="col") for c in columns])),
        html.Tbody([html.Tr([html.Td(cell(c, value)) for c, value in zip(columns, row, strict=True)])
                    for row in rows[columns].itertuples(index=False, name=None)]),
    ]))


def source_panel(spec: Indicator, frame: pd.DataFrame, lang: str, api_query: str, image_query: str = "") -> list:
    card = queries.source_card(spec.source_id) or {}
    vintages = queries.vintages_used(frame)
    last = frame["period"].max() if not frame.empty else None
    if last is not None and spec.semantics == "annual":  # a window's figure runs to its last year
        last = pd.Timestamp(int(frame["end_year"].astype(int).max()), 12, 1)
    suffix = f"?{api_query}" if api_query else ""
    image_suffix = f"?{image_query}" if image_query else suffix
    return [
        html.P(pick(spec.description, lang)),
        html.P([html.B(f"{t('caveats', lang)}: "), pick(spec.caveats, lang)]) if spec.caveats else None,
        html.P([html.B(f"{t('data_through', lang)}: "), f"{last:%Y-%m}" if last is not None else t("no_data", lang)]),
        html.P([html.B(f"{t('source', lang)}: "), as_written(card.get("attribution", spec.source_id)), " — ",
                html.A(card.get("url_main", ""), href=card.get("url_main", ""))]),
        html.P([html.B(f"{t('citation', lang)}: "), as_written(card.get("citation", ""))]),
        html.Div([
            html.B(f"{t('vintage', lang)}: "),
            html.Ul([html.Li([
                f"#{v['id']} ", html.Code(v["file_name"]),
                f" ({t('published', lang)} {'~' if v['estimated'] else ''}{v['published_on']}",
                html.Span([" (", basis(v["published_on_basis"], lang), ")"]) if v["estimated"] else "",
                f"; {v['months']}; sha256 {v['sha256'][:12]})",
            ]) for v in vintages]),
        ]),
        html.P([
            html.B(f"{t('download', lang)}: "),
            html.A("CSV", id=ids.DOWNLOAD_CSV, href=f"/api/indicators/{spec.id}.csv{suffix}"), " · ",
            html.A("JSON", id=ids.DOWNLOAD_JSON, href=f"/api/indicators/{spec.id}.json{suffix}"), " · ",
            html.A("XLSX", id="explorer-download-xlsx", href=f"/api/indicators/{spec.id}.xlsx{suffix}"), " · ",
            html.A(t("cite_link", lang), id=ids.CITE_LINK,
                   href=f"/api/indicators/{spec.id}.metadata.json{image_suffix}"),
            " · ",
            *[item for fmt in ("zip", "png", "svg", "pdf") for item in (
                html.A(fmt.upper(), id=f"explorer-download-{fmt}",
                       href=f"/api/indicators/{spec.id}.{fmt}{image_suffix}"), " · ")][:-1],
        ]),
    ]


def verdict_badge(verdict: str, lang: str) -> html.Span:
    return html.Span([html.Span(VERDICT_SYMBOLS[verdict], **{"aria-hidden": "true"}), " ",
                      pick(VERDICT_LABELS[verdict], lang)], className=f"badge verdict-{verdict}",
                     style={"background": VERDICT_COLOURS.get(verdict, "#4A5560")})


def commitment_badge(status: str, lang: str) -> html.Span:
    return html.Span([html.Span(COMMITMENT_SYMBOLS[status], **{"aria-hidden": "true"}), " ",
                      t("commitment_status_" + status, lang)], className=f"badge commitment-{status}",
                     style={"background": COMMITMENT_COLOURS[status]})


def _with_unit(value: float | None, unit: str, lang: str, signed: bool = True) -> str:
    return "—" if value is None else f"{number(value, lang, signed)} {unit}"


def assessment_panel(result: Assessment, lang: str, spec: Indicator) -> list:
    """The numbers behind the band: effect with unit and interval, relative effect with its
    interval, smallest detectable change, placebo rank, q-value, windows, robustness, notes."""
    level = round((1 - result.alpha) * 100)
    unit = effect_unit(spec.unit, spec.semantics, lang)
    interval = "—" if result.ci_low is None else (
        f"{_with_unit(result.ci_low, unit, lang)} … {_with_unit(result.ci_high, unit, lang)}")
    relative = "—"
    if result.relative_effect is not None:
        high = percent(result.relative_ci_high, lang) if result.relative_ci_high is not None else "…"
        low = percent(result.relative_ci_low, lang) if result.relative_ci_low is not None else "…"
        relative = f"{percent(result.relative_effect, lang)} ({low} … {high})"
    rows = [
        (t("method", lang), pick(METHOD_LABELS.get(result.method, METHOD_LABELS["auto"]), lang)),
        (t("effect", lang), _with_unit(result.effect, unit, lang)),
        (t("interval_level", lang, level=str(level)), interval),
        (t("relative_effect", lang), relative),
        (t("mde", lang), "—" if result.mde is None else
         f"±{_with_unit(result.mde, unit, lang, False)} ({mde_share(result, lang)})"),
    ]
    if result.cumulative_effect is not None:
        rows.append((t("cumulative_effect", lang),
                     f"{number(result.cumulative_effect, lang, True)} ({number(result.cumulative_ci_low, lang)} … "
                     f"{number(result.cumulative_ci_high, lang)})"))
    rows += [
        (t("p_value", lang), "—" if result.p_value is None else f"{result.p_value:.3f}"),
        (t("placebo", lang), "—" if result.placebo_p_value is None
         else f"{result.placebo_p_value:.2f} ({result.placebo_n} {t('placebo_dates', lang)})"),
        (t("windows", lang), f"{result.n_pre} / {result.n_post}"),
        (t("data_through_short", lang), f"{result.data_through:%Y-%m}" if result.data_through else "—"),
    ]
    if result.checkable_from:
        rows.append((t("checkable_from", lang), month_name(result.checkable_from, lang)))
    for check in result.checks:
        state = {True: "check_passed", False: "check_failed", None: "check_na"}[check["passed"]]
        text = t("check_began", lang) if check.get("became") == "began_before" else t(state, lang)
        if check["check"] == "bend" and check.get("t_hinge") is not None:
            text = f"{number(check['t_hinge'], lang, True)} / {number(check['t_step'], lang, True)}"
        if check["check"] == "donors":
            text = t(f"donors_{check.get('reading', 'not_possible')}", lang)
        rows.append((f"{t('checks', lang)}: {t('check_' + check['check'], lang)}", text))
    notes = explain.notes(result, lang)
    return [
        verdict_badge(result.verdict, lang),
        html.P(explain.sentence(result, lang), className="explanation"),
        html.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in rows])),
        html.Ul([html.Li(note) for note in notes]) if notes else None,
    ]
