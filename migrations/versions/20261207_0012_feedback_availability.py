"""feedback availability (issue 20): the feedback form asks how easy supervision was to get

Answers given before the question existed keep NULL; the report averages the answers
that have one, suppressed on their own count.

Revision ID: 0012_feedback_availability
Revises: 0011_security
Create Date: 2026-12-07 21:15:40.001892

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_feedback_availability'
down_revision = '0011_security'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('availability', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_feedback_responses_availability_range'), 'availability BETWEEN 1 AND 5'
        )


def downgrade():
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_feedback_responses_availability_range'), type_='check')
        batch_op.drop_column('availability')
