"""Timeline page: every event of the commitments timeline, filtered by type, party and confidence
(``?types=meeting,commitment&party=MX&confidence=confirmed&lang=es``: each filter is a link that
switches one value, so every filtered view is a permalink), each with its commitments, sources
and the indicators it is linked to (links to the explorer with that event tested)."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from dashboard import components, queries
from dashboard.i18n import normalise_lang, pick, t
from dashboard.state import ExplorerState
from indicators.catalogue import CONFIDENCE, EVENT_TYPES, is_primary
from indicators.registry import INDICATORS

TIMELINE = "timeline-list"


def _chosen(value: str | list[str] | None, allowed: list[str]) -> list[str]:
    """``a,b`` or a repeated parameter (what the form sends); nothing valid means everything."""
    values = value if isinstance(value, list) else (value or "").split(",")
    picked = [v for v in values if v in allowed]
    return picked or list(allowed)


def _event(event: dict, lang: str) -> html.Li:
    links = []
    for link in event.get("indicators") or []:
        spec = INDICATORS.get(link["indicator"])
        if spec is None:
            continue
        href = ExplorerState(indicator=spec.id, event=event["id"], lang=lang).href()
        note = [" — ", pick(link["note"], lang)] if link.get("note") else []
        links.append(html.Li([dcc.Link(pick(spec.name, lang), href=href), *note]))
    commitments = [html.Li(pick(c, lang)) for c in event.get("commitments") or []]
    # What the curated record says of the commitments' verifiability (no metric, baseline or deadline).
    verifiability = event.get("verifiability")
    return html.Li(id=f"event-{event['id']}", className=f"timeline-event type-{event['type']}", children=[
        html.H3([f"{event['date']} · ", pick(event["title"], lang)]),
        html.P([t("type_" + event["type"], lang), " · ", ", ".join(event.get("parties") or []), " · ",
                t("timeline_confidence_" + event["confidence"], lang)], className="meta"),
        html.P(pick(event["summary"], lang)),
        html.Ul(commitments) if commitments else None,
        html.P([html.B(t("timeline_verifiability", lang) + " "), pick(verifiability, lang)], className="verifiability")
        if verifiability else None,
        html.Details([html.Summary(t("timeline_indicators", lang, n=str(len(links)))), html.Ul(links)])
        if links else html.P(t("timeline_no_indicator", lang), className="meta"),
        html.P([html.B(f"{t('source', lang)}: "), *[item for i, url in enumerate(event.get("sources") or [])
                                                   for item in ((" · " if i else ""),
                                                                html.A(url.split("/")[2], href=url,
                                                                       rel="noopener"),
                                                                f" ({t('source_official', lang)})"
                                                                if is_primary(url) else "")],
                *([" — ", html.Span(t("source_no_official", lang), className="no-official")]
                  if not any(is_primary(url) for url in event.get("sources") or []) else [])]),
    ])


def layout(lang: str = "en", types: str | list[str] | None = None, party: str | list[str] | None = None,
           confidence: str | list[str] | None = None, **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    events = queries.events()
    parties = sorted({p for e in events for p in e.get("parties") or []})
    chosen_types, chosen_confidence = _chosen(types, EVENT_TYPES), _chosen(confidence, CONFIDENCE)
    chosen_parties = _chosen(party, parties)
    shown = [e for e in events
             if ({e["type"], *e.get("also", [])} & set(chosen_types)) and e["confidence"] in chosen_confidence
             and set(e.get("parties") or []) & set(chosen_parties)]

    chosen = {"types": chosen_types, "party": chosen_parties, "confidence": chosen_confidence}
    allowed = {"types": EVENT_TYPES, "party": parties, "confidence": CONFIDENCE}

    def href(name: str, value: str) -> str:
        """This page with ``value`` of filter ``name`` switched (each filter view is a permalink)."""
        params = {}
        for key, values in chosen.items():
            picked = [v for v in allowed[key] if (v in values) != (key == name and v == value)]
            if picked and picked != allowed[key]:
                params[key] = ",".join(picked)
        if lang != "en":
            params["lang"] = lang
        return "/timeline" + ("?" + urlencode(params, safe=",") if params else "")

    def toggles(name: str, label) -> html.P:
        return html.P(className="timeline-filter", children=[html.B(f"{t(f'timeline_filter_{name}', lang)}: "), *[
            item for value in allowed[name] for item in (
                html.A(("✓ " if value in chosen[name] else "") + label(value), href=href(name, value),
                       className="on" if value in chosen[name] else "off",
                       **{"aria-pressed": "true" if value in chosen[name] else "false"}), " ")]])

    query = href("", "").removeprefix("/timeline")  # this view: the language switch keeps the filters
    return components.page_frame(
        "timeline_title", lang, "/timeline", query,
        html.P(t("timeline_count", lang, n=str(len(shown)), total=str(len(events)))),
        toggles("types", lambda v: t("type_" + v, lang)),
        toggles("party", lambda v: v),
        toggles("confidence", lambda v: t("timeline_confidence_" + v, lang)),
        html.Ol(id=TIMELINE, className="timeline", children=[_event(e, lang) for e in shown]),
    )
