"""Crafted Dash callback requests get a 400 with a one-line reason, never a 500; the requests the
app's own pages send still work. The explorer callback's request is built from the app's own
callback map, so the test follows the layout."""

from __future__ import annotations

import copy
import json

import pytest

from dashboard import ids
from indicators.registry import available_indicators
from tests.helpers import ENDPOINT, explorer_request, post, set_value


def test_the_explorer_request_works(app_and_client):
    app, client = app_and_client
    response = post(client, explorer_request(app))
    assert response.status_code == 200
    assert ids.FIGURE in response.get_json()["response"]


CRAFTED = [
    ("not JSON", lambda b: "{", "not a JSON object"),
    ("a JSON list", lambda b: [b], "not a JSON object"),
    ("unknown output", lambda b: {**b, "output": "nope.children"}, "no such callback output"),
    ("outputs missing", lambda b: {**b, "outputs": []}, "outputs do not match"),
    ("inputs missing", lambda b: {**b, "inputs": b["inputs"][:2]}, "inputs do not match"),
    ("inputs not a list", lambda b: {**b, "inputs": "x"}, "inputs must be a list"),
    ("state swapped", lambda b: {**b, "state": [{"id": "x", "property": "y", "value": 1}]}, "state do not match"),
    ("indicator a number", lambda b: set_value(b, (ids.INDICATOR, "value"), 5), "must be a string"),
    ("unknown indicator", lambda b: set_value(b, (ids.INDICATOR, "value"), "nope"), "unknown indicator 'nope'"),
    ("geo an object", lambda b: set_value(b, (ids.GEO, "value"), {"a": 1}), "must be a string"),
    ("month not a month", lambda b: set_value(b, (ids.DATES, "start_date"), "2024-13-45"), "is not a month"),
    ("as_of garbage", lambda b: set_value(b, (ids.AS_OF, "date"), "garbage"), "is not a date"),
    ("event types numbers", lambda b: set_value(b, (ids.EVENT_TYPES, "value"), [1, 2]), "a list of strings"),
    ("language an object", lambda b: set_value(b, (ids.LANG, "data"), {"x": 1}), "must be a string"),
    ("huge string", lambda b: set_value(b, (ids.GEO, "value"), "x" * 10_000), "must be a string"),
]


@pytest.mark.parametrize(("what", "craft", "message"), CRAFTED, ids=[c[0] for c in CRAFTED])
def test_a_crafted_request_is_a_400_with_a_reason(app_and_client, what, craft, message):
    app, client = app_and_client
    body = craft(copy.deepcopy(explorer_request(app)))
    response = post(client, body, raw=isinstance(body, str))
    assert response.status_code == 400, (what, response.status_code)
    assert message in response.get_json()["error"]


def test_every_callback_of_the_app_is_covered_by_a_value_type(app_and_client):
    """A new callback input without a declared type would skip the check: fail instead."""
    from dashboard.callback_guard import VALUE_TYPES

    app, client = app_and_client
    client.get("/")  # Dash registers the pages' own callbacks on the first request
    assert any("_pages_content" in output for output in app.callback_map)
    for declared in app.callback_map.values():
        for item in declared["inputs"] + declared.get("state", []):
            assert (item["id"], item["property"]) in VALUE_TYPES, item


def map_click_request(app, click) -> dict:
    [output] = [k for k in app.callback_map if k.startswith(f"{ids.GEO}.value")]
    return {"output": output, "outputs": {"id": ids.GEO, "property": output.rsplit(".", 1)[1]},
            "inputs": [{"id": ids.MAP_GRAPH, "property": "clickData", "value": click}],
            "state": [{"id": ids.GEO, "property": "options", "value": [{"label": "Texas (TX)", "value": "TX"}]}],
            "changedPropIds": [f"{ids.MAP_GRAPH}.clickData"]}


@pytest.mark.parametrize("click", [{"points": [{"customdata": "TX"}]}, {"points": "x"}, [1, 2]],
                         ids=["a real click", "points a string", "a list"])
def test_a_map_click_runs_in_the_browser_and_a_request_naming_it_is_a_400(app_and_client, click):
    """The map click is a clientside callback: the page never sends it, and Dash has no function
    to answer it with (a KeyError, a 500, before the guard refused it)."""
    app, client = app_and_client
    response = post(client, map_click_request(app, click))
    assert response.status_code == 400 and "runs in the browser" in response.get_json()["error"]


def test_a_deeply_nested_body_is_a_400_not_a_500(app_and_client):
    _app, client = app_and_client
    response = post(client, "[" * 100_000 + "]" * 100_000, raw=True)
    assert response.status_code == 400 and "nested too deeply" in response.get_json()["error"]


def test_a_chunked_body_is_read_no_further_than_the_limit(app_and_client):
    """No Content-Length to refuse it by: the server still reads at most MAX_BODY bytes."""
    import io

    from dashboard.callback_guard import MAX_BODY

    _app, client = app_and_client
    body = b'{"output": "' + b"x" * (2 * MAX_BODY) + b'"}'
    stream = io.BytesIO(body)
    environ = {"wsgi.input": stream, "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked",
               "CONTENT_TYPE": "application/json"}
    response = client.post(ENDPOINT, environ_overrides=environ)
    assert response.status_code == 400
    assert stream.tell() <= MAX_BODY + 1  # the rest was never read


def test_unknown_component_scripts_are_404(app_and_client):
    _app, client = app_and_client
    for path in ("/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/nope.v1m1.js"):
        assert client.get(path).status_code == 404, path


def test_a_foreign_host_header_is_refused_and_links_use_the_public_url(app_and_client, monkeypatch):
    _app, client = app_and_client
    assert client.get("/api/health", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/health", headers={"Host": "localhost:8050"}).status_code == 200
    monkeypatch.setenv("VERIFICA_PUBLIC_URL", "https://verifica.example.org/app")
    assert client.get("/api/health", headers={"Host": "verifica.example.org"}).status_code == 200
    indicator = available_indicators()[0].id
    meta = client.get(f"/api/indicators/{indicator}.json").get_json()
    text = json.dumps(meta)
    assert "https://verifica.example.org/app/" in text and "localhost" not in text


def test_a_malformed_host_header_is_a_400_not_a_500(app_and_client):
    """Sent straight to the WSGI app, as a server passes it on (the test client cannot even build
    a URL from such a host)."""
    from werkzeug.test import EnvironBuilder

    app, _client = app_and_client
    environ = EnvironBuilder(path="/api/health").get_environ()
    environ["HTTP_HOST"] = "[1:2]"
    statuses = []
    b"".join(app.server.wsgi_app(environ, lambda status, headers, *_: statuses.append(status)))
    assert statuses and statuses[0].startswith("400"), statuses
