"""the guest organisations taking part in a group request (issue 18)

- group_organisations: beside the city, the guest organisations whose active officials
  may be named members of a group request.

Revision ID: 0024_group_organisations
Revises: 0023_surveys
Create Date: 2026-12-08 00:14:17.150909

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_group_organisations'
down_revision = '0023_surveys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_group_organisations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['request_id'], ['supervision_requests.id'], name=op.f('fk_group_organisations_request_id_supervision_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_organisations')),
    sa.UniqueConstraint('request_id', 'organisation_id', name=op.f('uq_group_organisations_request_id_organisation_id'))
    )
    with op.batch_alter_table('group_organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_organisations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_organisations_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('group_organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_organisations_request_id'))
        batch_op.drop_index(batch_op.f('ix_group_organisations_organisation_id'))

    op.drop_table('group_organisations')
