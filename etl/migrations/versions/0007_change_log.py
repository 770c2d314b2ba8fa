"""The change log: one dated entry per publish that changed what is served (new months, revisions
beyond tolerance, every verdict, commitment and claim status that moved, and why), each holding
the statuses it was compared with, so the next entry is one read away; and every attempt to
deliver an entry to the operator's webhook.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("causes", sa.String(255), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )
    op.create_table(
        "change_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("change_log.id"), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("attempted_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_change_deliveries_entry", "change_deliveries", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_change_deliveries_entry", table_name="change_deliveries")
    op.drop_table("change_deliveries")
    op.drop_table("change_log")
