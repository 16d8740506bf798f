"""single sign-on identities, the sign-in policy, staff numbers and job groups

Revision ID: 0010_sso
Revises: 0009_matching_jobs
Create Date: 2026-12-07 17:56:34.985244

A person's subject at the city's OpenID provider (accounts/oidc.py), the administrator's
switch for local passwords, and the HR sync's key (the staff number) and job group.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_sso"
down_revision = "0009_matching_jobs"
branch_labels = None
depends_on = None

JOB_GROUPS = (
    "teacher",
    "principal",
    "school_assistant",
    "school_secretary",
    "manager",
    "other",
)


def upgrade():
    op.create_table(
        "external_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_external_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identities")),
        sa.UniqueConstraint(
            "issuer", "subject", name=op.f("uq_external_identities_issuer_subject")
        ),
        sa.UniqueConstraint(
            "issuer", "user_id", name=op.f("uq_external_identities_issuer_user_id")
        ),
    )
    with op.batch_alter_table("external_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_identities_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "sign_in_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_passwords", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_sign_in_policy_changed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_policy")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_number", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                "job_group",
                sa.Enum(*JOB_GROUPS, name="jobgroup", native_enum=False, length=20),
                nullable=False,
                server_default="other",
            )
        )
        batch_op.create_unique_constraint(batch_op.f("uq_users_staff_number"), ["staff_number"])


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_staff_number"), type_="unique")
        batch_op.drop_column("job_group")
        batch_op.drop_column("staff_number")

    op.drop_table("sign_in_policy")
    with op.batch_alter_table("external_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_identities_user_id"))

    op.drop_table("external_identities")
