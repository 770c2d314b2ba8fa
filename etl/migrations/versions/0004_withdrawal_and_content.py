"""Vintages can be withdrawn (recorded, never deleted) and carry a digest of their content, so the
same release with another byte encoding (BOM, CRLF, reordered columns) is recognised.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vintages") as batch:
        batch.add_column(sa.Column("content_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("withdrawn_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vintages") as batch:
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn_on")
        batch.drop_column("content_sha256")
