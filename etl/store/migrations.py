"""Schema migrations (Alembic, ``etl/migrations/``): the store's revision, the newest one, and
upgrading a store in place (never a rebuild)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Revision of the schema every store had before migrations existed (stamped, then upgraded).
BASELINE_REVISION = "0001"


def _alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _recorded_revision(conn) -> str | None:
    """The revision in alembic's own table (read with plain SQL: importing alembic takes about
    0.2 s of every start, and a store at the newest revision never needs it)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:  # branches: let alembic say what it makes of them
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()
    return rows[0] if rows else None


def schema_revision(engine: Engine) -> str | None:
    """The store's schema revision: None for an empty database, the baseline for a store made
    before migrations existed."""
    with engine.connect() as conn:
        current = _recorded_revision(conn)
        if current is None and inspect(conn).has_table("observations"):
            return BASELINE_REVISION
        return current


_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:[\"']([^\"']+)[\"']|None)", re.M)


def head_revision() -> str:
    """The newest migration's revision, read from the migration files' ``revision`` and
    ``down_revision`` lines (tests check it is alembic's own head); alembic decides when the
    files do not make one line of history."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict((name, value) for name, value in _REVISION_LINE.findall(path.read_text()))
        revisions.add(found.get("revision"))
        parents.add(found.get("down_revision") or None)
    heads = revisions - parents
    if len(heads) == 1 and None not in revisions and len(parents) == len(revisions):
        return heads.pop()
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def migrate(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Run pending schema migrations in place (never a rebuild); returns (before, after).

    A store made before migrations existed is stamped with the baseline first. Callers hold the
    store-preparation lock when several processes may start at once.
    """
    from alembic import command

    before = schema_revision(engine)
    with engine.begin() as conn:
        config = _alembic_config(conn)
        if before is not None and _recorded_revision(conn) is None:
            command.stamp(config, BASELINE_REVISION)
        command.upgrade(config, revision)
    return before, schema_revision(engine)


def init_schema(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database)."""
    if schema_revision(engine) != head_revision():
        migrate(engine)
