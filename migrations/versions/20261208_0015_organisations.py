"""guest organisations and venues (issues 18 and 19)

- organisations: another employer taking part beside the city (a neighbouring
  municipality, a joint authority), with its contact person and invoice details;
- divisions.organisation_id: the guest organisation whose cost centre a division is
  (None for the city's own), so budgets, the guard and statements follow it;
- venues: meeting places with an address and an accessibility note;
- funding_sources: money beside the city's budget (ministry partnership money).

Revision ID: 0015_organisations
Revises: 0014_logistics
Create Date: 2026-12-08 00:05:10.763374

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_organisations'
down_revision = '0014_logistics'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('business_id', sa.String(length=20), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('invoice_address', sa.String(length=500), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    op.create_table('funding_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_funding_sources_name'))
    )
    op.create_table('venues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('accessibility_note', sa.String(length=1000), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_venues_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venues'))
    )
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venues_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('divisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_divisions_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_divisions_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'])



def downgrade():
    with op.batch_alter_table('divisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_divisions_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_divisions_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venues_organisation_id'))

    op.drop_table('venues')
    op.drop_table('funding_sources')
    op.drop_table('organisations')
