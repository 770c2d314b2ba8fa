"""Observations carry their dimensions as one JSON object (``dims``) instead of five fixed columns.

Weapons seizures have direction, transport mode and seizure type; homicides state and weapon;
encounters component and citizenship: no fixed set of columns fits every source. The values of
the five old columns move into ``dims`` (null ones are left out), then the columns are dropped.
PostgreSQL stores ``dims`` as JSONB with a GIN index (filters use ``@>``); SQLite keeps JSON text,
filtered with ``json_extract`` inside the (indicator, geo, period) index range.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD = ("component", "region", "land_filter", "area", "category")
OLD_TYPES = {"component": sa.String(64), "region": sa.String(64), "land_filter": sa.String(32),
             "area": sa.String(96), "category": sa.String(96)}


def _json_type():
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("dims", _json_type(), nullable=True))
    pairs = ", ".join(f"'{name}', {name}" for name in OLD)
    if bind.dialect.name == "postgresql":
        op.execute(f"UPDATE observations SET dims = jsonb_strip_nulls(jsonb_build_object({pairs}))")
    else:
        # json_patch drops the members whose value is null (RFC 7396 merge patch).
        op.execute(f"UPDATE observations SET dims = json_patch('{{}}', json_object({pairs}))")
    with op.batch_alter_table("observations") as batch:
        batch.alter_column("dims", existing_type=_json_type(), nullable=False)
        for name in OLD:
            batch.drop_column(name)
    if bind.dialect.name == "postgresql":
        op.create_index("ix_obs_dims", "observations", ["dims"], postgresql_using="gin",
                        postgresql_ops={"dims": "jsonb_path_ops"})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_index("ix_obs_dims", table_name="observations")
    with op.batch_alter_table("observations") as batch:
        for name in OLD:
            batch.add_column(sa.Column(name, OLD_TYPES[name], nullable=True))
    for name in OLD:
        if bind.dialect.name == "postgresql":
            op.execute(f"UPDATE observations SET {name} = dims ->> '{name}'")
        else:
            op.execute(f"UPDATE observations SET {name} = json_extract(dims, '$.{name}')")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("dims")
