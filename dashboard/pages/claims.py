"""Claims page: every official figure stated in public, beside the independent number.

One row per claim: who said it, when, for which period, the claimed value (a "más de" figure is
shown as a lower bound), the independent value and its source vintage, and the status in words
(consistent, inconsistent by how much, or not checkable and why). State in the URL (``?lang=es``,
``?as_of=YYYY-MM-DD``, and the selection: ``status``, ``claimant``, ``q``, ``sort``, ``order``);
``/api/claims.json`` and ``/api/claims.csv`` have the same rows.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import components, ids, queries
from dashboard.figures import CLAIM_COLOURS, CLAIM_SYMBOLS
from dashboard.i18n import normalise_lang, pick, t
from indicators.claims import KIND_LABELS, SORTS, STATUSES, TOLERANCE, UNIT_LABELS, select, summary
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
    independent = item.get("independent") or {}
    reason = t("claim_reason_" + item["reason"], lang, expected_by=item.get("expected_by") or "",
               data_through=item.get("data_through") or "",
               tolerance=number(item.get("tolerance_points") or TOLERANCE * 100, lang),
               recomputed=number(independent["value"], lang, True) if independent else "",
               period=_months(item.get("period")), base=_months(item.get("base")),
               points=number(abs(item.get("difference") or 0), lang))
    if item["kind"] == "change":
        pass  # the reason says it all: the recomputed change, over which periods, and the tolerance
    elif item["status"] == "inconsistent":
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


def _months(period: dict | None) -> str:
    if not period:
        return ""
    return period["start"] if period["start"] == period["end"] else f"{period['start']}…{period['end']}"


def _reading(item: dict, lang: str) -> list:
    """A curated claim's words as reported, the reading taken and the other readings recomputed."""
    if not item.get("curated"):
        return []
    parts = [html.Div([t("claim_reported", lang), " ", html.Q(item["reported"], lang=item["reported_lang"])],
                      className="vintage")]
    if item.get("reading"):
        parts.append(html.Div([html.B(t("claim_reading", lang)), " ", pick(item["reading"], lang)],
                              className="vintage"))
    if item.get("alternatives"):
        parts.append(html.Div(t("claim_alternatives", lang), className="vintage"))
        parts.append(html.Ul([html.Li([
            pick(alt["label"], lang), ": ",
            f"{number(alt['value'], lang, True)} %" if alt.get("value") is not None
            else t("claim_alternative_missing", lang),
            *([" ", t("claim_status_" + alt["status"], lang).lower()] if alt.get("status") else [])])
            for alt in item["alternatives"]], className="vintage"))
        key = {True: "claim_reading_matters", False: "claim_reading_holds", None: "claim_reading_unknown"}
        parts.append(html.Div(t(key[item.get("reading_matters")], lang), className="reason"))
    return parts


def _independent(item: dict, lang: str) -> html.Div | str:
    found = item.get("independent")
    if not found:
        return "—"
    lines = [html.Div(f"{number(found['value'], lang)} {_unit(item, lang)}")]
    if found.get("base_value") is not None:  # a change: the two periods' values it comes from
        lines.append(html.Div(f"{_months(item['period'])}: {number(found['period_value'], lang)} · "
                              f"{_months(item['base'])}: {number(found['base_value'], lang)}", className="vintage"))
    lines.append(html.Div(f"{found['indicator']} · {', '.join(found['vintages'])}", className="vintage"))
    if found.get("provisional"):
        lines.append(html.Div(t("provisional", lang), className="vintage"))
    return html.Div(lines)


def _choice(value: str | None, allowed) -> str | None:
    return value if value in allowed else None


def filters(lang: str, as_of: str | None, chosen: dict, claimants: list[str]) -> html.Form:
    """The selection, as a plain GET form (:func:`dashboard.components.get_form`)."""
    def select(name: str, options: list[tuple[str, str]], label: str) -> html.Label:
        return components.select_field(name, label, options, chosen.get(name), f"claims-{name}")

    return components.get_form("/claims", lang, [
        html.Label([t("claims_search", lang), dcc.Input(type="search", name="q", id=ids.CLAIMS_SEARCH,
                                                        value=chosen.get("q") or "", debounce=True)]),
        select("status", [("", t("claims_all", lang)), *[(s, t("claim_status_" + s, lang)) for s in STATUSES]],
               t("claim_col_status", lang)),
        select("claimant", [("", t("claims_all", lang)), *[(c, c) for c in claimants]], t("claims_claimant", lang)),
        select("sort", [(s, t("claims_sort_" + s, lang)) for s in SORTS], t("claims_sort", lang)),
        select("order", [("", t("claims_natural", lang)), ("desc", t("claims_desc", lang)),
                         ("asc", t("claims_asc", lang))], t("claims_order", lang)),
    ], hidden={"as_of": as_of}, className="claims-filter", id=ids.CLAIMS_FILTER)


def layout(lang: str = "en", as_of: str | None = None, status: str | None = None, claimant: str | None = None,
           q: str | None = None, sort: str | None = None, order: str | None = None, **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    as_of_date = queries.page_as_of(as_of)
    every = queries.claims(as_of_date)
    claimants = sorted({item["claimant"] for item in every})
    chosen = {"status": _choice(status, STATUSES), "claimant": _choice(claimant, claimants), "q": (q or "")[:200],
              "sort": _choice(sort, SORTS) or "stated_on", "order": _choice(order, ("asc", "desc"))}
    items = select(every, status=chosen["status"], claimant=chosen["claimant"], q=chosen["q"], sort=chosen["sort"],
                   descending=None if chosen["order"] is None else chosen["order"] == "desc", lang=lang)
    as_of = as_of_date.isoformat() if as_of_date else None  # the links carry the date understood
    counts = summary(every)
    titles = {e["id"]: f"{e['date']} {pick(e['title'], lang)}" for e in queries.events()}
    # The status second: on a phone it is in view with the claim's name.
    header = html.Tr([html.Th(t(key, lang)) for key in (
        "claim_col_claim", "claim_col_status", "claim_col_who", "claim_col_period", "claim_col_value",
        "claim_col_independent")])
    rows = [
        html.Tr(id=f"claim-{item['id']}", className=f"claim-row claim-{item['status']}", children=[
            html.Td([html.Div(pick(item["label"], lang)),
                     html.Div(pick(KIND_LABELS.get(item["kind"]), lang) or item["kind"], className="vintage"),
                     *_reading(item, lang)]),
            html.Td(_status(item, lang)),
            html.Td([html.Div(item["claimant"]),
                     html.Div([t("claim_stated_on", lang, date=item["stated_on"]) if item["stated_on"]
                               else t("claim_undated", lang), " · ",
                               html.A(t("source", lang), href=item["url"])], className="vintage"),
                     *[html.Div(t("claim_event", lang, event=titles.get(e, e)), className="vintage")
                       for e in item["events"]]]),
            html.Td([html.Div(f"{item['period_start']} … {item['period_end']}"),
                     *([html.Div(t("claim_compared_with", lang, base=_months(item["base"])), className="vintage")]
                       if item.get("base") else [])]),
            html.Td(_value(item, lang)),
            html.Td(_independent(item, lang)),
        ])
        for item in items
    ]
    query = components.query_string({"as_of": as_of, "lang": lang if lang != "en" else None})
    data_query = components.query_string({
        "as_of": as_of, "status": chosen["status"], "claimant": chosen["claimant"], "q": chosen["q"],
        "sort": chosen["sort"] if chosen["sort"] != "stated_on" else None, "order": chosen["order"],
        "lang": lang if lang != "en" else None})
    by_status = counts["by_status"]
    return components.page_frame(
        "claims_title", lang, "/claims", query,
        html.P(t("claims_intro", lang, tolerance=number(TOLERANCE * 100, lang))),
        html.P(t("claims_summary", lang, n=str(counts["claims"]),
                 consistent=str(by_status.get("consistent", 0)), inconsistent=str(by_status.get("inconsistent", 0)),
                 not_checkable=str(by_status.get("not_checkable", 0))), id="claims-summary"),
        filters(lang, as_of, chosen, claimants),
        html.P([t("claims_shown", lang, n=str(len(items)), total=str(len(every))), " · ",
                t("download", lang) + ": ", html.A("CSV", href=f"/api/claims.csv{data_query}", id=ids.CLAIMS_CSV),
                " · ", html.A("JSON", href=f"/api/claims.json{data_query}")], id=ids.CLAIMS_SHOWN),
        html.Table(id=ids.CLAIMS, className="scorecard claims", children=[html.Thead(header), html.Tbody(rows)])
        if items else html.P(t("claims_none", lang), className="url-notice"),
    )
