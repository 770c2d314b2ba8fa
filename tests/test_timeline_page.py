"""The timeline page: every event, filtered by type, party and confidence from the address (a
plain form), each with its indicators linked to the explorer. Counts come from the timeline."""

from __future__ import annotations

import json

import pytest

from dashboard.state import ExplorerState
from etl.timeline import read_timeline
from tests.helpers import render

EVENTS = read_timeline()


def shown_ids(app, search: str) -> list[str]:
    layout, _title = render(app, "/timeline", search)
    return [eid.removeprefix("event-") for eid in json.dumps(layout).split('"id": "')[1:]
            for eid in [eid.split('"', 1)[0]] if eid.startswith("event-")]


def test_every_event_by_default_in_date_order(app):
    assert shown_ids(app, "") == [e["id"] for e in sorted(EVENTS, key=lambda e: (str(e["date"]), e["id"]))]


@pytest.mark.parametrize("search", ["?types=meeting", "?types=meeting&types=commitment", "?party=MX",
                                    "?confidence=confirmed,single", "?types=action&party=US"])
def test_filters_from_the_address(app, search):
    from urllib.parse import parse_qs

    query = {k: ",".join(v).split(",") for k, v in parse_qs(search.lstrip("?")).items()}
    expected = [e["id"] for e in sorted(EVENTS, key=lambda e: (str(e["date"]), e["id"]))
                if ({e["type"], *e.get("also", [])} & set(query.get("types", [e["type"]])))
                and set(e.get("parties") or []) & set(query.get("party", e.get("parties") or []))
                and e["confidence"] in query.get("confidence", [e["confidence"]])]
    got = shown_ids(app, search)
    assert got == expected and 0 < len(got) < len(EVENTS)


def test_linked_indicators_open_the_explorer_with_the_event_tested(app):
    layout, _title = render(app, "/timeline", "?lang=es")
    text = json.dumps(layout)
    linked = [(e["id"], link["indicator"]) for e in EVENTS for link in e.get("indicators") or []]
    assert linked
    for event_id, indicator in linked[:10]:
        assert ExplorerState(indicator, event=event_id, lang="es").href() in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_curated_verifiability_notes_are_shown(app, lang):
    """What the record says of a commitment's verifiability ("defines no metric, baseline or
    deadline") and of each indicator link is on the page, in the page's language."""
    layout, _title = render(app, "/timeline", "" if lang == "en" else "?lang=es")
    text = json.dumps(layout, ensure_ascii=False)
    notes = [e["verifiability"][lang] for e in EVENTS if e.get("verifiability")]
    links = [link["note"][lang] for e in EVENTS for link in e.get("indicators") or [] if link.get("note")]
    assert notes and links
    for note in notes + links:
        assert json.dumps(note, ensure_ascii=False)[1:-1] in text, note


@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_event_says_whether_an_official_text_is_on_file(app, lang):
    """Official texts are labelled; an event with press reports only says so (counted from the data)."""
    from dashboard.i18n import t
    from etl.timeline import is_primary

    layout, _title = render(app, "/timeline", "" if lang == "en" else "?lang=es")
    text = json.dumps(layout, ensure_ascii=False)
    missing = [e for e in EVENTS if not any(is_primary(url) for url in e["sources"])]
    official = [url for e in EVENTS for url in e["sources"] if is_primary(url)]
    assert missing and official
    assert text.count(t("source_no_official", lang)) == len(missing)
    assert text.count(f"({t('source_official', lang)})") == len(official)
