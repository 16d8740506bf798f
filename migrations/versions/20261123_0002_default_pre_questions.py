"""default pre-questions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:19:51.881911

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


QUESTIONS = [
    (
        1,
        "Mitä asiaa tai tilannetta haluat käsitellä työnohjauksessa?",
        "What matter or situation would you like to work on in supervision?",
    ),
    (
        2,
        "Mitä olet jo kokeillut, ja miten tilanne on kehittynyt?",
        "What have you already tried, and how has the situation developed?",
    ),
    (
        3,
        "Mitä toivot työnohjauksen tuovan sinulle?",
        "What do you hope supervision will give you?",
    ),
]


def upgrade():
    # The administrator can edit these; a new installation starts with Vantaa-style questions.
    table = sa.table(
        "pre_questions",
        sa.column("position", sa.Integer),
        sa.column("text_fi", sa.String),
        sa.column("text_en", sa.String),
    )
    op.bulk_insert(table, [{"position": p, "text_fi": fi, "text_en": en} for p, fi, en in QUESTIONS])


def downgrade():
    op.execute("DELETE FROM pre_questions WHERE position IN (1, 2, 3)")
