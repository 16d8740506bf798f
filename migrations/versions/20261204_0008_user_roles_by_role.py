"""the administrators found by role without reading every user

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:37:19.212408

The budget guard's threshold e-mail, the users list filtered by role and the daily jobs
look people up by role. Without this index SQLite read all 50,000 users of the generated
city to find its administrators (12 ms, on every booking past the threshold).
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index("ix_user_roles_role_user_id", ["role", "user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index("ix_user_roles_role_user_id")
