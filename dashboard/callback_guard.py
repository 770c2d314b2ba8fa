"""Crafted or malformed Dash callback requests are client errors (400 with a one-line JSON
reason), never server errors: the request must name a registered callback, send exactly its
inputs and state, and each value must have the type its component sends. Semantic checks (an
unknown indicator, a date that is not a date) raise ``BadQuery`` in the callbacks, answered 400 here
too. Anything else that fails is a real bug and stays a 500 (and is logged)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dash
import dash.exceptions
from flask import Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

import settings
from dashboard import ids
from dashboard.queries import BadQuery
from indicators.registry import UnknownIndicator

log = logging.getLogger(__name__)

STR, STRS, DICT, COUNT = "a string", "a list of strings", "an object", "a count"
CLICK = "a map click (an object with a list of points)"
OPTIONS = "a list of options (objects)"
# (component id, property) -> what the browser sends (None is always allowed).
VALUE_TYPES: dict[tuple[str, str], str] = {
    (ids.INDICATOR, "value"): STR,
    (ids.GEO, "value"): STR,
    (ids.DATES, "start_date"): STR,
    (ids.DATES, "end_date"): STR,
    (ids.AS_OF, "date"): STR,
    (ids.EVENT_TYPES, "value"): STRS,
    (ids.UNCONFIRMED, "value"): STRS,
    (ids.ALL_EVENTS, "value"): STRS,
    (ids.ASSESS_EVENT, "value"): STR,
    (ids.METHOD, "value"): STR,
    (ids.EXPLORER_URL, "search"): STR,
    (ids.TRANSFORM, "value"): STR,
    (ids.BASE, "value"): STR,
    (ids.LOG, "value"): STRS,
    (ids.COMPARE, "value"): STR,
    (ids.VS, "value"): STR,
    (ids.REVISION, "date"): STR,
    (ids.SIZE, "value"): STR,
    **{(f"{ids.DOWNLOAD_BUTTON}-{fmt}", "n_clicks"): COUNT for fmt in ids.DOWNLOAD_FORMATS},
    (ids.CONTROLS_TOGGLE, "n_clicks"): COUNT,  # (a clientside callback: never sent, declared all the same)
    (ids.GRAPH, "config"): DICT,
    (ids.CAMERA, "data"): DICT,
    (ids.FIGURE, "data"): DICT,
    (ids.VIEWPORT, "data"): STR,  # (set in the browser on a resize, read by a clientside callback)
    (ids.TABLE_SUMMARY, "n_clicks"): COUNT,  # the first unfolding of the table, of the map
    (ids.MAP_SUMMARY, "n_clicks"): COUNT,
    (ids.MAP_GRAPH, "clickData"): CLICK,  # (the map click is a clientside callback, as is its state below)
    (ids.GEO, "options"): OPTIONS,
    (ids.LANG, "data"): STR,
    (ids.SCORECARD_WAIT, "n_intervals"): COUNT,
    (ids.SCORECARD_WAIT_FOR, "data"): DICT,
    ("_pages_location", "pathname"): STR,
    ("_pages_location", "search"): STR,
    ("_pages_store", "data"): DICT,
}
MAX_BODY = 256 * 1024  # a real update request is well under 10 kB


def _has_type(value, kind: str) -> bool:
    if value is None:
        return True
    if kind == STR:
        return isinstance(value, str) and len(value) <= 500
    if kind == COUNT:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9
    if kind == STRS:
        return isinstance(value, list) and len(value) <= 100 and all(isinstance(v, str) for v in value)
    if kind == OPTIONS:
        return isinstance(value, list) and len(value) <= 1000 and all(isinstance(v, dict) for v in value)
    if kind == CLICK:
        points = value.get("points") if isinstance(value, dict) else None
        return isinstance(points, list) and 0 < len(points) <= 10 and all(isinstance(p, dict) for p in points)
    return isinstance(value, dict)


def problem(body, callback_map: dict) -> str | None:
    """Why this update request cannot come from the app's own pages, or None."""
    if not isinstance(body, dict):
        return "the request body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "no such callback output"
    if "callback" not in callback_map[output]:
        return "that callback runs in the browser"
    declared = callback_map[output]
    if _outputs(body.get("outputs")) != _declared_outputs(output):
        return "outputs do not match the callback's"
    for part in ("inputs", "state"):
        expected = [(item["id"], item["property"]) for item in declared.get(part, [])]
        sent = body.get(part, [])
        if not isinstance(sent, list) or not all(isinstance(item, dict) for item in sent):
            return f"{part} must be a list of objects"
        if [(item.get("id"), item.get("property")) for item in sent] != expected:
            return f"{part} do not match the callback's ({len(expected)} expected)"
        for item in sent:
            kind = VALUE_TYPES.get((item["id"], item["property"]))
            if kind and not _has_type(item.get("value"), kind):
                return f"{item['id']}.{item['property']} must be {kind}"
    return None


def _declared_outputs(output: str) -> list[tuple[str, str]]:
    """``..a.children...b.value..`` (several outputs) or ``a.children`` (one) as (id, property)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [tuple(part.rsplit(".", 1)) for part in parts]


def _outputs(sent) -> list[tuple] | None:
    items = sent if isinstance(sent, list) else [sent]
    if not all(isinstance(item, dict) for item in items):
        return None
    return [(item.get("id"), item.get("property")) for item in items]


def _not_found() -> Response:
    response = jsonify({"error": "not found"})
    response.status_code = 404
    return response


def _bad_request(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


def request_json():
    """The request's JSON, or None with the reason it cannot be used. Flask reads at most
    MAX_BODY bytes even of a chunked body (``MAX_CONTENT_LENGTH``, set in ``install``)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return None, "the request body is nested too deeply"
    except RequestEntityTooLarge:
        return None, "request too large"
    return body, None


def allowed_host(host: str, allowed: tuple[str, ...]) -> bool:
    """The Host header names one of the allowed host names (any port)."""
    try:
        name = urlsplit(f"//{host}").hostname if host else None
    except ValueError:  # e.g. "[1:2]": a bracketed name that is no IPv6 address
        return False
    return bool(name) and name.lower() in allowed


def install(app: dash.Dash) -> None:
    server = app.server
    prefix = app.config.requests_pathname_prefix
    update_path = f"{prefix}_dash-update-component"
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY  # also bounds a chunked body, which has no Content-Length

    @server.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc) -> Response:
        return _bad_request("request too large")

    @server.before_request
    def _check_host():
        if not allowed_host(request.host, settings.get().allowed_hosts):
            log.info("refused a request for host %r", request.host[:100])
            return _bad_request("unknown host: set VERIFICA_PUBLIC_URL or VERIFICA_ALLOWED_HOSTS")
        return None

    @server.errorhandler(dash.exceptions.DependencyException)
    def _unknown_script(_exc) -> Response:
        """A script Dash never registered (a probe, a stale page): 404, not a 500 and a long log."""
        return _not_found()

    @server.before_request
    def _check_update_request():
        if request.method != "POST" or request.path != update_path:
            return None
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _bad_request("request too large")
        body, reason = request_json()
        if reason:
            return _bad_request(reason)
        reason = problem(body, app.callback_map)
        if reason:
            log.info("refused a callback request: %s", reason)
            return _bad_request(reason)
        return None

    @server.errorhandler(BadQuery)
    def _bad_query(exc: BadQuery) -> Response:
        return _bad_request(str(exc))

    @server.errorhandler(UnknownIndicator)
    def _unknown_indicator(exc: UnknownIndicator) -> Response:
        return _bad_request(f"unknown indicator {exc.args[0]!r}")
