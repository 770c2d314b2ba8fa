"""Data versions and the derived-results cache: digests of what served numbers depend on (the
vintages, the timeline, the sources table), and the results computed from the store, kept under
those digests, computed once at a time across processes."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

import settings
from etl.store.engine import sqlite_path
from etl.store.events import TIMELINE_MARK
from etl.store.schema import DerivedResult, Source, Vintage, Withdrawal, utcnow

log = logging.getLogger("etl.store")  # the store's one logger (its name from before the split)


def vintage_set_key(engine: Engine) -> str:
    """A digest of every published vintage (id, checksum, release date, withdrawal): changes exactly
    when one is published, its release date corrected or it is withdrawn."""
    return data_versions(engine).vintages


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DataVersions:
    """What served numbers depend on, read in one go: ``overall`` changes with any publish,
    withdrawal, release-date correction or timeline change; :meth:`source` has one digest per
    source (a cache of one source's series need not move when another source publishes). Digests
    are computed when first asked for (a cached answer needs only ``overall``)."""

    rows: tuple[tuple, ...]  # (source_id, id, sha256, published_on, withdrawn_on, history) by id
    timeline: str | None
    cards: tuple[tuple, ...] = ()  # the sources table (citations and links shown beside the numbers)

    @cached_property
    def vintages(self) -> str:
        """The vintage set alone (:func:`vintage_set_key`)."""
        return _digest([row[1:] for row in self.rows])

    @cached_property
    def overall(self) -> str:
        return _digest(([row[1:] for row in self.rows], self.timeline, self.cards))

    @cached_property
    def _sources(self) -> dict[str, str]:
        by_source: dict[str, list] = {}
        for row in self.rows:
            by_source.setdefault(row[0], []).append(row[1:])
        return {source: _digest(items) for source, items in by_source.items()}

    def source(self, source_id: str) -> str:
        return self._sources.get(source_id, "none")

    def card(self, source_id: str) -> dict | None:
        """The source's row of the sources table as read with the versions (no query of its own)."""
        return next((dict(zip(CARD_COLUMNS, row, strict=True)) for row in self.cards if row[0] == source_id), None)

    def in_force(self, as_of: dt.date) -> str:
        """A digest of the vintages served as known on ``as_of`` (published by then, not withdrawn
        then): dates with the same vintages in force read the same data."""
        served = []
        for _source, vintage_id, sha256, published_on, withdrawn_on, history in self.rows:
            intervals = list(history) or ([(withdrawn_on, None)] if withdrawn_on else [])
            if published_on <= as_of and not any(w <= as_of and (r is None or r > as_of) for w, r in intervals):
                served.append((vintage_id, sha256, published_on))  # the release date orders the vintages
        return _digest(served)


_VERSION_ROWS = select(Vintage.source_id, Vintage.id, Vintage.sha256, Vintage.published_on,
                       Vintage.withdrawn_on).order_by(Vintage.id)
_HISTORY_ROWS = select(Withdrawal.vintage_id, Withdrawal.withdrawn_on, Withdrawal.restored_on).order_by(Withdrawal.id)
_TIMELINE_KEY = select(DerivedResult.key).where(DerivedResult.name == TIMELINE_MARK)
_SOURCE_CARDS = select(Source.__table__).order_by(Source.id)
CARD_COLUMNS = tuple(Source.__table__.columns.keys())


def data_versions(engine: Engine) -> DataVersions:
    """:class:`DataVersions` from the vintages (tens of rows), the stored timeline's digest and the
    sources table (each source's citation and links, rewritten by any refresh):
    caches in any process key on them, so a change made by any process is seen by all of them at
    their next request (about a third of a millisecond on SQLite)."""
    with engine.connect() as conn:
        history: dict[int, list] = {}
        for vintage_id, withdrawn_on, restored_on in conn.execute(_HISTORY_ROWS).all():
            history.setdefault(vintage_id, []).append((withdrawn_on, restored_on))
        # A restoration changes the version (with the withdrawal's interval), even though the
        # vintage's own state is as it was before the withdrawal.
        rows = tuple((*row, tuple(history.get(row[1], ()))) for row in conn.execute(_VERSION_ROWS).all())
        timeline = conn.execute(_TIMELINE_KEY).scalar()
        cards = tuple(tuple(row) for row in conn.execute(_SOURCE_CARDS).all())
    return DataVersions(rows=rows, timeline=timeline, cards=cards)


def data_version(engine: Engine) -> str:
    """:attr:`DataVersions.overall`."""
    return data_versions(engine).overall


def read_derived(engine: Engine, name: str, key: str) -> str | None:
    with Session(engine) as session:
        row = session.get(DerivedResult, (name, key))
        return None if row is None else row.payload


def read_derived_named(engine: Engine, prefix: str) -> list[tuple[str, str, str]]:
    """(name, key, payload) of every stored result whose name starts with ``prefix``, newest first."""
    with Session(engine) as session:
        rows = session.scalars(select(DerivedResult).where(DerivedResult.name.like(f"{prefix}%"))
                               .order_by(DerivedResult.computed_at.desc())).all()
        return [(row.name, row.key, row.payload) for row in rows]


def read_latest_derived(engine: Engine, name: str) -> tuple[str, str] | None:
    """The newest stored result under ``name`` whatever its key: (key, payload), or None (what a
    reader serves, marked as updating, while the result for the new data is computed)."""
    with Session(engine) as session:
        row = session.scalars(select(DerivedResult).where(DerivedResult.name == name)
                              .order_by(DerivedResult.computed_at.desc())).first()
        return None if row is None else (row.key, row.payload)


LOCK_FILES = 16  # SQLite: derived results share this many lock files (names hashed), never one per name


@contextmanager
def derived_lock(engine: Engine, name: str, *, wait: bool = True) -> Iterator[bool]:
    """One computation of a derived result at a time, across processes: a PostgreSQL advisory lock
    keyed by the name, or an exclusive lock on one of LOCK_FILES files beside the SQLite database.
    Yields whether it is held (``wait=False``: False at once when another process holds it). Where
    no lock can be taken (a read-only folder), it yields True: the result is computed, not shared."""
    digest = hashlib.sha256(f"derived:{name}".encode()).digest()
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(digest[:8], "big", signed=True)
        # Autocommit: the lock's connection is never left idle inside a transaction while the
        # result is computed (a server's idle-in-transaction timeout would end it and the lock).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if wait:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                held = True
            else:
                held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            try:
                yield held
            finally:
                if held:
                    try:
                        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    except DBAPIError:  # the session ended: the server released the lock with it
                        log.warning("derived-result lock %s was gone at release", name)
        return
    path = sqlite_path(engine.url)
    if path is None:  # an in-memory database: one process, nothing to share
        yield True
        return
    try:
        handle = open(f"{path}.derived-{digest[0] % LOCK_FILES:02d}.lock", "a")
    except OSError:
        log.warning("no lock file beside %s: %s is computed without single-flight", path, name)
        yield True
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            held = True
        except BlockingIOError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)


def prune_derived(engine: Engine, prefix: str, keep: int) -> int:
    """Keep the ``keep`` newest results whose name starts with ``prefix`` (e.g. scorecards for
    anonymous ``as_of`` dates); drop the rest. Returns how many were dropped."""
    with Session(engine) as session, session.begin():
        names = session.scalars(select(DerivedResult.name).where(DerivedResult.name.like(f"{prefix}%"))
                                .order_by(DerivedResult.computed_at.desc(), DerivedResult.name.desc())).all()
        old = names[keep:]
        if old:
            session.query(DerivedResult).filter(DerivedResult.name.in_(old)).delete(synchronize_session=False)
    return len(old)


def write_derived(engine: Engine, name: str, key: str, payload: str) -> None:
    """Store one derived result; results of older keys under the same name are dropped."""
    try:
        with Session(engine) as session, session.begin():
            session.query(DerivedResult).filter(DerivedResult.name == name, DerivedResult.key != key).delete()
            row = session.get(DerivedResult, (name, key))
            if row is None:
                session.add(DerivedResult(name=name, key=key, computed_at=utcnow(), payload=payload))
            else:
                row.payload, row.computed_at = payload, utcnow()
    except IntegrityError:
        pass  # another process stored the same result under the same key first
    except DBAPIError as exc:
        # Only an app told it reads (VERIFICA_READ_ONLY) goes on: the result is served, not kept
        # (the refresh job, which writes, stores it after each publish). Anywhere else a refused
        # write is an error.
        if not (_write_refused(exc) and settings.get().read_only):
            raise
        global _last_refusal
        if time.monotonic() - _last_refusal > 60:
            _last_refusal = time.monotonic()
            log.warning("derived results not stored (e.g. %s): the database refused the write (read-only)", name)


_last_refusal = -1e9


def _write_refused(exc: DBAPIError) -> bool:
    """The database refused a write: no permission (PostgreSQL 42501), a read-only transaction
    or standby (25006), or a SQLite file open read-only."""
    return getattr(exc.orig, "sqlstate", None) in ("42501", "25006") or "readonly database" in str(exc.orig)
