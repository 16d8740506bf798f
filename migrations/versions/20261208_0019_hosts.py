"""hosts as people and venues for group sessions (issue 18, item 4)

- supervision_sessions.host_user_id: the member who hosts a group session;
- supervision_sessions.venue_id: where it meets (organisation.models.Venue);
- supervision_sessions.host_unit_id is dropped. Its data is kept as venues: each unit
  that hosted a session becomes a venue with the unit's name and address (and the
  organisation of the unit's division), and those sessions meet there. Which person of
  the unit hosted was never recorded, so host_user_id stays empty for them.

Revision ID: 0019_hosts
Revises: 0018_quotes
Create Date: 2026-12-08 00:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_hosts'
down_revision = '0018_quotes'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    triggers = []
    if bind.dialect.name == "sqlite":
        # SQLite cannot add a foreign key or drop a column named in one in place: the batch
        # copies the table, which the budget ledger's triggers (migration 0007) name, so
        # they step aside for the copy and come back as they were.
        triggers = bind.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND sql LIKE '%supervision_sessions%' ORDER BY name"
        )).all()
        for name, _sql in triggers:
            op.execute(f'DROP TRIGGER "{name}"')

    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('venue_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_supervision_sessions_host_user_id'), ['host_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_sessions_venue_id'), ['venue_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_supervision_sessions_host_user_id_users'), 'users', ['host_user_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_supervision_sessions_venue_id_venues'), 'venues', ['venue_id'], ['id'])

    _host_units_become_venues()

    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_supervision_sessions_host_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('host_unit_id')

    for _name, sql in triggers:
        op.execute(sql)


def _host_units_become_venues():
    bind = op.get_bind()
    hosted = bind.execute(sa.text(
        "SELECT DISTINCT u.id, u.name, u.address, d.organisation_id FROM supervision_sessions s"
        " JOIN units u ON u.id = s.host_unit_id JOIN divisions d ON d.id = u.division_id"
        " ORDER BY u.id"
    )).all()
    for unit_id, name, address, organisation_id in hosted:
        venue_id = bind.execute(
            sa.text(
                "INSERT INTO venues (name, address, accessibility_note, organisation_id, is_active)"
                " VALUES (:name, :address, '', :organisation_id, :active) RETURNING id"
            ),
            {"name": name[:200], "address": (address or "")[:300],
             "organisation_id": organisation_id, "active": True},
        ).scalar_one()
        bind.execute(
            sa.text("UPDATE supervision_sessions SET venue_id = :venue_id WHERE host_unit_id = :unit_id"),
            {"venue_id": venue_id, "unit_id": unit_id},
        )


def downgrade():
    bind = op.get_bind()
    triggers = []
    if bind.dialect.name == "sqlite":  # as in upgrade()
        triggers = bind.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND sql LIKE '%supervision_sessions%' ORDER BY name"
        )).all()
        for name, _sql in triggers:
            op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_supervision_sessions_host_unit_id_units'), 'units', ['host_unit_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('fk_supervision_sessions_venue_id_venues'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_supervision_sessions_host_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_supervision_sessions_venue_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_sessions_host_user_id'))
        batch_op.drop_column('venue_id')
        batch_op.drop_column('host_user_id')
    for _name, sql in triggers:
        op.execute(sql)
