"""Builds the Dash app: store, pages, callbacks, API routes and cache wired together."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import parse_qs

import dash
import flask
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

import settings
from dashboard import cache_backends, callback_guard, queries, response_cache
from dashboard.api import api
from dashboard.changes_feed import feeds
from dashboard.i18n import normalise_lang, t
from dashboard.pages import changes as changes_page
from dashboard.pages import claims, commitments, explorer, overview, scorecard, sources, timeline
from indicators import precompute
from indicators.digest import code_digest
from indicators.registry import registry_problems
from indicators.service import PROJECT_ROOT, head_revision, make_engine, schema_revision
from indicators.service import prepare as ensure_store

log = logging.getLogger(__name__)


def create_app(database_url: str | None = None, *, engine: Engine | None = None,
               prepare_store: bool | None = None) -> dash.Dash:
    """The app on a store. It prepares the store on start (schema, snapshot, timeline, scorecard)
    unless ``prepare_store=False`` or ``VERIFICA_READ_ONLY=true`` (a read-only database role:
    the refresh job prepares it)."""
    engine = engine or make_engine(database_url)
    # The code as it is at start: a checkout updated in place under a running process must not
    # label the old code's results with the new code's digest.
    log.info("code digest %s", code_digest())
    for problem in registry_problems():
        log.error("indicator registry: %s", problem)
    if prepare_store is None:
        prepare_store = not settings.get().read_only
    if prepare_store:
        try:
            ensure_store(engine, then=precompute.ensure_scorecard)
        except (DBAPIError, OSError) as exc:  # a read-only disk or role: serve what is there
            log.error("the store could not be prepared (%s): serving it as it is; prepare it with a role that "
                      "may write (python -m etl prepare)", str(exc).splitlines()[0][:200])
            _check_schema(engine)
    else:
        _check_schema(engine)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(PROJECT_ROOT / "dashboard" / "assets"),
        title="Verifica",
        suppress_callback_exceptions=True,
    )
    # The nav is built from this registry (order, translated name via nav_key).
    for order, (module, path, key) in enumerate((
            (overview, "/overview", "nav_overview"), (explorer, "/", "nav_explorer"),
            (scorecard, "/scorecard", "nav_scorecard"), (commitments, "/commitments", "nav_commitments"),
            (timeline, "/timeline", "nav_timeline"), (claims, "/claims", "nav_claims"),
            (sources, "/sources", "nav_sources"))):
        dash.register_page(module.__name__, path=path, layout=module.layout, name=t(key, "en"),
                           title=_page_title(key), order=order, nav_key=key)
    # The change log, last in the nav (its twins: /api/changes.atom and /api/changes.json).
    dash.register_page(changes_page.__name__, path="/changes", layout=changes_page.layout, name=t("nav_changes", "en"),
                       title=_page_title("nav_changes"), order=50, nav_key="nav_changes")
    explorer.register_callbacks(app)
    scorecard.register_callbacks(app)
    # The cache answers first: a stored answer is for the exact bytes of a request the guard
    # already let through.
    response_cache.install(app, explorer.pure_outputs(app))
    callback_guard.install(app)
    app.layout = dash.html.Div([dash.page_container])

    _html_lang(app)
    _quiet_config(app)
    server = app.server
    server.config["VERIFICA_ENGINE"] = engine
    config = settings.get()
    cache_config = {
        "CACHE_TYPE": config.cache_type,
        "CACHE_REDIS_URL": config.cache_redis_url,
        # Entries written by other code (a rolling deploy sharing one Redis) are never read.
        "CACHE_KEY_PREFIX": f"{config.cache_key_prefix}{code_version()}:",
        "CACHE_DEFAULT_TIMEOUT": 600,
    }
    if config.cache_type == "RedisCache":  # Redis failing costs speed, not service
        cache_config.update(CACHE_TYPE="dashboard.cache_backends.TolerantRedisCache",
                            CACHE_OPTIONS=dict(cache_backends.TIMEOUTS))
    queries.cache.init_app(server, config=cache_config)
    server.register_blueprint(api)
    server.register_blueprint(feeds)
    server.after_request(_security_headers_for(app))
    return app


def code_version() -> str:
    """A digest of the Python code that computes what is cached (12 hex digits)."""
    digest = hashlib.sha256()
    for folder in ("dashboard", "indicators", "etl"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _check_schema(engine: Engine) -> None:
    """A store the app does not prepare must already be at the code's schema revision."""
    try:
        found, wanted = schema_revision(engine), head_revision()
    except Exception:  # the health endpoint reports a store that cannot be read
        log.exception("the store cannot be read")
        return
    if found != wanted:
        log.error("the store's schema is at %s but this code needs %s: run `python -m etl migrate` "
                  "with a role that may write", found, wanted)


def request_lang() -> str:
    """The language of the page being served: ``?lang=`` of a page load, or of the address the
    Dash Pages callback is rendering (its ``_pages_location.search`` input)."""
    if flask.request.method == "GET":
        return normalise_lang(flask.request.args.get("lang"))
    body = flask.request.get_json(silent=True) or {}
    for item in body.get("inputs", []) if isinstance(body, dict) else []:
        if isinstance(item, dict) and item.get("property") == "search" and isinstance(item.get("value"), str):
            return normalise_lang(parse_qs(item["value"].lstrip("?")).get("lang", ["en"])[0])
    return "en"


def _page_title(key: str):
    """The browser tab's title in the page's language."""
    def title(**_path_variables) -> str:
        return f"Verifica — {t(key, request_lang())}"
    return title


def _quiet_config(app: dash.Dash) -> None:
    """The page's ``_dash-config`` names no Python version (what a probe would look for), and the
    renderer never asks plotly's server for the newest Dash version (a request to a third party
    from every reader's browser)."""
    default = app._config

    def config() -> dict:
        values = default()
        values.pop("python_version", None)
        values["disable_version_check"] = True
        return values

    app._config = config


def _html_lang(app: dash.Dash) -> None:
    """``<html lang="es">`` for a Spanish page (screen readers, hyphenation, translation tools)."""
    default = app.interpolate_index

    def interpolate_index(**kwargs) -> str:
        lang = request_lang()
        return default(**kwargs).replace("<html>", f'<html lang="{lang}">', 1)

    app.interpolate_index = interpolate_index


# Scripts only from the app itself, plus Dash's own inline renderer script by its hash (Dash
# computes them: ``csp_hashes``); styles may be inline (plotly and Dash set element styles);
# images may be data: and blob: URLs (plotly's exports); nothing is fetched from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
)


def _security_headers_for(app: dash.Dash):
    policy: list[str] = []

    def headers(response):
        if not policy:  # after the first request: Dash Pages has registered every callback by then
            policy.append(CONTENT_SECURITY_POLICY.format(hashes=" ".join(app.csp_hashes())))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Content-Security-Policy", policy[0])
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return headers
