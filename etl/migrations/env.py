"""Alembic environment: migrations run on the connection the store hands over (``etl.store.migrate``)
or, from the ``alembic`` command line, on ``DATABASE_URL`` / the embedded SQLite file."""

from __future__ import annotations

from alembic import context

from etl.store import Base, database_url, make_engine

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata,
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    with make_engine(database_url()).connect() as conn:
        _run(conn)
        conn.commit()
