"""Every page stands in one frame (``components.page_frame``): the header with the navigation and
the language switch back to the same page, the refresh-status banner, then the page's heading.
Pages come from the page registry; each is rendered by the real Dash Pages callback."""

from __future__ import annotations

import dash
import pytest

from dashboard import ids
from dashboard.i18n import t
from tests.helpers import render, texts

# The explorer has no heading of its own: its chart's title names the view.
HEADINGLESS = {"/"}


@pytest.fixture(scope="module")
def app(snapshot_app):
    snapshot_app.server.test_client().get("/")  # registers the pages' callbacks
    return snapshot_app


def _props(node) -> dict:
    return node.get("props", {}) if isinstance(node, dict) else {}


def test_every_page_has_the_one_frame(app):
    pages = sorted(dash.page_registry.values(), key=lambda p: p["order"])
    assert pages
    for page in pages:
        path, name = page["path"], page["nav_key"].removeprefix("nav_")
        layout, _title = render(app, path, "?lang=es")
        assert layout["type"] == "Div" and _props(layout)["className"] == "page", path
        children = _props(layout)["children"]
        [at] = [i for i, node in enumerate(children) if node and node.get("type") == "Header"]
        # Before the header only what a reader does not see (the explorer's address and stores).
        assert {node["type"] for node in children[:at]} <= {"Location", "Store"}, path
        header, banner, *rest = children[at:]
        assert _props(header)["className"] == "header"
        assert texts(header)[0] == t("app_title", "es")
        # The navigation names every page in the page's language.
        assert [n for n in texts(header) if n in {t(p["nav_key"], "es") for p in pages}] == [
            t(p["nav_key"], "es") for p in pages], path
        [switch] = [n for n in _walk(header) if _props(n).get("id") == ids.LANGUAGE_LINK]
        href = _props(switch)["href"]
        assert href.split("?")[0] == path and "lang=es" not in href, (path, href)
        assert _props(banner)["id"] == ids.STATUS_BANNER, path
        headings = [node for node in rest if node and node.get("type") == "H2"]
        if path in HEADINGLESS:
            assert headings == [], path
        else:
            assert rest[0]["type"] == "H2" and _props(rest[0])["children"] == t(f"{name}_title", "es"), path


def _walk(node):
    if isinstance(node, dict):
        yield node
        yield from _walk(_props(node).get("children"))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)
