"""The store's operations status: sources, recent runs, the sources whose last run failed, and each
source's freshness (its newest data month and when the next release is due)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl.store.schema import RefreshRun, Source, Vintage


def list_sources(engine: Engine) -> list[Source]:
    with Session(engine) as session:
        return list(session.scalars(select(Source).order_by(Source.id)).all())


def recent_runs(engine: Engine, limit: int = 20) -> list[RefreshRun]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(RefreshRun).order_by(RefreshRun.id.desc()).limit(limit)
            ).all()
        )


def failing_sources(engine: Engine) -> list[RefreshRun]:
    """For each source, the newest failed run of a kind (refresh, import, build) whose newest
    run of that kind failed: an import does not clear a refresh failure that is still happening; a
    later refresh that works (new data or unchanged) does. The last good data is still served."""
    decisive = RefreshRun.outcome.in_(("ok", "unchanged", "corrected", "closed", "failed"))
    newest = (
        select(RefreshRun.source_id, RefreshRun.kind, func.max(RefreshRun.id).label("last_id"))
        .where(decisive)
        .group_by(RefreshRun.source_id, RefreshRun.kind)
        .subquery()
    )
    query = (
        select(RefreshRun)
        .join(newest, RefreshRun.id == newest.c.last_id)
        .where(RefreshRun.outcome == "failed", RefreshRun.kind != "snapshot")
        .order_by(RefreshRun.id)
    )
    with Session(engine) as session:
        return list(session.scalars(query).all())


@dataclass
class Freshness:
    """Where a source stands: its newest data month (a figure over years counts through December
    of its last year), its newest release, and when a release with the next period is due: the
    month after the newest data month (monthly sources) or the year after its year (yearly reports
    with a live endpoint), published after the source's lag."""

    source_id: str
    data_through: dt.date | None
    latest_release: dt.date | None
    next_due: dt.date | None


def freshness(engine: Engine) -> list[Freshness]:
    from etl.common import load_origin

    with Session(engine) as session:
        rows = session.execute(
            select(Vintage.source_id, func.max(Vintage.period_end), func.max(Vintage.published_on))
            .where(Vintage.withdrawn_on.is_(None)).group_by(Vintage.source_id)).all()
    out = []
    for source_id, period_end, published in rows:
        try:
            origin = load_origin(source_id)
        except FileNotFoundError:
            continue
        due = None
        # The next period's months: a month, or a year for a live yearly report (an import-only
        # yearly table, such as a population projection, is never due).
        step = {"monthly": 1, "annual": 12 if origin.get("hosts") else None}.get(origin.get("cadence"))
        closed = origin.get("closed")
        if closed and period_end is not None and f"{period_end:%Y-%m}" >= closed["through"]:
            step = None  # the publisher closed the series and every month of it is here: nothing is due
        if step and period_end is not None:
            months = step + origin.get("publication_lag_months", 1) + 1  # the next period, after the lag
            index = period_end.year * 12 + period_end.month - 1 + months
            due = dt.date(index // 12, index % 12 + 1, 1)
        out.append(Freshness(source_id, period_end, published, due))
    return sorted(out, key=lambda f: f.source_id)


def overdue_sources(engine: Engine, today: dt.date | None = None, grace_days: int = 31) -> list[tuple[str, dt.date]]:
    """Live sources whose next release is late: past its due date plus ``grace_days``."""
    from etl.common import load_origin

    today = today or dt.date.today()
    late = []
    for item in freshness(engine):
        if item.next_due is None or not load_origin(item.source_id).get("hosts"):
            continue
        expected = item.next_due + dt.timedelta(days=grace_days)
        if today > expected:
            late.append((item.source_id, expected))
    return sorted(late)
