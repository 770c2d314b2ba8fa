"""The coverage table: as-of reads seek each month's vintage in it and give what ranking every
vintage's rows gave (the query it replaced, kept here), for every date around each publish,
withdrawal, restoration and corrected release date; and an upgraded store gets the same table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import select, text

from etl.store import (
    GIVEN_DATE,
    Coverage,
    PublishError,
    VintageRecord,
    _alembic_config,
    init_schema,
    publish,
    read_slice,
    restore,
    withdraw,
    withdrawal_history,
)
from etl.store import reads as store_reads
from etl.store.coverage import served_spans
from tests.helpers import TEST_ORIGIN as ORIGIN

# The as-of read before the coverage table: for each month, rank every vintage with rows of the
# key by release date, leaving out those withdrawn as known on :as_of.
OLD_SLICE_SQL = """
WITH candidates AS (
    SELECT DISTINCT period, vintage_id, flags FROM observations
    WHERE indicator = :indicator AND geo = :geo AND period >= :period_from AND period <= :period_to
),
ranked AS (
    SELECT c.period, c.vintage_id, c.flags,
           DENSE_RANK() OVER (PARTITION BY c.period ORDER BY v.published_on DESC, v.id DESC) AS rank_newest
    FROM candidates AS c JOIN vintages AS v ON v.id = c.vintage_id
    WHERE v.published_on <= :as_of AND NOT EXISTS (
        SELECT 1 FROM withdrawals AS w WHERE w.vintage_id = v.id AND w.withdrawn_on <= :as_of
        AND (w.restored_on IS NULL OR w.restored_on > :as_of))
),
chosen AS (SELECT DISTINCT period, vintage_id FROM ranked WHERE rank_newest = 1)
SELECT 'row' AS kind, obs.period AS period, obs.vintage_id AS vintage_id, {dims_text} AS dims,
       obs.value AS value, obs.value_predicted AS value_predicted, obs.flags AS flags
FROM chosen AS c
JOIN observations AS obs
  ON obs.vintage_id = c.vintage_id AND obs.period = c.period
 AND obs.indicator = :indicator AND obs.geo = :geo {filters}
UNION ALL
SELECT 'month', r.period, r.vintage_id, NULL, NULL, NULL, r.flags
FROM ranked AS r WHERE r.rank_newest = 1
"""

OLD_MONTHS_SQL = """
WITH candidates AS (
    SELECT DISTINCT geo, period, vintage_id FROM observations WHERE indicator = :indicator
),
ranked AS (
    SELECT c.geo, c.period, c.vintage_id,
           DENSE_RANK() OVER (PARTITION BY c.geo, c.period ORDER BY v.published_on DESC, v.id DESC) AS rank_newest
    FROM candidates AS c JOIN vintages AS v ON v.id = c.vintage_id
    WHERE v.published_on <= :as_of AND NOT EXISTS (
        SELECT 1 FROM withdrawals AS w WHERE w.vintage_id = v.id AND w.withdrawn_on <= :as_of
        AND (w.restored_on IS NULL OR w.restored_on > :as_of))
),
chosen AS (SELECT DISTINCT geo, period, vintage_id FROM ranked WHERE rank_newest = 1)
SELECT DISTINCT obs.geo AS geo, obs.period AS period
FROM chosen AS c
JOIN observations AS obs
  ON obs.vintage_id = c.vintage_id AND obs.period = c.period AND obs.geo = c.geo
 AND obs.indicator = :indicator {filters}
WHERE obs.value IS NOT NULL
"""

MONTHS = [dt.date(2025, m, 1) for m in range(1, 7)]


def record(name: str, published: dt.date, months: list[dt.date], scale: float, *, basis: str = "test",
           drop: str | None = None) -> VintageRecord:
    """A release of two geographies and two categories over ``months`` (leaving out ``drop``'s
    rows in its last month, as aggregate tables leave out a combination), some rows flagged."""
    rows = []
    for geo in ("US", "TX"):
        for i, month in enumerate(months):
            for category in ("Fentanyl", "Heroin"):
                if category == drop and month == months[-1]:
                    continue
                value = None if geo == "TX" and category == "Heroin" and i == 0 else scale * (i + 1)
                flags = "provisional" if month == months[-1] else ("suppressed" if value is None else "")
                rows.append((month, geo, category, value, flags))
    frame = pd.DataFrame(rows, columns=["period", "geo", "category", "value", "flags"])
    frame["indicator"] = "test_lbs"
    return VintageRecord(source_id="test_source", file_name=f"release-{name}.csv", sha256=name * 64,
                         published_on=published, published_on_basis=basis, observations=frame)


def _history(store) -> list[dt.date]:
    """Publish, withdraw, restore and correct releases; return every date something happened."""
    events = []

    def publish_one(rec: VintageRecord) -> int:
        events.append(rec.published_on)
        return publish(store, ORIGIN, rec, kind="test").vintage_id

    a = publish_one(record("a", dt.date(2025, 3, 10), MONTHS[:2], 100.0))
    b = publish_one(record("b", dt.date(2025, 4, 10), MONTHS[1:3], 110.0, drop="Heroin"))
    publish_one(record("c", dt.date(2025, 4, 10), MONTHS[2:4], 120.0))  # same day as b: the newer id wins
    d = publish_one(record("d", dt.date(2025, 5, 10), MONTHS[:5], 130.0))
    for vintage_id, on, undo in ((d, dt.date(2025, 6, 1), dt.date(2025, 6, 20)),
                                 (d, dt.date(2025, 7, 1), None),
                                 (b, dt.date(2025, 4, 20), dt.date(2025, 4, 20))):  # restored the same day
        withdraw(store, vintage_id, "checked", on)
        events.append(on)
        if undo is not None:
            restore(store, vintage_id, "checked again", undo)
            events.append(undo)
    # An operator corrects a's release date: the same release, now dated after b and c.
    corrected = record("a", dt.date(2025, 4, 15), MONTHS[:2], 100.0, basis=GIVEN_DATE)
    assert publish(store, ORIGIN, corrected, kind="test").outcome == "corrected"
    events.append(corrected.published_on)
    assert {w.vintage_id for w in withdrawal_history(store)} == {b, d}
    assert a not in {w.vintage_id for w in withdrawal_history(store)}
    return events


def _rows(store, sql: str, params: dict) -> list[tuple]:
    with store.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    return sorted(tuple("" if v is None else str(v)[:10] if isinstance(v, dt.date) else str(v) for v in row)
                  for row in rows)


def _as_of_dates(events: list[dt.date]) -> list[dt.date | None]:
    return [None, *sorted({day + dt.timedelta(days=shift) for day in events for shift in (-1, 0, 1)})]


@pytest.mark.parametrize("filters", [{}, {"category": "Heroin"}])
def test_reads_through_coverage_give_what_ranking_every_vintage_gave(store, filters):
    events = _history(store)
    dialect = store.dialect.name
    conditions, filter_params = store_reads._filter_sql(dialect, filters)
    dims_text = "CAST(obs.dims AS TEXT)" if dialect == "postgresql" else "obs.dims"
    compared = 0
    for as_of in _as_of_dates(events):
        for geo in ("US", "TX"):
            for period_from, period_to in ((MONTHS[0], MONTHS[-1]), (MONTHS[1], MONTHS[2])):
                params = {"indicator": "test_lbs", "geo": geo, "period_from": period_from, "period_to": period_to,
                          "as_of": as_of or dt.date(2999, 12, 31), **filter_params}
                old = _rows(store, OLD_SLICE_SQL.format(filters=conditions, dims_text=dims_text), params)
                new = _rows(store, store_reads._SLICE_SQL.format(filters=conditions, dims_text=dims_text), params)
                # The old query gave a month's flags once per distinct flags of its rows; so does the new.
                assert new == old, (as_of, geo, period_from)
                compared += len(old)
        params = {"indicator": "test_lbs", "as_of": as_of or dt.date(2999, 12, 31), **filter_params}
        assert (_rows(store, store_reads._MONTHS_SQL.format(filters=conditions), params)
                == _rows(store, OLD_MONTHS_SQL.format(filters=conditions), params)), as_of
    assert compared  # the history gave rows to compare


def test_each_date_reads_the_vintage_in_force(store):
    """The read path itself: a withdrawn vintage's months fall back to the release before it, a
    restored one is served again, a corrected date moves the release in the order."""
    _history(store)
    served = read_slice(store, "test_lbs", "US", as_of=dt.date(2025, 6, 10)).months
    assert set(served["vintage"]) <= {"release-a.csv", "release-b.csv", "release-c.csv"}
    again = read_slice(store, "test_lbs", "US", as_of=dt.date(2025, 6, 25)).months
    assert set(again["vintage"]) == {"release-d.csv"}
    before = read_slice(store, "test_lbs", "US", as_of=dt.date(2025, 4, 12)).months
    assert "release-a.csv" not in set(before.loc[before["period"] == pd.Timestamp(MONTHS[1]), "vintage"])
    after = read_slice(store, "test_lbs", "US", as_of=dt.date(2025, 4, 16)).months
    assert set(after.loc[after["period"] == pd.Timestamp(MONTHS[1]), "vintage"]) == {"release-a.csv"}


def test_a_refused_withdrawal_leaves_coverage_as_it_was(store):
    _history(store)
    before = _coverage(store)
    vintage_id = before[0][0]
    with pytest.raises(PublishError):
        withdraw(store, vintage_id, "checked", dt.date(2000, 1, 1))  # before its release
    assert _coverage(store) == before


def _coverage(store) -> list[tuple]:
    with store.connect() as conn:
        rows = conn.execute(select(Coverage.vintage_id, Coverage.indicator, Coverage.geo, Coverage.period,
                                   Coverage.published_on, Coverage.served_from, Coverage.withdrawn_on)).all()
    return sorted(tuple(row) for row in rows)


def test_an_upgraded_store_gets_the_coverage_its_history_wrote(store):
    _history(store)
    kept = _coverage(store)
    with store.begin() as conn:
        command.downgrade(_alembic_config(conn), "0007")
    init_schema(store)
    assert _coverage(store) == kept


def test_served_spans_cut_each_withdrawal_out_of_the_days_since_the_release():
    day = dt.date(2025, 1, 1)

    def on(n: int) -> dt.date:
        return day + dt.timedelta(days=n)

    assert served_spans(day, []) == [(day, None)]
    assert served_spans(day, [(on(5), on(9)), (on(20), None)]) == [(day, on(5)), (on(9), on(20))]
    assert served_spans(day, [(on(5), on(5))]) == [(day, None)]  # restored the same day
    assert served_spans(on(10), [(on(5), None)]) == []  # a release date corrected past its withdrawal
    assert served_spans(on(10), [(on(5), on(12))]) == [(on(12), None)]
