"""Commitments page: what each government committed to, and its status as known on a date.

One row per commitment (``data/commitments.yaml``): the commitment and the sentence as reported,
who committed (US and Mexico side by side), its status rolled up from the scorecard's verdicts
(:mod:`indicators.commitments`; the rule is on the page), each verdict it rests on linked to the
explorer view that shows it, the stated target (or that none was stated) and the timeline's note
on its verifiability. The selection (``party``, ``status``, ``indicator``) and ``as_of`` are the
page's address; ``/api/commitments.json`` and ``/api/commitments.csv`` serve the same rows.
"""

from __future__ import annotations

import datetime as dt

from dash import dcc, html

from dashboard import components, queries
from dashboard.i18n import lang_query, normalise_lang, pick, t
from dashboard.state import ExplorerState
from indicators import precompute
from indicators.commitments import PARTIES, STATUSES, select, summary
from indicators.registry import INDICATORS

COMMITMENTS = "commitments-table"
COMMITMENTS_FILTER = "commitments-filter"
COMMITMENTS_SUMMARY = "commitments-summary"
COLUMNS = ("commitment_col_commitment", "commitment_col_status", "commitment_col_party", "commitment_col_evidence",
           "commitment_col_target")


def _choice(value: str | None, allowed) -> str | None:
    return value if value in allowed else None


def _evidence(item: dict, lang: str, as_of: dt.date | None, titles: dict[str, str]) -> html.Td:
    if not item["evidence"]:
        parts = [html.Div(t("commitment_no_indicator", lang), className="reason")]
        if item.get("needs"):
            parts.append(html.Div(t("commitment_needs", lang, what=pick(item["needs"], lang)), className="reason"))
        return html.Td(parts)
    rows = []
    for cell in item["evidence"]:
        spec = INDICATORS[cell["indicator"]]
        tested = cell.get("tested_event") or item["event"]
        start = None if cell.get("semantics") == "annual" or not cell.get("pre_start") else queries.parse_month(
            cell["pre_start"], "from")
        href = ExplorerState(indicator=spec.id, geo=cell.get("geo") or None, start=start, event=tested,
                             as_of=as_of, lang=lang).href()
        verdict_words = [components.verdict_badge(cell["verdict"], lang), " ",
                         t("commitment_role_" + cell["role"], lang)]
        detail = []
        if tested != item["event"]:
            detail.append(t("commitment_tested_at", lang, date=tested[:10], event=titles.get(tested, tested)))
        if cell.get("late"):
            detail.append(t("commitment_late", lang, date=str(cell["expected_publication"])[:10]))
        elif cell["role"] == "pending" and cell.get("checkable_from"):
            detail.append(t("commitment_checkable_from", lang, month=cell["checkable_from"]))
        if cell["role"] == "pending" and cell.get("data_through"):
            detail.append(t("commitment_data_through", lang, month=cell["data_through"]))
        rows.append(html.Li([dcc.Link(pick(spec.name, lang), href=href), ": ", *verdict_words,
                             *[html.Div(d, className="vintage") for d in detail]]))
    return html.Td(html.Ul(rows, className="evidence"))


def _target(item: dict, lang: str) -> html.Td:
    target = item["target"]
    if target == "undefined":
        parts = [html.Div(t("commitment_target_undefined", lang))]
    else:
        parts = [html.Div(pick(target["description"], lang))]
        if target.get("deadline"):
            parts.append(html.Div(t("commitment_deadline", lang, date=target["deadline"]), className="vintage"))
    if item.get("verifiability"):
        parts.append(html.Div([html.B(t("timeline_verifiability", lang) + " "), pick(item["verifiability"], lang)],
                              className="verifiability"))
    return html.Td(parts)


def _row(item: dict, lang: str, as_of: dt.date | None, titles: dict[str, str]) -> html.Tr:
    quote = item["quote"]
    commitment = html.Td([
        html.Div(pick(item["text"], lang), className="commitment-text"),
        # The sentence in the language it was reported in (marked, so a reader's tools know).
        html.Blockquote([html.Span(f"“{quote['text']}”", lang=quote["lang"]), html.Footer([
            t("commitment_said_by", lang, who=pick(quote["said_by"], lang)), " · ",
            html.A(quote["url"].split("/")[2], href=quote["url"], rel="noopener")])], className="quote"),
        html.Div([t("commitment_made_at", lang, date=item["date"], event=pick(item["event_title"], lang)), " · ",
                  dcc.Link(t("nav_timeline", lang), href=f"/timeline{lang_query(lang)}#event-{item['event']}")],
                 className="vintage"),
    ])
    status = [components.commitment_badge(item["status"], lang)]
    if item["status"] == "too_early" and item.get("checkable_from") and not item.get("late"):
        status.append(html.Div(t("commitment_checkable_from", lang, month=item["checkable_from"]), className="reason"))
    cells = [commitment, html.Td(status),
             html.Td([html.Div(t("commitment_party_" + item["party"], lang)),
                      html.Div(t("commitment_theme_" + item["theme"], lang), className="vintage")]),
             _evidence(item, lang, as_of, titles), _target(item, lang)]
    for cell, key in zip(cells, COLUMNS, strict=True):  # a phone shows each row as a card: cells say what they are
        setattr(cell, "data-label", t(key, lang))
    return html.Tr(id=f"commitment-{item['id']}", className=f"commitment-row commitment-{item['status']}",
                   children=cells)


def filters(lang: str, as_of: str | None, chosen: dict, indicators: list[str]) -> html.Form:
    def field(name: str, options: list[tuple[str, str]], label: str) -> html.Label:
        return components.select_field(name, label, options, chosen.get(name), f"commitments-{name}")

    return components.get_form("/commitments", lang, [
        field("party", [("", t("commitments_all", lang)), *[(p, t("commitment_party_" + p, lang)) for p in PARTIES]],
              t("commitments_party_filter", lang)),
        field("status", [("", t("commitments_all", lang)), *[(s, t("commitment_status_" + s, lang)) for s in STATUSES]],
              t("commitment_col_status", lang)),
        field("indicator", [("", t("commitments_all", lang)),
                            *[(i, pick(INDICATORS[i].name, lang)) for i in indicators]],
              t("commitments_indicator_filter", lang)),
    ], hidden={"as_of": as_of}, className="claims-filter", id=COMMITMENTS_FILTER)


def table(items: list[dict], lang: str, as_of: dt.date | None) -> html.Table:
    titles = {e["id"]: pick(e["title"], lang) for e in queries.events()}
    header = html.Tr([html.Th(t(key, lang)) for key in COLUMNS])
    return html.Table(id=COMMITMENTS, className="scorecard commitments",
                      children=[html.Thead(header), html.Tbody([_row(i, lang, as_of, titles) for i in items])])


def layout(lang: str = "en", as_of: str | None = None, party: str | None = None, status: str | None = None,
           indicator: str | None = None, **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    as_of_date = queries.page_as_of(as_of)
    as_of_text = as_of_date.isoformat() if as_of_date else None
    query = components.query_string({"as_of": as_of_text, "party": party, "status": status, "indicator": indicator,
                                     "lang": lang if lang != "en" else None})

    def page(*children) -> html.Div:
        return components.page_frame("commitments_title", lang, "/commitments", query, *children)

    try:
        every = queries.commitments(as_of_date)
    except precompute.PastScorecardFailed as exc:
        return page(html.P(t("scorecard_failed", lang, day=as_of_text, reason=str(exc)), role="alert"))
    if every is None:  # a past date's scorecard is computed in the background
        return page(html.P([t("commitments_computing", lang, day=as_of_text), " ",
                            html.A("↻", href=f"/commitments{query}")], role="status", className="updating"))
    linked = sorted({link["indicator"] for item in every for link in item["indicators"]})
    chosen = {"party": _choice(party, PARTIES), "status": _choice(status, STATUSES),
              "indicator": _choice(indicator, linked)}
    items = select(every, **chosen)
    counts = summary(every)
    day = as_of_text or dt.date.today().isoformat()
    by_party = {p: sum(1 for i in every if i["party"] == p) for p in PARTIES}
    data_query = components.query_string({"as_of": as_of_text, **chosen})
    return page(
        html.P(t("commitments_intro", lang, day=day)),
        html.Details([html.Summary(t("commitments_rule_title", lang)), html.P(t("commitments_rule", lang))],
                     className="rule"),
        html.P([t("commitments_summary", lang, n=str(counts["commitments"]), counts="; ".join(
            f"{t('commitment_status_' + s, lang)} {n}" for s, n in counts["by_status"].items())), " ",
            t("commitments_by_party", lang, us=str(by_party["US"]), mx=str(by_party["MX"]),
              both=str(by_party["both"]))], id=COMMITMENTS_SUMMARY),
        filters(lang, as_of_text, chosen, linked),
        html.P(t("commitments_party_note", lang), className="meta"),
        html.P([t("commitments_shown", lang, n=str(len(items)), total=str(len(every))), " · ",
                t("download", lang) + ": ", html.A("CSV", href=f"/api/commitments.csv{data_query}"), " · ",
                html.A("JSON", href=f"/api/commitments.json{data_query}")]),
        html.Div(className="table-scroll", children=table(items, lang, as_of_date)) if items
        else html.P(t("commitments_none", lang), className="url-notice"),
    )
