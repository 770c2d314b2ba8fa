"""Claims page: every official figure stated in public, beside the independent number.

One row per claim: who said it, when, for which period, the claimed value (a "más de" figure is
shown as a lower bound), the independent value and its source vintage, and the status in words
(consistent, inconsistent by how much, or not checkable and why). State in the URL (``?lang=es``,
``?as_of=YYYY-MM-DD``); ``/api/claims.json`` has the same rows.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import html

from dashboard import components, ids, queries
from dashboard.figures import CLAIM_COLOURS, CLAIM_SYMBOLS
from dashboard.i18n import normalise_lang, pick, t
from indicators.claims import KIND_LABELS, TOLERANCE, UNIT_LABELS, summary
from indicators.explain import number


def _unit(item: dict, lang: str) -> str:
    return pick(UNIT_LABELS.get(item["unit"]), lang) or item["unit"]


def _value(item: dict, lang: str) -> str:
    text = f"{number(item['value'], lang)} {_unit(item, lang)}"
    return t("claim_lower_bound", lang, value=text) if item["bound"] == "lower" else text


def _status(item: dict, lang: str) -> html.Div:
    status = item["status"]
    parts = [html.Span([html.Span(CLAIM_SYMBOLS[status], **{"aria-hidden": "true"}), " ",
                        t("claim_status_" + status, lang)], className=f"badge claim-{status}",
                       style={"background": CLAIM_COLOURS[status]})]
    reason = t("claim_reason_" + item["reason"], lang, expected_by=item.get("expected_by") or "",
               data_through=item.get("data_through") or "",
               tolerance=number(TOLERANCE * 100, lang))
    if item["status"] == "inconsistent":
        reason = t("claim_off_by", lang, difference=number(item["difference"], lang, True),
                   percent=number(item["difference_pct"], lang, True), unit=_unit(item, lang)) + " " + reason
    elif item["status"] == "consistent" and item.get("difference_pct") is not None:
        reason += " " + t("claim_diff", lang, percent=number(item["difference_pct"], lang, True))
    parts.append(html.Div(reason, className="reason"))
    if item.get("would_need"):
        parts.append(html.Div(t("claim_would_need", lang, what=pick(item["would_need"], lang)), className="reason"))
    own = item.get("own_figures") or {}
    if own.get("status") == "decreases":
        parts.append(html.Div(t("claim_own_decrease", lang, value=number(own["earlier_value"], lang),
                                date=own["earlier_period_end"]), className="reason warning"))
    if item.get("ambiguous"):
        parts.append(html.Div(t("claim_ambiguous", lang), className="reason"))
    return html.Div(parts)


def _independent(item: dict, lang: str) -> html.Div | str:
    found = item.get("independent")
    if not found:
        return "—"
    lines = [html.Div(f"{number(found['value'], lang)} {_unit(item, lang)}"),
             html.Div(f"{found['indicator']} · {', '.join(found['vintages'])}", className="vintage")]
    if found.get("provisional"):
        lines.append(html.Div(t("provisional", lang), className="vintage"))
    return html.Div(lines)


def layout(lang: str = "en", as_of: str | None = None, **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    as_of_date = queries.page_as_of(as_of)
    items = queries.claims(as_of_date)
    counts = summary(items)
    titles = {e["id"]: f"{e['date']} {pick(e['title'], lang)}" for e in queries.events()}
    header = html.Tr([html.Th(t(key, lang)) for key in (
        "claim_col_claim", "claim_col_who", "claim_col_period", "claim_col_value", "claim_col_independent",
        "claim_col_status")])
    rows = [
        html.Tr(id=f"claim-{item['id']}", className=f"claim-row claim-{item['status']}", children=[
            html.Td([html.Div(pick(item["label"], lang)),
                     html.Div(pick(KIND_LABELS.get(item["kind"]), lang) or item["kind"], className="vintage")]),
            html.Td([html.Div(item["claimant"]),
                     html.Div([t("claim_stated_on", lang, date=item["stated_on"]) if item["stated_on"]
                               else t("claim_undated", lang), " · ",
                               html.A(t("source", lang), href=item["url"])], className="vintage"),
                     *[html.Div(t("claim_event", lang, event=titles.get(e, e)), className="vintage")
                       for e in item["events"]]]),
            html.Td(f"{item['period_start']} … {item['period_end']}"),
            html.Td(_value(item, lang)),
            html.Td(_independent(item, lang)),
            html.Td(_status(item, lang)),
        ])
        for item in items
    ]
    query = urlencode({k: v for k, v in {"as_of": as_of, "lang": lang if lang != "en" else None}.items() if v})
    by_status = counts["by_status"]
    return html.Div(className="page", children=[
        components.header(lang, "/claims", f"?{query}" if query else ""),
        components.status_banner(lang),
        html.H2(t("claims_title", lang)),
        html.P(t("claims_intro", lang, tolerance=number(TOLERANCE * 100, lang))),
        html.P(t("claims_summary", lang, n=str(counts["claims"]),
                 consistent=str(by_status.get("consistent", 0)), inconsistent=str(by_status.get("inconsistent", 0)),
                 not_checkable=str(by_status.get("not_checkable", 0))), id="claims-summary"),
        html.Table(id=ids.CLAIMS, className="scorecard claims", children=[html.Thead(header), html.Tbody(rows)]),
        html.P(html.A("JSON", href=f"/api/claims.json{'?' + query if query else ''}")),
    ])
