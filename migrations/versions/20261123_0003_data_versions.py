"""data versions: one counter per group of tables, for the cache of SQL aggregates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:38:59.040713

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The groups of lahti_pool/core/versions.py; a new group needs a migration adding its row.
GROUPS = ("budgets", "feedback", "sessions", "slots", "supervisors")


def upgrade():
    table = op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    op.bulk_insert(table, [{"name": name, "version": 0} for name in GROUPS])


def downgrade():
    op.drop_table("data_versions")
