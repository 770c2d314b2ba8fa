"""Where the store is and how to open it: the URL from the settings, the engine, the SQLite file
behind it, and the hooks run after a publish."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

import settings
from etl.store.schema import PublishError

PROJECT_ROOT = settings.PROJECT_ROOT


def database_url() -> str:
    """The store URL: ``DATABASE_URL`` if set, else the embedded SQLite file."""
    return settings.get().database_url


def after_publish_hooks() -> list[str]:
    """Hooks run after a publish (``VERIFICA_AFTER_PUBLISH``; empty to run none)."""
    return list(settings.get().after_publish)


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (as hosting platforms give them) use the psycopg
    driver the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def sqlite_path(url) -> Path | None:
    """The file of a SQLite store (``sqlite:///x.db`` or the URI form ``sqlite:///file:x.db?mode=ro&uri=true``),
    or None for another database or an in-memory one."""
    url = make_url(str(url)) if not hasattr(url, "drivername") else url
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database.removeprefix("file:"))


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine on the store. ``create=False`` (reads such as ``etl status``): a SQLite file
    that does not exist is an error, never a new empty store in a folder made for it; a URI
    opened read-only (``mode=ro``) never creates anything either."""
    url = normalise_url(url or database_url())
    path = sqlite_path(url)
    if path is not None:
        read_only = make_url(url).query.get("mode") == "ro"
        if (not create or read_only) and not path.is_file():
            raise PublishError(f"no store at {path}: check DATABASE_URL (a read never creates one)")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True)
    else:
        # A server database: a pooled connection the server dropped (restart, failover, idle
        # timeout) is tested and replaced before use instead of failing the request.
        engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine
