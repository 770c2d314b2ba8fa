"""The schema every store had before migrations existed: five fixed dimension columns.

Stores created before this revision are stamped with it (``etl.store.migrate``), then upgraded.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("producer", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("citation", sa.Text, nullable=False),
        sa.Column("attribution", sa.Text, nullable=False),
        sa.Column("url_main", sa.Text, nullable=False),
        sa.Column("url_download", sa.Text),
        sa.Column("licence", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
    )
    op.create_table(
        "vintages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("published_on_basis", sa.Text, nullable=False),
        sa.Column("retrieved_at", sa.DateTime, nullable=False),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.UniqueConstraint("source_id", "sha256", name="uq_vintage_source_sha"),
    )
    op.create_index("ix_vintages_source_id", "vintages", ["source_id"])
    op.create_index("ix_vintages_published_on", "vintages", ["published_on"])
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintages.id"), nullable=False),
        sa.Column("indicator", sa.String(96), nullable=False),
        sa.Column("period", sa.Date, nullable=False),
        sa.Column("geo", sa.String(16), nullable=False),
        sa.Column("component", sa.String(64)),
        sa.Column("region", sa.String(64)),
        sa.Column("land_filter", sa.String(32)),
        sa.Column("area", sa.String(96)),
        sa.Column("category", sa.String(96)),
        sa.Column("value", sa.Float),
        sa.Column("value_predicted", sa.Float),
        sa.Column("flags", sa.String(128), nullable=False),
    )
    op.create_index("ix_obs_key", "observations", ["indicator", "geo", "period", "vintage_id"])
    op.create_index("ix_obs_vintage", "observations", ["vintage_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.String(96), primary_key=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("date_end", sa.Date),
        sa.Column("date_precision", sa.String(16), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("confidence", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_date", "events", ["date"])
    op.create_table(
        "refresh_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("vintage_id", sa.Integer),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_refresh_runs_source_id", "refresh_runs", ["source_id"])
    op.create_table(
        "derived_results",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("computed_at", sa.DateTime, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("derived_results", "refresh_runs", "events", "observations", "vintages", "sources"):
        op.drop_table(table)
