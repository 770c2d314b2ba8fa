"""Every page in Spanish carries no English UI string (text marked ``lang="en"`` on purpose excepted:
source titles and citations as recorded). The English strings looked for are the
app's own tables (interface strings, verdicts, methods, flags): any of them that differs from its
Spanish and shows up on a Spanish page is a missed translation. Pages come from the page registry;
each is rendered by the real Dash Pages callback, tab title included."""

from __future__ import annotations

import json
import re

import dash
import pytest

from dashboard.app_factory import create_app
from dashboard.i18n import FLAG_LABELS, STRINGS
from indicators.explain import METHOD_LABELS, VERDICT_LABELS
from tests.helpers import render, texts


def english_only() -> set[str]:
    """UI strings whose English differs from their Spanish (format fields cut at the first one)."""
    found = set()
    for table in (STRINGS, VERDICT_LABELS, METHOD_LABELS, FLAG_LABELS):
        for pair in table.values():
            en, es = pair.get("en", ""), pair.get("es", "")
            head = re.split(r"\{", en)[0].strip(" :.(")
            if en != es and len(head) >= 6 and head not in es:
                found.add(head)
    return found


def shows(words: str, seen: str) -> bool:
    """``words`` stand on the page as words, not inside an identifier (``cdc_overdose_deaths_12m``)."""
    return re.search(r"(?<!\w)" + re.escape(words) + r"(?!\w)", seen) is not None


def pages() -> list[str]:
    create_app(prepare_store=False)
    return sorted(page["path"] for page in dash.page_registry.values())


@pytest.mark.parametrize("path", pages())
def test_every_page_in_spanish_has_no_english_ui_string(app, path):
    layout, title = render(app, path, "?lang=es")
    seen = " \n ".join([*texts(layout), title])
    leaks = sorted(s for s in english_only() if shows(s, seen))
    assert leaks == [], leaks
    _english, english_title = render(app, path, "")
    assert title.startswith("Verifica — ") and title != english_title  # the tab title is translated too


def test_the_english_pages_are_the_control(app):
    """The same check finds the English strings on the English pages (it can fail)."""
    layout, _title = render(app, "/", "")
    seen = " ".join(texts(layout))
    assert any(s in seen for s in english_only())


def test_the_explorer_callback_output_in_spanish_has_no_english_ui_string(app):
    """The chart, the event list and the source card come from the explorer's callback."""
    from dashboard.pages import explorer
    from dashboard.state import ExplorerState
    from indicators.registry import available_indicators

    event = next(e["id"] for e in app.server.test_client().get("/api/events.json").get_json()["events"])
    for spec in available_indicators():
        with app.server.test_request_context("/"):
            state = ExplorerState(spec.id, event_types=("meeting", "commitment"), event=event, lang="es")
            out = explorer.render_state(state)
            options = explorer.transform_options(state)
            # The table's rows and the state map come on unfolding, from their own callbacks.
            unfolded = [explorer.table_body(1, state.search()), explorer.map_body(1, state.search())]
        figure = out["figure"]  # plain dicts, as the browser gets them
        layout = json.loads(json.dumps([out["info"], out["panel"], out["table"], out["map"], out["camera"], options,
                                        unfolded], cls=__import__("plotly").utils.PlotlyJSONEncoder))
        seen = " \n ".join([*texts(layout), (figure["layout"].get("title") or {}).get("text") or "",
                            *[trace.get("name") or "" for trace in figure["data"]]])
        leaks = sorted(s for s in english_only() if shows(s, seen))
        assert leaks == [], (spec.id, leaks)


def test_curated_text_is_spanish_on_spanish_pages(app, snapshot_store):
    """Curated words have a Spanish value, or are a proper name or reference marked as written
    (``lang="en"``): source titles and licences, how each release date was known, event titles."""
    from sqlalchemy import text

    from dashboard.i18n import BASIS
    from etl.common import load_origin
    from etl.sources import SOURCES
    from etl.timeline import read_timeline

    with snapshot_store.connect() as conn:
        notes = {row[0] for row in conn.execute(text("SELECT DISTINCT published_on_basis FROM vintages"))}
    assert notes and notes <= set(BASIS), sorted(notes - set(BASIS))
    origins = [load_origin(source) for source in SOURCES]
    assert all(o["title_es"] and o["licence_es"] for o in origins)
    assert all(e["title"].get("es") and e["summary"].get("es") for e in read_timeline())
    layout, _title = render(app, "/sources", "?lang=es")
    seen = " \n ".join(texts(layout))  # the unmarked text: what the page says in Spanish
    for origin in origins:
        assert origin["title_es"] in seen and origin["licence_es"] in seen
        if origin["title"] != origin["title_es"]:
            assert origin["title"] not in seen
    estimated = [n for n in notes if n.startswith("estimated")]
    assert all(BASIS[n]["es"] in seen for n in estimated) and not any(n in seen for n in estimated)
