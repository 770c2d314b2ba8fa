"""Withdrawing a vintage and restoring it: kept in the store, never deleted, each recorded as a run;
and which vintages were served as known on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl.store import coverage
from etl.store.schema import PublishError, RefreshRun, Vintage, Withdrawal, utcnow


def _one_line_reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise PublishError(f"a {what} needs a reason (--reason)")
    if any(c in reason for c in "\r\n"):
        raise PublishError("the reason must be one line (it is shown to users as a sentence)")
    return reason.strip()


def _known_vintage(session: Session, vintage_id: int) -> Vintage:
    vintage = session.get(Vintage, vintage_id)
    if vintage is None:
        raise PublishError(f"no vintage #{vintage_id} (python -m etl status lists them)")
    return vintage


def withdraw(engine: Engine, vintage_id: int, reason: str, on: dt.date | None = None) -> RefreshRun:
    """Withdraw a published vintage: it stays in the store and in ``as_of`` views before ``on``
    (today by default), so a figure drawn from it can still be redrawn; later views fall back to the
    release before it. Recorded as a run; never deleted; :func:`restore` undoes it. Raises
    PublishError for an unknown or already withdrawn vintage, a blank reason, or a date before its
    release or its last restoration."""
    on = on or dt.date.today()
    reason = _one_line_reason(reason, "withdrawal")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        vintage = _known_vintage(session, vintage_id)
        if vintage.withdrawn_on is not None:
            raise PublishError(f"vintage #{vintage_id} ({vintage.file_name}) was already withdrawn on "
                               f"{vintage.withdrawn_on}: {vintage.withdrawn_reason}")
        if on < vintage.published_on:
            raise PublishError(f"vintage #{vintage_id} was published on {vintage.published_on}; "
                               f"it cannot be withdrawn on {on}")
        restored = session.scalar(select(func.max(Withdrawal.restored_on)).where(Withdrawal.vintage_id == vintage_id))
        if restored is not None and on < restored:
            raise PublishError(f"vintage #{vintage_id} was restored on {restored}; it cannot be withdrawn on {on}")
        vintage.withdrawn_on, vintage.withdrawn_reason = on, reason
        session.add(Withdrawal(vintage_id=vintage.id, withdrawn_on=on, reason=reason))
        session.flush()
        coverage.recover(session, vintage.id)
        run = RefreshRun(source_id=vintage.source_id, kind="withdraw", started_at=utcnow(), finished_at=utcnow(),
                         outcome="withdrawn", vintage_id=vintage.id,
                         message=f"{vintage.file_name}: withdrawn on {on}: {reason}")
        session.add(run)
    return run


def restore(engine: Engine, vintage_id: int, reason: str, on: dt.date | None = None) -> RefreshRun:
    """Undo a withdrawal: the vintage is served again from ``on`` (today by default); views as
    known between the withdrawal and ``on`` still leave it out. Recorded as a run, like the
    withdrawal. Raises PublishError for an unknown vintage, one that is not withdrawn, a blank
    reason, or a date before the withdrawal."""
    on = on or dt.date.today()
    reason = _one_line_reason(reason, "restoration")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        vintage = _known_vintage(session, vintage_id)
        if vintage.withdrawn_on is None:
            raise PublishError(f"vintage #{vintage_id} ({vintage.file_name}) is not withdrawn: nothing to restore")
        open_row = session.scalars(select(Withdrawal).where(Withdrawal.vintage_id == vintage_id,
                                                            Withdrawal.restored_on.is_(None))
                                   .order_by(Withdrawal.id.desc())).first()
        if open_row is None:  # a withdrawal set by hand in SQL: record it now
            open_row = Withdrawal(vintage_id=vintage_id, withdrawn_on=vintage.withdrawn_on,
                                  reason=vintage.withdrawn_reason or "")
            session.add(open_row)
        if on < open_row.withdrawn_on:
            raise PublishError(f"vintage #{vintage_id} was withdrawn on {open_row.withdrawn_on}; "
                               f"it cannot be restored on {on}")
        open_row.restored_on, open_row.restore_reason = on, reason
        vintage.withdrawn_on = vintage.withdrawn_reason = None
        session.flush()
        coverage.recover(session, vintage.id)
        run = RefreshRun(source_id=vintage.source_id, kind="restore", started_at=utcnow(), finished_at=utcnow(),
                         outcome="restored", vintage_id=vintage.id,
                         message=f"{vintage.file_name}: restored on {on} (withdrawn on {open_row.withdrawn_on}): "
                                 f"{reason}")
        session.add(run)
    return run


def withdrawal_history(engine: Engine, vintage_id: int | None = None) -> list[Withdrawal]:
    """Every withdrawal (of one vintage), oldest first, with its restoration if any."""
    with Session(engine) as session:
        query = select(Withdrawal).order_by(Withdrawal.vintage_id, Withdrawal.withdrawn_on, Withdrawal.id)
        if vintage_id is not None:
            query = query.where(Withdrawal.vintage_id == vintage_id)
        return list(session.scalars(query).all())


def in_force(vintage: Vintage, history: Iterable[Withdrawal], as_of: dt.date | None) -> bool:
    """Whether the vintage was served as known on ``as_of`` (None: now)."""
    if as_of is None:
        return vintage.withdrawn_on is None
    return vintage.published_on <= as_of and not any(
        w.vintage_id == vintage.id and w.withdrawn_on <= as_of and (w.restored_on is None or w.restored_on > as_of)
        for w in history)
