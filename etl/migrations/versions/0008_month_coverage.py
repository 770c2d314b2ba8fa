"""The coverage table: for each (indicator, geo, month) a vintage has rows for, the days it is
served (from its release or a restoration until a withdrawal), so an as-of read takes each month's
vintage in one index seek instead of ranking every vintage's rows. Filled here from the stored
vintages, observations and withdrawals, so an existing store reads as it did.

Revision ID: 0008
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from etl.store.coverage import served_spans

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ["indicator", "geo", "period", "vintage_id", "published_on", "served_from", "withdrawn_on"]


def upgrade() -> None:
    op.create_table(
        "coverage",
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintages.id"), primary_key=True),
        sa.Column("indicator", sa.String(96), primary_key=True),
        sa.Column("geo", sa.String(16), primary_key=True),
        sa.Column("period", sa.Date, primary_key=True),
        sa.Column("served_from", sa.Date, primary_key=True),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("withdrawn_on", sa.Date, nullable=True),
    )
    op.create_index("ix_coverage_seek", "coverage", ["indicator", "geo", "period", "published_on", "vintage_id",
                                                    "served_from", "withdrawn_on"])
    bind = op.get_bind()
    # Vintages never withdrawn: served from their release on, all in one statement.
    # (DISTINCT in a subquery of its own, so PostgreSQL types the NULL by the column it goes into.)
    bind.execute(sa.text(
        f"INSERT INTO coverage ({', '.join(COLUMNS)}) "
        "SELECT k.indicator, k.geo, k.period, k.vintage_id, v.published_on, v.published_on, NULL "
        "FROM (SELECT DISTINCT vintage_id, indicator, geo, period FROM observations) AS k "
        "JOIN vintages AS v ON v.id = k.vintage_id "
        "WHERE NOT EXISTS (SELECT 1 FROM withdrawals AS w WHERE w.vintage_id = v.id)"))
    # The others: one span between each withdrawal and restoration.
    withdrawals: dict[int, list] = {}
    for vintage_id, withdrawn_on, restored_on in bind.execute(sa.text(
            "SELECT vintage_id, withdrawn_on, restored_on FROM withdrawals ORDER BY vintage_id, id")):
        withdrawals.setdefault(vintage_id, []).append((_day(withdrawn_on), _day(restored_on)))
    for vintage_id, spans in withdrawals.items():
        published_on = _day(bind.execute(sa.text("SELECT published_on FROM vintages WHERE id = :id"),
                                         {"id": vintage_id}).scalar_one())
        for start, until in served_spans(published_on, spans):
            bind.execute(sa.text(
                f"INSERT INTO coverage ({', '.join(COLUMNS)}) "
                "SELECT k.indicator, k.geo, k.period, k.vintage_id, :published_on, :start, :until "
                "FROM (SELECT DISTINCT vintage_id, indicator, geo, period FROM observations "
                "WHERE vintage_id = :id) AS k").bindparams(
                    sa.bindparam("published_on", type_=sa.Date), sa.bindparam("start", type_=sa.Date),
                    sa.bindparam("until", type_=sa.Date)),
                {"id": vintage_id, "published_on": published_on, "start": start, "until": until})


def _day(value):
    """A date column's value as a date (SQLite's plain SQL gives its text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def downgrade() -> None:
    op.drop_index("ix_coverage_seek", table_name="coverage")
    op.drop_table("coverage")
