"""The data door: the one way the dashboard (pages, the API, exports) reaches the store.

Flask-free and cache-free: each function reads the store and returns plain values (dicts, lists,
frames). ``dashboard.queries`` adds the request-scoped caching on top. A contract in the lint step
(``.importlinter``) forbids ``dashboard`` from importing ``etl`` at all (its reference data comes
through :mod:`indicators.catalogue`), so a new page cannot grow a query of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl import changelog_store, store
from etl.pipeline import ensure_store
from etl.store import DataVersions
from indicators.series import POPULATION_BASE, geographies

__all__ = [
    "PROJECT_ROOT",
    "DataVersions",
    "ViewChoices",
    "available_geos",
    "change_entries",
    "change_entry",
    "change_entry_count",
    "commitment_choices",
    "data_versions",
    "failing_sources",
    "freshness",
    "head_revision",
    "make_engine",
    "overdue",
    "prepare",
    "read_events",
    "read_slice",
    "recent_runs",
    "schema_revision",
    "source_card",
    "timeline_event_count",
    "unprepared",
    "view_choices",
    "vintage_meta",
    "vintages",
    "withdrawals",
]

PROJECT_ROOT = store.PROJECT_ROOT
# Reads the door passes through unchanged (each is already one query with plain results).
make_engine = store.make_engine
head_revision = store.head_revision
schema_revision = store.schema_revision
data_versions = store.data_versions
available_geos = store.available_geos
read_events = store.read_events
read_slice = store.read_slice
failing_sources = store.failing_sources
recent_runs = store.recent_runs
freshness = store.freshness
timeline_event_count = store.timeline_event_count
withdrawals = store.withdrawal_history  # every withdrawal, with its restoration if it was undone
# The change log (indicators.changes records it after each publish): entries newest first, one entry.
change_entries = changelog_store.entries
change_entry = changelog_store.entry
change_entry_count = changelog_store.entry_count


def commitment_choices(engine: Engine) -> list[str]:
    """What the change log's ``?commitment=`` accepts (:func:`indicators.changes.commitment_choices`)."""
    from indicators.changes import commitment_choices as choices

    return choices(engine)


@dataclass(frozen=True)
class ViewChoices:
    """What an explorer address may choose from, as the store holds it: the geographies with data
    of the indicators asked about, the timeline's event ids, and the geographies with a population
    (what a rate per 100,000 divides by). ``dashboard.state.ExplorerState`` checks an address
    against these, read here and handed in: it reads no store itself."""

    geos: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    events: frozenset[str] = frozenset()
    population: frozenset[str] = frozenset()


def view_choices(engine: Engine, indicators: Iterable[str]) -> ViewChoices:
    """The :class:`ViewChoices` of addresses of these (available) indicators."""
    return ViewChoices(geos={indicator: tuple(geographies(engine, indicator)) for indicator in indicators},
                       events=frozenset(event["id"] for event in store.read_events(engine)),
                       population=frozenset(store.available_geos(engine, POPULATION_BASE)))


def prepare(engine: Engine, then: Callable[[Engine], None] | None = None) -> None:
    """Schema, committed snapshot, timeline, then ``then`` (derived results), under the lock."""
    ensure_store(engine, then=then)


def vintages(engine: Engine, source_id: str | None = None) -> list:
    """Published vintages (withdrawn ones included, marked), oldest first."""
    return store.list_vintages(engine, source_id)


def overdue(engine: Engine) -> dict[str, dict]:
    """Live sources whose next release is late (past its due date and a grace period), by source:
    the newest data month and the date the next release was due (ISO)."""
    items = {item.source_id: item for item in store.freshness(engine)}
    return {source_id: {"data_through": items[source_id].data_through.isoformat()
                        if items[source_id].data_through else None,
                        "expected_by": items[source_id].next_due.isoformat()}
            for source_id, _late_after in store.overdue_sources(engine)}


def source_card(engine: Engine, source_id: str) -> dict | None:
    """The stored source row (producer, citation, URLs, licence, ...), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(store.Source).where(store.Source.id == source_id)).mappings().first()
    return dict(row) if row else None


def vintage_meta(engine: Engine) -> dict[int, dict]:
    """Vintage id → checksum, how its release date was known and its withdrawal date (ISO)."""
    with engine.connect() as conn:
        rows = conn.execute(select(store.Vintage.id, store.Vintage.sha256, store.Vintage.published_on_basis,
                                   store.Vintage.withdrawn_on)).all()
    return {row[0]: {"sha256": row[1], "published_on_basis": row[2],
                     "withdrawn_on": row[3].isoformat() if row[3] else None} for row in rows}


def unprepared(engine: Engine) -> str | None:
    """Why the store cannot serve a dashboard (no data, no timeline), or None."""
    with Session(engine) as session:
        if session.scalar(select(store.Vintage.id).limit(1)) is None:
            return "the store holds no data"
    if not timeline_event_count(engine):
        return "the store holds no timeline events"
    return None

