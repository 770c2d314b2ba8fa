"""Every setting Verifica takes from the environment, read here and nowhere else.

``VARIABLES`` lists each one with its default and what it does (the README's settings table is
checked against it); :func:`get` reads them (each call, so a test or a worker sees a change).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "verifica.db"
DEFAULT_AFTER_PUBLISH = ("indicators.precompute:ensure_scorecard,indicators.changes:record_changes,"
                         "indicators.maps:refresh_maps,indicators.stored_claims:refresh_claims")

# name: (default, what it does)
VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": ("sqlite:///data/verifica.db",
                     "SQLAlchemy URL of the store (PostgreSQL: postgresql+psycopg://...)"),
    "HOST": ("127.0.0.1", "address the dashboard (`scripts/run-dashboard`, `.venv/bin/python app.py`) "
                          "listens on (0.0.0.0 for every interface)"),
    "PORT": ("8050", "port the dashboard listens on"),
    "CACHE_TYPE": ("SimpleCache",
                   "Flask-Caching backend of the app (RedisCache to share it between processes)"),
    "CACHE_REDIS_URL": ("", "Redis URL when CACHE_TYPE is RedisCache"),
    "CACHE_KEY_PREFIX": ("verifica:", "prefix of every cache key (several deployments can share one Redis)"),
    "BROWSER_PATH": ("chromium on PATH", "Chromium used for PNG/SVG/PDF exports"),
    "VERIFICA_AFTER_PUBLISH": (DEFAULT_AFTER_PUBLISH,
                               "hooks run after a publish (module:function, comma-separated; empty for none)"),
    "VERIFICA_MIRROR": ("", "fetch every live source from this mirror (scheme://host[:port], the publishers' "
                            "paths) instead of the publishers' hosts"),
    "VERIFICA_READ_ONLY": ("", "`true`: the app only reads the store (a read-only database role): it does not "
                               "prepare the store on start or keep what it computes (the refresh job does both)"),
    "VERIFICA_PUBLIC_URL": ("", "the address readers use (https://host[/prefix]): permalinks and the links in "
                                "exports use it, never the request's Host header; its host is allowed"),
    "VERIFICA_ALLOWED_HOSTS": ("localhost,127.0.0.1,::1", "host names the app answers to (comma-separated); "
                               "any other Host header gets 400"),
    "VERIFICA_WEBHOOK_URL": ("", "after each change-log entry, POST it as JSON to this address (http(s)://...): "
                                 "retried with backoff, every attempt recorded; a failing endpoint never fails a "
                                 "publish"),
    "VERIFICA_WEBHOOK_SECRET": ("", "key of the HMAC-SHA256 signature of each webhook body (header "
                                    "`X-Verifica-Signature: sha256=<hex>`); unset: deliveries are unsigned"),
    "VERIFICA_LOCALE_DIR": ("locale", "folder of the interface's catalogues (`<lang>/LC_MESSAGES/messages.po`), "
                                      "relative to the code"),
    "VERIFICA_LANGUAGES": ("", "interface languages offered (comma-separated, e.g. `en,es`); unset: every catalogue "
                               "in the locale folder"),
    "VERIFICA_LOG_LEVEL": ("WARNING",
                           "log level of the command line and the app (DEBUG, INFO, WARNING, ERROR)"),
    "VERIFICA_RAW_DIR": ("../shared/data/raw", "tests: the folder of raw public files"),
    "VERIFICA_CHROMIUM": ("/usr/bin/chromium", "tests: the Chromium the browser tests drive"),
    "VERIFICA_REDIS_URL": ("", "tests: a Redis server the scale-out tests may use (each test its own key prefix)"),
    "CI": ("", "tests: `true` turns every skip for a missing browser or database into a failure"),
}


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str
    port: int
    cache_type: str
    cache_redis_url: str
    cache_key_prefix: str
    browser_path: str | None
    after_publish: tuple[str, ...]
    mirror: str | None
    log_level: str
    read_only: bool
    raw_dir: Path
    chromium: str
    redis_url: str
    in_ci: bool
    public_url: str | None = None
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
    webhook_url: str | None = None
    webhook_secret: str | None = None
    locale_dir: Path = PROJECT_ROOT / "locale"
    languages: tuple[str, ...] = ()


def get(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    port = env.get("PORT", "8050")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"PORT={port!r} is not a port number (1-65535)")
    level = env.get("VERIFICA_LOG_LEVEL", "WARNING").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(f"VERIFICA_LOG_LEVEL={level!r}: use DEBUG, INFO, WARNING or ERROR")
    mirror = env.get("VERIFICA_MIRROR", "").rstrip("/") or None
    if mirror and not mirror.startswith(("https://", "http://")):
        raise SettingsError(f"VERIFICA_MIRROR={mirror!r}: give scheme://host[:port]")
    hooks = env.get("VERIFICA_AFTER_PUBLISH", DEFAULT_AFTER_PUBLISH)
    public_url = env.get("VERIFICA_PUBLIC_URL", "").strip()
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
            raise SettingsError(f"VERIFICA_PUBLIC_URL={public_url!r}: give https://host[/prefix]")
        public_url = public_url.rstrip("/") + "/"
    webhook_url = env.get("VERIFICA_WEBHOOK_URL", "").strip()
    if webhook_url and (urlsplit(webhook_url).scheme not in ("https", "http") or not urlsplit(webhook_url).hostname):
        raise SettingsError(f"VERIFICA_WEBHOOK_URL={webhook_url!r}: give http(s)://host[:port]/path")
    allowed = [h.strip().lower() for h in env.get("VERIFICA_ALLOWED_HOSTS", "localhost,127.0.0.1,::1").split(",")
               if h.strip()]
    if public_url:
        allowed.append(urlsplit(public_url).hostname.lower())
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}",
        host=env.get("HOST", "127.0.0.1"),
        port=int(port),
        cache_type=env.get("CACHE_TYPE", "SimpleCache"),
        cache_redis_url=env.get("CACHE_REDIS_URL", ""),
        cache_key_prefix=env.get("CACHE_KEY_PREFIX", "verifica:"),
        browser_path=env.get("BROWSER_PATH") or None,
        after_publish=tuple(item.strip() for item in hooks.split(",") if item.strip()),
        mirror=mirror,
        log_level=level,
        read_only=env.get("VERIFICA_READ_ONLY", "").lower() == "true",
        raw_dir=Path(env.get("VERIFICA_RAW_DIR") or PROJECT_ROOT.parent / "shared" / "data" / "raw"),
        chromium=env.get("VERIFICA_CHROMIUM", "/usr/bin/chromium"),
        redis_url=env.get("VERIFICA_REDIS_URL", ""),
        in_ci=env.get("CI", "").lower() == "true",
        public_url=public_url or None,
        allowed_hosts=tuple(dict.fromkeys(allowed)),
        webhook_url=webhook_url or None,
        webhook_secret=env.get("VERIFICA_WEBHOOK_SECRET") or None,
        locale_dir=PROJECT_ROOT / env.get("VERIFICA_LOCALE_DIR", "locale"),
        languages=tuple(dict.fromkeys(lang.strip() for lang in env.get("VERIFICA_LANGUAGES", "").split(",")
                                      if lang.strip())),
    )


def configure_logging() -> None:
    """Log records to stderr as ``LEVEL name: message`` at ``VERIFICA_LOG_LEVEL``."""
    level = get().log_level
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":  # urllib3 announces every retry; the refresh says the outcome in one line
        logging.getLogger("urllib3").setLevel(logging.ERROR)
