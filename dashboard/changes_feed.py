"""The change log's machine-readable twins: ``/api/changes.atom`` (Atom, for feed readers) and
``/api/changes.json`` (codes and numbers). ``?indicator=`` and ``?commitment=`` narrow both; a
value they cannot use is a 400 naming the valid choices. Entry links are permalinks on
``VERIFICA_PUBLIC_URL`` (or the request's address): the entry's page, and the scorecard as known
on the entry's date."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, jsonify, request
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from dashboard import change_words, links, queries
from dashboard.i18n import lang_query, languages, t
from indicators import changes, service

feeds = Blueprint("changes_feed", __name__, url_prefix="/api")
log = logging.getLogger(__name__)

PARAMS = ("indicator", "commitment", "lang", "limit")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
SCANNED = 2000


class BadChoice(ValueError):
    """A parameter of the feed that cannot be used (the message names the valid choices)."""


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@feeds.errorhandler(BadChoice)
def _bad(exc: BadChoice) -> Response:
    return _error(400, str(exc))


@feeds.errorhandler(SQLAlchemyError)
def _store_down(_exc: SQLAlchemyError) -> Response:
    log.exception("a change-log request could not read the store")
    response = _error(503, "the store cannot be read; try again shortly")
    response.headers["Retry-After"] = "30"
    return response


def selected() -> tuple[list, str]:
    """The entries the query asks for, newest first, and the language."""
    args = {key: values[-1] for key, values in request.args.lists()}
    unknown = sorted(set(args) - set(PARAMS))
    if unknown:
        raise BadChoice(f"unknown parameter(s): {', '.join(unknown)}; use {', '.join(PARAMS)}")
    lang = args.get("lang") or "en"
    if lang not in languages():
        raise BadChoice(f"lang={lang[:20]!r}; use {' or '.join(languages())}")
    limit = args.get("limit") or str(DEFAULT_LIMIT)
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise BadChoice(f"limit={limit[:20]!r}; use a whole number from 1 to {MAX_LIMIT}")
    indicator = args.get("indicator") or None
    if indicator and indicator not in changes.indicator_choices():
        raise BadChoice(f"unknown indicator {indicator[:80]!r}; use one of: {', '.join(changes.indicator_choices())}")
    commitment = args.get("commitment") or None
    engine = queries.engine()
    if commitment:
        choices = service.commitment_choices(engine)
        if commitment not in choices:
            raise BadChoice(f"unknown commitment {commitment[:80]!r}; use one of: {', '.join(choices) or '(none yet)'}")
    # Quiet entries (a code change that moved nothing) are left out and the filters narrow: the newest
    # SCANNED entries are read (years of daily refreshes), then selected.
    items = service.change_entries(engine, limit=SCANNED)
    return changes.select_entries(items, indicator=indicator, commitment=commitment)[:int(limit)], lang


def _base() -> str:
    return links.base_url().rstrip("/") + "/"


@feeds.get("/changes.json")
def changes_json() -> Response:
    """Every entry (or those concerning ``indicator`` / ``commitment``), newest first, as codes and
    numbers with its permalink; the words are the Atom feed's and the page's."""
    items, lang = selected()
    return jsonify({"entries": [{**changes.entry_json(item, _base()),
                                 "title": change_words.title_text(item, lang)} for item in items],
                    "causes": list(changes.CAUSES), "lang": lang})


def _html(item, lang: str, events: dict[str, dict]) -> str:
    """An entry's sections as a small HTML fragment (escaped) for feed readers."""
    parts = []
    for heading, lines in change_words.lines(item, lang, events):
        parts.append(f"<h3>{escape(heading)}</h3><ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines)
                     + "</ul>")
    day = item.recorded_at.date().isoformat()
    link = f"{_base()}scorecard?as_of={day}" + lang_query(lang, "&")
    parts.append(f'<p><a href="{escape(link)}">{escape(t("changes_scorecard_link", lang, day=day))}</a></p>')
    return "".join(parts)


@feeds.get("/changes.atom")
def changes_atom() -> Response:
    """The change log as an Atom feed (newest first), in ``lang``."""
    items, lang = selected()
    events = {e["id"]: e for e in queries.events()}
    base = _base()
    query = request.query_string.decode("ascii", "replace")
    host = urlsplit(base).hostname or "localhost"
    feed = FeedGenerator()
    feed.id(f"{base}api/changes.atom" + (f"?{query}" if query else ""))
    feed.title(t("changes_feed_title", lang))
    feed.subtitle(t("changes_feed_subtitle", lang))
    feed.language(lang)
    feed.author({"name": "Verifica"})
    feed.link(href=f"{base}api/changes.atom" + (f"?{query}" if query else ""), rel="self")
    feed.link(href=f"{base}changes" + lang_query(lang), rel="alternate")
    newest = items[0].recorded_at if items else dt.datetime(2025, 1, 1)
    feed.updated(newest.replace(tzinfo=dt.UTC))
    for item in reversed(items):  # feedgen lists the entry added last first
        day = item.recorded_at.date().isoformat()
        entry = feed.add_entry()
        # A tag URI: permanent and dated (RFC 4151), whatever address the app is later served at.
        entry.id(f"tag:{host},{day}:changes/{item.id}")
        entry.title(change_words.title_text(item, lang))
        # One link: feedgen 1.0 writes an entry's links without their rel, so a second would be read as
        # another "alternate"; the scorecard as known that day is linked in the content.
        entry.link(href=f"{base}changes?entry={item.id}" + lang_query(lang, "&"), rel="alternate")
        entry.updated(item.recorded_at.replace(tzinfo=dt.UTC))
        entry.published(item.recorded_at.replace(tzinfo=dt.UTC))
        entry.content(_html(item, lang, events), type="html")
        for cause in item.causes:
            entry.category(term=cause, label=change_words.cause_text([cause], lang))
    return Response(feed.atom_str(pretty=True), mimetype="application/atom+xml")

