"""The coverage table (``schema.Coverage``): which vintage serves each month on which days, so an
as-of read seeks one index entry per month instead of ranking every vintage's rows.

It is written in the caller's transaction, with the change it follows: a publish adds the new
vintage's months (:func:`cover`); a withdrawal, a restoration or a corrected release date writes
the vintage's spans again (:func:`recover`). Reads never see it out of step with the vintages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Date, delete, insert, literal, select

from etl.store.schema import Coverage, Observation, Vintage, Withdrawal


def served_spans(published_on: dt.date,
                 withdrawals: Iterable[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    """The days a vintage is served, as ``[from, until)`` spans (``until`` None: still served):
    from its release on, except while withdrawn (``withdrawn_on`` until ``restored_on``, or for
    good). The same rule the as-of reads applied to the vintages and withdrawals tables."""
    spans: list[tuple[dt.date, dt.date | None]] = [(published_on, None)]
    for withdrawn_on, restored_on in withdrawals:
        cut: list[tuple[dt.date, dt.date | None]] = []
        for start, until in spans:
            if (until is not None and until <= withdrawn_on) or (restored_on is not None and restored_on <= start):
                cut.append((start, until))  # the withdrawal does not touch this span
                continue
            if start < withdrawn_on:
                cut.append((start, withdrawn_on))
            if restored_on is not None and (until is None or restored_on < until):
                cut.append((restored_on, until))
        spans = cut
    merged: list[tuple[dt.date, dt.date | None]] = []
    for start, until in sorted(spans):  # a restoration on the day of the withdrawal leaves no gap
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], until)
        else:
            merged.append((start, until))
    return merged


def _insert_span(conn, vintage_id: int, published_on: dt.date, start: dt.date, until: dt.date | None) -> None:
    """One row for each (indicator, geo, month) of the vintage's observations, served ``[start, until)``.
    The months are made distinct in a subquery of their own, so PostgreSQL types the constants
    (a NULL ``until`` among them) by the columns they go into."""
    keys = (select(Observation.indicator, Observation.geo, Observation.period)
            .where(Observation.vintage_id == vintage_id).distinct().subquery("k"))
    rows = select(keys.c.indicator, keys.c.geo, keys.c.period, literal(vintage_id).label("vintage_id"),
                  literal(published_on, Date).label("published_on"), literal(start, Date).label("served_from"),
                  literal(until, Date).label("withdrawn_on"))
    conn.execute(insert(Coverage).from_select(
        ["indicator", "geo", "period", "vintage_id", "published_on", "served_from", "withdrawn_on"], rows))


def cover(conn, vintage_id: int, published_on: dt.date) -> None:
    """Add a newly published vintage's months, served from its release date (after its rows are
    inserted, in the same transaction)."""
    _insert_span(conn, vintage_id, published_on, published_on, None)


def recover(conn, vintage_id: int) -> None:
    """Write the vintage's months again from its release date and its withdrawals as they now
    stand (after a withdrawal, a restoration or a corrected release date, in the same
    transaction)."""
    published_on = conn.execute(select(Vintage.published_on).where(Vintage.id == vintage_id)).scalar_one()
    withdrawals = conn.execute(select(Withdrawal.withdrawn_on, Withdrawal.restored_on)
                               .where(Withdrawal.vintage_id == vintage_id).order_by(Withdrawal.id)).all()
    conn.execute(delete(Coverage).where(Coverage.vintage_id == vintage_id))
    for start, until in served_spans(published_on, withdrawals):
        _insert_span(conn, vintage_id, published_on, start, until)

