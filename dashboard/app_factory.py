"""Builds the Dash app: store, pages, callbacks, API routes and cache wired together."""

from __future__ import annotations

import logging

import dash
import flask
from sqlalchemy.engine import Engine

import settings
from dashboard import callback_guard, queries
from dashboard.api import api
from dashboard.i18n import normalise_lang
from dashboard.pages import claims, explorer, scorecard, sources
from etl.pipeline import ensure_store
from etl.store import PROJECT_ROOT, make_engine
from indicators import precompute
from indicators.registry import registry_problems

log = logging.getLogger(__name__)


def create_app(database_url: str | None = None, *, engine: Engine | None = None,
               prepare_store: bool = True) -> dash.Dash:
    engine = engine or make_engine(database_url)
    for problem in registry_problems():
        log.error("indicator registry: %s", problem)
    if prepare_store:
        ensure_store(engine, then=precompute.ensure_scorecard)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(PROJECT_ROOT / "dashboard" / "assets"),
        title="Verifica",
        suppress_callback_exceptions=True,
    )
    dash.register_page(explorer.__name__, path="/", layout=explorer.layout, name="Explorer",
                       title="Verifica — Explorer")
    dash.register_page(scorecard.__name__, path="/scorecard", layout=scorecard.layout, name="Scorecard",
                       title="Verifica — Scorecard")
    dash.register_page(claims.__name__, path="/claims", layout=claims.layout, name="Claims",
                       title="Verifica — Claims")
    dash.register_page(sources.__name__, path="/sources", layout=sources.layout, name="Sources",
                       title="Verifica — Sources")
    explorer.register_callbacks(app)
    callback_guard.install(app)
    app.layout = dash.html.Div([dash.page_container])

    _html_lang(app)
    server = app.server
    server.config["VERIFICA_ENGINE"] = engine
    config = settings.get()
    queries.cache.init_app(server, config={
        "CACHE_TYPE": config.cache_type,
        "CACHE_REDIS_URL": config.cache_redis_url,
        "CACHE_DEFAULT_TIMEOUT": 600,
    })
    server.register_blueprint(api)
    server.after_request(_security_headers)
    return app


def _html_lang(app: dash.Dash) -> None:
    """``<html lang="es">`` for a Spanish page (screen readers, hyphenation, translation tools)."""
    default = app.interpolate_index

    def interpolate_index(**kwargs) -> str:
        lang = normalise_lang(flask.request.args.get("lang"))
        return default(**kwargs).replace("<html>", f'<html lang="{lang}">', 1)

    app.interpolate_index = interpolate_index


# Dash renders with inline scripts and styles of its own; the policy limits where the page may be
# framed and what it may embed, which is what the app needs to be safe to link from reports.
CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
