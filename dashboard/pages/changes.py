"""What changed: the change log, newest entry first (``/changes``; one entry: ``?entry=<id>``), each
with why it was recorded, the statuses that moved (old → new), the new and revised months, and
the releases published, withdrawn or restored. ``/api/changes.atom`` and ``/api/changes.json``
are its twins. Entries are stored as codes; the words are made here, in the page's language."""

from __future__ import annotations

from dash import dcc, html

from dashboard import change_words, components, queries
from dashboard.i18n import lang_query, normalise_lang, t
from dashboard.state import ExplorerState
from indicators.changes import select_entries
from indicators.registry import INDICATORS
from indicators.service import change_entries, change_entry

CHANGES = "changes-list"
PAGE_ENTRIES = 50


def _moves_table(item, lang: str, events: dict[str, dict]) -> html.Div | None:
    moves = item.payload.get("moves") or []
    if not moves:
        return None
    commitments = change_words._commitment_texts() if any(m["kind"] == "commitment" for m in moves) else {}
    rows = [html.Tr([html.Td(t(f"changes_kind_{m['kind']}", lang)),
                     html.Td(_subject(m, lang, events, commitments)),
                     html.Td(change_words.status_text(m["kind"], m["old"], lang)),
                     html.Td(change_words.status_text(m["kind"], m["new"], lang))]) for m in moves]
    return html.Div(className="table-scroll", children=html.Table(className="overview", children=[
        html.Thead(html.Tr([html.Th(t(k, lang)) for k in (
            "changes_col_kind", "changes_col_what", "changes_col_before", "changes_col_after")])),
        html.Tbody(rows),
    ]))


def _subject(move: dict, lang: str, events: dict[str, dict], commitments: dict) -> html.Span | dcc.Link:
    """What moved; a scorecard cell opens the explorer with its commitment tested."""
    text = change_words.subject_text(move, lang, events, commitments)
    event_id, _, indicator_id = move["key"].partition("|")
    if move["kind"] == "verdict" and indicator_id in INDICATORS and event_id in events:
        return dcc.Link(text, href=ExplorerState(indicator=indicator_id, event=event_id, lang=lang).href())
    return html.Span(text)


def entry_block(item, lang: str, events: dict[str, dict]) -> html.Article:
    """One entry: its date and number (a permalink), then its sections; moves as a table."""
    suffix = lang_query(lang, "&")
    day = item.recorded_at.date().isoformat()
    children = [
        html.H3(dcc.Link(change_words.title_text(item, lang), href=f"/changes?entry={item.id}{suffix}")),
        html.P([t("changes_entry", lang, id=str(item.id), when=f"{item.recorded_at:%Y-%m-%d %H:%M}"), " · ",
                dcc.Link(t("changes_scorecard_link", lang, day=day), href=f"/scorecard?as_of={day}{suffix}")],
               className="meta"),
    ]
    moves_heading = t("changes_moves", lang)
    for heading, lines in change_words.lines(item, lang, events):
        if heading == moves_heading and item.payload.get("moves"):
            children += [html.H4(heading), _moves_table(item, lang, events)]
            continue
        children += [html.H4(heading), html.Ul([html.Li(line) for line in lines])]
    return html.Article(id=f"entry-{item.id}", className="change-entry", children=children)


def layout(lang: str = "en", entry: str | None = None, **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    engine = queries.engine()
    events = {e["id"]: e for e in queries.events()}
    suffix = lang_query(lang)
    body: list = []
    if entry:
        item = change_entry(engine, int(entry)) if entry.isdigit() and len(entry) < 12 else None
        body = [entry_block(item, lang, events)] if item else [html.P(t("changes_unknown_entry", lang, id=entry[:20]))]
        body.append(html.P(dcc.Link(t("changes_all", lang), href=f"/changes{suffix}")))
    else:
        items = change_entries(engine, limit=PAGE_ENTRIES)
        body = [entry_block(item, lang, events) for item in items] or [html.P(t("changes_none", lang))]
    query = components.query_string({"entry": entry, "lang": lang if lang != "en" else None})
    feed_query = lang_query(lang)
    return components.page_frame(
        "changes_title", lang, "/changes", query,
        html.P(t("changes_intro", lang)),
        html.P([t("changes_subscribe", lang), " ",
                html.A(t("changes_feed_atom", lang), href=f"/api/changes.atom{feed_query}"),
                " · ", html.A(t("changes_feed_json", lang), href=f"/api/changes.json{feed_query}")]),
        html.Div(id=CHANGES, children=body),
    )


def overview_section(lang: str, limit: int = 3) -> list:
    """The overview's short "What changed" section: the newest entries' one-line summaries."""
    items = select_entries(change_entries(queries.engine(), limit=20), quiet=False)[:limit]
    suffix = lang_query(lang, "&")
    lines = [html.Li(dcc.Link(change_words.title_text(item, lang), href=f"/changes?entry={item.id}{suffix}"))
             for item in items]
    return [html.H3(t("changes_overview_title", lang)),
            html.Ul(lines, id="overview-changes-log") if lines else html.P(t("changes_none", lang)),
            html.P(dcc.Link(t("changes_overview_more", lang), href="/changes" + lang_query(lang)))]
