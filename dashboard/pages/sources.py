"""Sources page: a card per source (who publishes it, how to cite it, every vintage loaded with its
coverage and release date, the latest release, cadence and lag) and, inside it, a card per
indicator (what it measures, unit, frequency, geographies, lag, the direction the commitments aim
at and why that can mislead, dated measurement changes, caveats, downloads). ``?lang=es``.
"""

from __future__ import annotations

from dash import html

from dashboard import components, links, queries
from dashboard.i18n import lang_query, normalise_lang, t
from dashboard.state import ExplorerState
from indicators.cards import indicator_card
from indicators.catalogue import SOURCE_IDS, load_origin
from indicators.registry import INDICATORS


def _vintage(v, lang: str, history: list) -> html.Li:
    estimated = v.published_on_basis.startswith("estimated")
    published = f"~{v.published_on}" if estimated else str(v.published_on)
    coverage = f"{v.period_start:%Y-%m}..{v.period_end:%Y-%m}" if v.period_start else "—"
    withdrawn = (f" — {t('withdrawn_on', lang, day=str(v.withdrawn_on))}: {v.withdrawn_reason}"
                 if v.withdrawn_on else "")
    undone = [t("withdrawn_restored", lang, day=str(w.withdrawn_on), restored=str(w.restored_on),
                reason=w.restore_reason or "") for w in history if w.vintage_id == v.id and w.restored_on]
    return html.Li(className="withdrawn" if v.withdrawn_on else None, children=[
        f"#{v.id} ", html.Code(v.file_name), f" — {t('published', lang)} {published}",
        html.Span([" (", components.basis(v.published_on_basis, lang), ")"]) if estimated else "",
        f"; {t('coverage', lang)} {coverage}; {v.row_count:,} {t('rows', lang)}; sha256 {v.sha256[:12]}",
        html.B(withdrawn) if withdrawn else None,
        *[html.Span(f" — {line}") for line in undone],
    ])


def _indicator(card: dict, lang: str) -> html.Div:
    rows = [(t(f"card_{field}", lang), card[field]) for field in (
        "unit", "frequency", "geographies", "lag", "direction")]
    changes = [f"{c['date']}: {c['title']}" for c in card["measurement_changes"]]
    return html.Div(id=f"card-{card['id']}", className="indicator-card", children=[
        html.H4(card["name"]),
        html.P(card["description"]),
        html.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in rows])),
        html.P([html.B(f"{t('card_why', lang)}: "), card["caveats"]]),
        html.P([html.B(f"{t('card_changes', lang)}: "), "; ".join(changes) if changes else t("card_no_changes", lang)]),
        html.P([html.B(f"{t('download', lang)}: "),
                html.A("CSV", href=f"/api/indicators/{card['id']}.csv"), " · ",
                html.A("JSON", href=f"/api/indicators/{card['id']}.json"), " · ",
                html.A(t("nav_explorer", lang),
                       href=ExplorerState(indicator=card["id"], lang=lang).href())]),
    ])


def _overdue(source_id: str, late: dict | None, lang: str) -> list:
    """The status page's word on a late source: for readers, and the operator's command."""
    if not late:
        return []
    return [html.P(className="stale-notice", children=[
        t("source_overdue", lang, due=late["expected_by"], month=(late.get("data_through") or "—")[:7]), " ",
        t("source_overdue_operator", lang), " ", html.Code(links.operator_hint(source_id)), "."])]


def _closed(origin: dict, lang: str) -> list:
    """A series the publisher closed (origin file ``closed``): said on its card, with where the
    publisher went, so a silent source is never read as merely late."""
    closed = origin.get("closed")
    if not closed:
        return []
    successor = load_origin(closed["successor"])
    return [html.P(className="closed-notice", children=[
        html.B(t("source_closed", lang, through=closed["through"])), " ", components.origin_text(closed, "why", lang),
        " ", t("source_closed_successor", lang), " ",
        html.A(components.origin_text(successor, "title", lang), href=f"#source-{closed['successor']}"), "."])]


def _break(lang: str) -> html.Section:
    """SESNSP's move to its 2026 register, explained once above the cards."""
    return html.Section(id="rnid-break", className="source-note", children=[
        html.H3(t("rnid_break_title", lang)), html.P(t("rnid_break_text", lang)),
        html.P([html.A("SESNSP, datos abiertos de incidencia delictiva",
                       href=load_origin("sesnsp_rnid")["url_main"])])])


def layout(lang: str = "en", **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    late = queries.overdue()
    events = queries.events()
    history = queries.withdrawals()
    cards = []
    for source_id in SOURCE_IDS:
        origin = load_origin(source_id)
        vintages = queries.vintages(source_id)
        indicators = [spec for spec in INDICATORS.values()
                      if spec.source_id == source_id and spec.status == "available"]
        served = [v for v in vintages if v.withdrawn_on is None]
        latest = served[-1] if served else None
        cards.append(html.Section(id=f"source-{source_id}", className="source-card", children=[
            html.H3(components.origin_text(origin, "title", lang)),
            html.P([html.B(f"{t('producer', lang)}: "), components.as_written(origin["producer"])]),
            html.P([html.B(f"{t('citation', lang)}: "), components.as_written(origin["citation"])]),
            html.P([html.B(f"{t('licence', lang)}: "), components.origin_text(origin, "licence", lang), " · ",
                    html.A(origin["url_main"], href=origin["url_main"])]),
            *_closed(origin, lang),
            *_overdue(source_id, late.get(source_id), lang),
            html.P([html.B(f"{t('cadence', lang)}: "), t("cadence_" + origin["cadence"], lang), " · ",
                    html.B(f"{t('latest_release', lang)}: "),
                    (html.Code(latest.file_name) if latest else t("no_data", lang))]),
            html.Details([html.Summary(f"{t('vintage', lang)} ({len(vintages)})"),
                          html.Ul([_vintage(v, lang, history) for v in vintages])], open=False),
            *[_indicator(indicator_card(spec, lang, events), lang) for spec in indicators],
        ]))
    query = lang_query(lang)
    return components.page_frame(
        "sources_title", lang, "/sources", query,
        html.P(t("sources_intro", lang)),
        _break(lang),
        html.Div(id="sources", children=cards),
    )
