"""Whole answers of pure callbacks, cached by request body and data version.

A callback is *pure* when its answer depends only on its request body (inputs and state), the
data version (:func:`dashboard.queries.store_version`: vintages and timeline) and the date (a
result becomes verifiable as days pass). The explorer's view callback is one: every browser that
opens a view sends the same body, so after the first one the answer is served from the app's
cache (shared by every process when the cache is Redis) without building a figure or
serialising it again. A publish in any process changes the data version, so the next request of
every process misses and recomputes; nothing is invalidated by hand.

Answers are stored gzip-compressed (served so to any client that accepts it) and only when 200.
"""

from __future__ import annotations

import gzip
import hashlib
import logging

import dash
from flask import Response, g, request

from dashboard import callback_guard, queries

log = logging.getLogger(__name__)

HEADER = "X-Verifica-Cache"  # hit or miss: what the benchmark and the tests read


def install(app: dash.Dash, outputs: list[str]) -> None:
    """Cache the answers of the callbacks whose output spec (``callback_map`` key) is listed."""
    server = app.server
    update_path = f"{app.config.requests_pathname_prefix}_dash-update-component"
    pure = set(outputs)
    unknown = pure - set(app.callback_map)
    if unknown:
        raise ValueError(f"not callbacks of this app: {sorted(unknown)}")

    @server.before_request
    def _lookup():
        if request.method != "POST" or request.path != update_path:
            return None
        if request.content_length is None or request.content_length > callback_guard.MAX_BODY:
            return None  # the guard refuses it before anything reads it
        body, _reason = callback_guard.request_json()  # parsed once; the guard and Dash reuse it
        if not isinstance(body, dict) or body.get("output") not in pure:
            return None  # the callback guard answers malformed bodies
        raw = request.get_data(cache=True)
        key = queries.cache_key("answer", hashlib.sha256(raw).hexdigest(), daily=True)
        packed = queries.cache.get(key)
        if packed is not None:
            response = _answer(packed)
            response.headers[HEADER] = "hit"
            return response
        g.verifica_answer_key = key
        return None

    @server.after_request
    def _store(response: Response) -> Response:
        key = g.pop("verifica_answer_key", None)
        if key is None:
            return response
        response.headers[HEADER] = "miss"
        if response.status_code != 200 or response.direct_passthrough:
            return response
        plain = response.get_data()
        packed = gzip.compress(plain, compresslevel=6, mtime=0)
        queries.cache.set(key, packed)
        # The same response object (its other headers stay), compressed when the client takes it.
        response.vary.add("Accept-Encoding")
        if _takes_gzip():
            response.set_data(packed)
            response.headers["Content-Encoding"] = "gzip"
        return response


def _takes_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0  # "gzip;q=0" refuses it


def _answer(packed: bytes) -> Response:
    """The stored answer, gzip-compressed as stored when the client accepts it (every browser
    does: a view's answer shrinks about eightfold), else as JSON."""
    if _takes_gzip():
        response = Response(packed, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(gzip.decompress(packed), mimetype="application/json")
    response.vary.add("Accept-Encoding")
    return response
