"""funding sources' budgets and expenses (issue 19)

- funding_budgets: a funding source's money per fiscal year, with its warning threshold;
- funded_expenses: what a funding source pays (a programme's venue, fees), checked by
  the guard against that year's budget.

Revision ID: 0016_funding
Revises: 0015_organisations
Create Date: 2026-12-08 00:11:56.263164

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_funding'
down_revision = '0015_organisations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funding_budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_source_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('warn_percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_funding_budgets_amount_nonneg')),
    sa.CheckConstraint('warn_percent > 0 AND warn_percent <= 100', name=op.f('ck_funding_budgets_warn_range')),
    sa.ForeignKeyConstraint(['funding_source_id'], ['funding_sources.id'], name=op.f('fk_funding_budgets_funding_source_id_funding_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_budgets')),
    sa.UniqueConstraint('funding_source_id', 'fiscal_year', name=op.f('uq_funding_budgets_funding_source_id_fiscal_year'))
    )
    op.create_table('funded_expenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_source_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_funded_expenses_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_funded_expenses_created_by_id_users')),
    sa.ForeignKeyConstraint(['funding_source_id'], ['funding_sources.id'], name=op.f('fk_funded_expenses_funding_source_id_funding_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funded_expenses'))
    )
    with op.batch_alter_table('funded_expenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funded_expenses_fiscal_year'), ['fiscal_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_funded_expenses_funding_source_id'), ['funding_source_id'], unique=False)



def downgrade():
    with op.batch_alter_table('funded_expenses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funded_expenses_funding_source_id'))
        batch_op.drop_index(batch_op.f('ix_funded_expenses_fiscal_year'))

    op.drop_table('funded_expenses')
    op.drop_table('funding_budgets')
