"""a group's cost key across organisations (issue 18)

- supervision_processes.cost_key: how a group across organisations shares each
  session's price: attendance (today's rule, every existing process), equal per
  organisation, or fixed shares;
- supervision_processes.cost_shares: the fixed shares in basis points per organisation.

Revision ID: 0022_cost_key
Revises: 0021_circles
Create Date: 2026-12-08 00:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_cost_key'
down_revision = '0021_circles'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('supervision_processes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('cost_key', sa.String(length=20), server_default='attendance', nullable=False)
        )
        batch_op.add_column(sa.Column('cost_shares', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('supervision_processes', schema=None) as batch_op:
        batch_op.drop_column('cost_shares')
        batch_op.drop_column('cost_key')
