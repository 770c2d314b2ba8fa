"""A vintage's coverage (``period_end``) counts a figure over years through December of its last
year: ATF's 2018–2023 window, stored at 2018 with ``end_year`` 2023, covers the months through
2023-12, not 2018-01. Vintages loaded before this kept the first year of their newest figure, so
the freshness shown and the checks that a release does not end before the one it follows read
them short; their coverage is recomputed here from their rows (a data change, no new column).

Revision ID: 0006
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    end_year = "dims ->> 'end_year'" if bind.dialect.name == "postgresql" else "json_extract(dims, '$.end_year')"
    rows = bind.execute(sa.text(
        f"SELECT vintage_id, MAX(CAST({end_year} AS INTEGER)) FROM observations "
        f"WHERE {end_year} IS NOT NULL GROUP BY vintage_id")).all()
    for vintage_id, year in rows:
        if year is None:
            continue
        bind.execute(sa.text("UPDATE vintages SET period_end = :end WHERE id = :id "
                             "AND (period_end IS NULL OR period_end < :end)"),
                     {"end": dt.date(int(year), 12, 1), "id": vintage_id})


def downgrade() -> None:
    """Coverage is read from the rows either way: nothing to undo (the longer coverage stays)."""
