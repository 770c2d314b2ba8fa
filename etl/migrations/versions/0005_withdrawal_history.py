"""Withdrawals are intervals: a withdrawn vintage can be restored, and ``as_of`` views between the
withdrawal and the restoration still leave it out. One row per withdrawal, with its restoration
when there is one; the vintage's own ``withdrawn_on`` stays the current state.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintages.id"), nullable=False),
        sa.Column("withdrawn_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("restored_on", sa.Date, nullable=True),
        sa.Column("restore_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_withdrawals_vintage", "withdrawals", ["vintage_id"])
    # The withdrawals recorded so far (one per vintage, never undone).
    op.execute("INSERT INTO withdrawals (vintage_id, withdrawn_on, reason) "
               "SELECT id, withdrawn_on, COALESCE(withdrawn_reason, '') FROM vintages "
               "WHERE withdrawn_on IS NOT NULL ORDER BY id")


def downgrade() -> None:
    op.drop_index("ix_withdrawals_vintage", table_name="withdrawals")
    op.drop_table("withdrawals")
