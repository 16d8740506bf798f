"""meeting logistics and supervisors' own presentations (issue 16)

- supervision_requests.contact_phone: an on-duty booker's phone number (phone mode), as
  confidential as the pre-question answers and purged with them;
- supervisors.video_url, supervision_sessions.video_url: a personal video-meeting link,
  or one for a session;
- supervisors.photo, photo_version: the presentation photo, re-encoded JPEG;
- units.address: the host unit's address in group sessions' invitations.

Revision ID: 0014_logistics
Revises: 0013_nudges_pages
Create Date: 2026-12-07 21:14:18.512314

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_logistics'
down_revision = '0013_nudges_pages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('supervision_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))

    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('video_url', sa.String(length=500), server_default='', nullable=False))

    with op.batch_alter_table('supervisors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('video_url', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('photo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('photo_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), server_default='', nullable=False))



def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of supervision_sessions
    # on SQLite would break the budget ledger's triggers that name it (migration 0007).
    for table, column in (
        ("units", "address"),
        ("supervisors", "photo_version"),
        ("supervisors", "photo"),
        ("supervisors", "video_url"),
        ("supervision_sessions", "video_url"),
        ("supervision_requests", "contact_phone"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
