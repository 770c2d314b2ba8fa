"""The curated timeline in the store: its events (versioned in git, not by vintage) and the digest
that marks which timeline the store holds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl.common import iso_dates
from etl.store.schema import DerivedResult, Event, utcnow

TIMELINE_MARK = "timeline"  # derived_results row whose key is the digest of the stored timeline


def timeline_digest(events: Iterable[dict]) -> str:
    """Changes when the curated timeline does."""
    return hashlib.sha256(json.dumps(list(events), sort_keys=True, default=str).encode()).hexdigest()[:16]


def replace_events(engine: Engine, events: Iterable[dict]) -> int:
    """Replace the curated timeline in the store (it is versioned in git, not by vintage), with its
    digest in the same transaction (part of :func:`data_version`)."""
    rows = list(events)
    digest = timeline_digest(rows)
    with Session(engine) as session:
        stored = session.scalar(select(DerivedResult.key).where(DerivedResult.name == TIMELINE_MARK))
    if stored == digest:  # unchanged: no write (a read-only store, or a disk incident, must not stop a start)
        return len(rows)
    with Session(engine) as session, session.begin():
        session.query(Event).delete()
        session.query(DerivedResult).filter(DerivedResult.name == TIMELINE_MARK).delete()
        session.add(DerivedResult(name=TIMELINE_MARK, key=digest, computed_at=utcnow(), payload=""))
        for item in rows:
            session.add(
                Event(
                    id=item["id"],
                    date=item["date"],
                    date_end=item.get("date_end"),
                    date_precision=item.get("date_precision", "day"),
                    type=item["type"],
                    confidence=item["confidence"],
                    status=item.get("status", "happened"),
                    payload=iso_dates(item),
                )
            )
    return len(rows)


def timeline_event_count(engine: Engine) -> int:
    """How many timeline events the store holds (0: never prepared)."""
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def read_events(engine: Engine) -> list[dict]:
    with Session(engine) as session:
        rows = session.scalars(select(Event).order_by(Event.date, Event.id)).all()
        return [row.payload for row in rows]
