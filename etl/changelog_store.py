"""Persistence of the change log (tables ``change_log`` and ``change_deliveries``, declared in
:mod:`etl.store`): entries in, entries out, the webhook's delivery attempts, and the store facts an
entry is made from (the newest month served of each series, the vintages and their state, the
release diffs of the runs that published them). What the entries mean is ``indicators.changes``'
business; this module only reads and writes codes and numbers.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl.store import ChangeDelivery, ChangeEntry, RefreshRun, Vintage, utcnow


@dataclass(frozen=True)
class Entry:
    """A change-log entry as read: ``payload`` and (when asked for) ``state`` decoded."""

    id: int
    recorded_at: dt.datetime
    basis: str
    causes: tuple[str, ...]
    payload: dict
    state: dict = field(default_factory=dict)


def _entry(row: ChangeEntry, with_state: bool) -> Entry:
    return Entry(id=row.id, recorded_at=row.recorded_at, basis=row.basis,
                 causes=tuple(c for c in row.causes.split(",") if c), payload=json.loads(row.payload),
                 state=json.loads(row.state) if with_state else {})


def add_entry(engine: Engine, *, basis: str, causes: list[str], payload: dict, state: dict,
              recorded_at: dt.datetime | None = None) -> int:
    """Store one entry; returns its id."""
    row = ChangeEntry(recorded_at=recorded_at or utcnow(), basis=basis, causes=",".join(causes),
                      payload=json.dumps(payload, sort_keys=True), state=json.dumps(state, sort_keys=True))
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(row)
    return row.id


def newest_entry(engine: Engine) -> Entry | None:
    """The newest entry with the state it recorded (what the next entry is compared with)."""
    with Session(engine) as session:
        row = session.scalars(select(ChangeEntry).order_by(ChangeEntry.id.desc()).limit(1)).first()
        return None if row is None else _entry(row, with_state=True)


_LIGHT = select(ChangeEntry.id, ChangeEntry.recorded_at, ChangeEntry.basis, ChangeEntry.causes, ChangeEntry.payload)


def entries(engine: Engine, limit: int | None = 50) -> list[Entry]:
    """Entries newest first, without their states (the page, the feeds)."""
    query = _LIGHT.order_by(ChangeEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Entry(id=r[0], recorded_at=r[1], basis=r[2], causes=tuple(c for c in r[3].split(",") if c),
                  payload=json.loads(r[4])) for r in rows]


def entry(engine: Engine, entry_id: int) -> Entry | None:
    """One entry (without its state), or None."""
    with engine.connect() as conn:
        row = conn.execute(_LIGHT.where(ChangeEntry.id == entry_id)).first()
    if row is None:
        return None
    return Entry(id=row[0], recorded_at=row[1], basis=row[2], causes=tuple(c for c in row[3].split(",") if c),
                 payload=json.loads(row[4]))


def entry_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ChangeEntry)) or 0


def record_delivery(engine: Engine, entry_id: int, url: str, attempt: int, status_code: int | None,
                    error: str | None) -> None:
    """One attempt to deliver an entry to the webhook: the answer's status code, or the error."""
    with Session(engine) as session, session.begin():
        session.add(ChangeDelivery(entry_id=entry_id, url=url, attempt=attempt, status_code=status_code,
                                   error=error, attempted_at=utcnow()))


def deliveries(engine: Engine, entry_id: int | None = None) -> list[ChangeDelivery]:
    """Delivery attempts (of one entry), oldest first."""
    query = select(ChangeDelivery).order_by(ChangeDelivery.id)
    if entry_id is not None:
        query = query.where(ChangeDelivery.entry_id == entry_id)
    with Session(engine) as session:
        return list(session.scalars(query).all())


# The newest month served of each (source, series), of vintages not withdrawn today; a figure over
# years (``end_year``) counts through December of its last year, as a vintage's coverage does.
_NEWEST_MONTHS = """
SELECT v.source_id, per.indicator, MAX(per.last_period), MAX(per.last_year)
FROM (SELECT vintage_id, indicator, MAX(period) AS last_period, MAX(CAST({end_year} AS INTEGER)) AS last_year
      FROM observations GROUP BY vintage_id, indicator) AS per
JOIN vintages AS v ON v.id = per.vintage_id
WHERE v.withdrawn_on IS NULL
GROUP BY v.source_id, per.indicator
"""


def newest_months(engine: Engine) -> dict[str, str]:
    """``source|series`` → the newest month served (``YYYY-MM``)."""
    end_year = "dims ->> 'end_year'" if engine.dialect.name == "postgresql" else "json_extract(dims, '$.end_year')"
    with engine.connect() as conn:
        rows = conn.execute(text(_NEWEST_MONTHS.format(end_year=end_year))).all()
    out = {}
    for source, series, last, year in rows:
        if last is not None:
            out[f"{source}|{series}"] = max(str(last)[:7], f"{int(year):04d}-12" if year is not None else "")
    return out


def vintage_states(engine: Engine) -> dict[str, list]:
    """Vintage id (text) → [source, file name, release date, withdrawn on or None] (ISO dates)."""
    with engine.connect() as conn:
        rows = conn.execute(select(Vintage.id, Vintage.source_id, Vintage.file_name, Vintage.published_on,
                                   Vintage.withdrawn_on).order_by(Vintage.id)).all()
    return {str(r[0]): [r[1], r[2], r[3].isoformat(), r[4].isoformat() if r[4] else None] for r in rows}


def publish_diffs(engine: Engine, vintage_ids: list[int]) -> dict[int, dict]:
    """The release diff (decoded) of the run that published each vintage, when one was kept."""
    if not vintage_ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(RefreshRun.vintage_id, RefreshRun.diff).where(
            RefreshRun.vintage_id.in_(vintage_ids), RefreshRun.outcome == "ok").order_by(RefreshRun.id)).all()
    out = {}
    for vintage_id, diff in rows:
        if diff:
            try:
                out[vintage_id] = json.loads(diff)
            except ValueError:
                continue  # a run record from before diffs were JSON: nothing to read
    return out
