"""quotes for a group (issue 18)

- quote_rounds: a request for quotes (tarjouspyyntö) for a group request: the sessions,
  period, group size and a short non-confidential description of the need; the
  administrator's decision and reason, and the process it opened;
- quotes: each supervisor's answer: a net price per session and a validity date, or a
  decline.

Revision ID: 0018_quotes
Revises: 0017_programmes
Create Date: 2026-12-08 00:14:03.809379

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_quotes'
down_revision = '0017_programmes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quote_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'accepted', name='roundstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('need', sa.String(length=500), nullable=False),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quote_rounds_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_quote_rounds_decided_by_id_users')),
    sa.ForeignKeyConstraint(['process_id'], ['supervision_processes.id'], name=op.f('fk_quote_rounds_process_id_supervision_processes')),
    sa.ForeignKeyConstraint(['request_id'], ['supervision_requests.id'], name=op.f('fk_quote_rounds_request_id_supervision_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_rounds'))
    )
    with op.batch_alter_table('quote_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_rounds_request_id'), ['request_id'], unique=False)

    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('asked', 'given', 'declined', 'accepted', 'closed', name='quotestatus', native_enum=False, length=20), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['quote_rounds.id'], name=op.f('fk_quotes_round_id_quote_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['supervisors.id'], name=op.f('fk_quotes_supervisor_id_supervisors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('round_id', 'supervisor_id', name=op.f('uq_quotes_round_id_supervisor_id'))
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_supervisor_id'), ['supervisor_id'], unique=False)



def downgrade():
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotes_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_quotes_round_id'))

    op.drop_table('quotes')
    with op.batch_alter_table('quote_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_rounds_request_id'))

    op.drop_table('quote_rounds')
