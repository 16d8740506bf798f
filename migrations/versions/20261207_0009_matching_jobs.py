"""matching jobs

Revision ID: 0009_matching_jobs
Revises: 0008
Create Date: 2026-12-07 18:17:42.141123

A matching run asked for on the queue page is computed outside the web request (issue 21).
The unique ``active`` column (1 while queued or running, NULL after) lets one run at a time
be active whichever node or worker asks.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_matching_jobs"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "matching_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column(
            "policy",
            sa.Enum(
                "ranking",
                "balanced",
                "client_choice",
                "strict_ranking",
                name="policy",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="jobstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_matching_jobs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["matching_runs.id"],
            name=op.f("fk_matching_jobs_run_id_matching_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_matching_jobs_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_jobs")),
        sa.UniqueConstraint("active", name=op.f("uq_matching_jobs_active")),
    )


def downgrade():
    op.drop_table("matching_jobs")
