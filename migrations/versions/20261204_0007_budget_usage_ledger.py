"""the budget guard reads a ledger of each year's use kept by triggers, not a year's SUM

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 15:35:00

At city scale the guard's SUM over a year of sessions took 0.4-0.9 s on every booking,
planned session and assignment, while it held the year's budget rows locked: bookings
city-wide went one at a time at one or two a second. The ledger holds the same sums per
(fiscal year, division): ``budget_usage`` as last folded, plus the changes since in
``budget_usage_changes``. Triggers append a change row in the same transaction as every
change of a cost row or of a session's status, approval or date, whoever writes it (the
app, a bulk load, a hand-written UPDATE). They only append: had they updated one row per
division, two transactions changing two divisions' money in opposite orders would each
hold the row the other waits for (PostgreSQL found that deadlock in
tests/budget/test_budget_flows.py). ``lahti_pool/budget/ledger.py`` folds the changes in.
The SQL is written out here, not imported, so that this revision keeps meaning what it
meant.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

USING = "('held', 'no_show', 'late_cancelled')"


def _year(dialect: str, day: str) -> str:
    if dialect == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {day}) AS INTEGER)"
    return f"CAST(strftime('%Y', {day}) AS INTEGER)"


def _buckets(dialect: str, sign: str, row: str, day: str, division: str, amount: str) -> str:
    """The ledger's columns for ``sign`` ``amount``, in the bucket of ``row``'s state.

    ``row`` names what holds the session's status and approval (s, OLD or NEW).
    """
    status, approval = f"{row}.status", f"{row}.approval"
    value = f"{sign}{amount}"
    return f"""{_year(dialect, day)} AS fiscal_year, {division} AS division_id,
        CASE WHEN {status} = 'planned' THEN {value} ELSE 0 END AS committed_cents,
        CASE WHEN {status} IN {USING} AND {approval} = 'approved' THEN {value} ELSE 0 END
            AS spent_cents,
        CASE WHEN {status} IN {USING} AND {approval} IN ('pending', 'returned')
            THEN {value} ELSE 0 END AS awaiting_cents"""


COLUMNS = "(fiscal_year, division_id, committed_cents, spent_cents, awaiting_cents)"


def _add(dialect: str, sign: str, row: str, source: str, day: str, division: str, amount: str):
    """INSERT of a change row per row ``source`` (FROM ... WHERE) gives that holds money."""
    status, approval = f"{row}.status", f"{row}.approval"
    return f"""
    INSERT INTO budget_usage_changes {COLUMNS}
    SELECT {_buckets(dialect, sign, row, day, division, amount)}
    {source} AND ({status} = 'planned'
        OR ({status} IN {USING} AND {approval} IN ('approved', 'pending', 'returned')));
"""


def _cost(dialect: str, sign: str, rec: str) -> str:
    """A cost row ``rec`` (NEW or OLD) in or out, in the bucket of its session's state."""
    return _add(
        dialect,
        sign,
        "s",
        f"FROM supervision_sessions s WHERE s.id = {rec}.session_id",
        "s.on_date",
        f"{rec}.division_id",
        f"{rec}.amount_cents",
    )


def _session(dialect: str, sign: str, rec: str) -> str:
    """All the costs of session ``rec`` (NEW or OLD) in or out, in the bucket of its state."""
    return _add(
        dialect,
        sign,
        rec,
        f"FROM session_costs c WHERE c.session_id = {rec}.id",
        f"{rec}.on_date",
        "c.division_id",
        "c.amount_cents",
    )


CHANGED = (
    "OLD.status <> NEW.status OR OLD.approval <> NEW.approval OR OLD.on_date <> NEW.on_date"
)
# A session's costs leave the ledger before the session goes; the cascade then finds none.
DELETE_COSTS = "DELETE FROM session_costs WHERE session_id = OLD.id;"


def _sqlite_triggers() -> list[str]:
    d = "sqlite"
    return [
        "CREATE TRIGGER budget_usage_cost_insert AFTER INSERT ON session_costs "
        f"BEGIN {_cost(d, '', 'NEW')} END",
        "CREATE TRIGGER budget_usage_cost_delete AFTER DELETE ON session_costs "
        f"BEGIN {_cost(d, '-', 'OLD')} END",
        "CREATE TRIGGER budget_usage_cost_update AFTER UPDATE ON session_costs "
        f"BEGIN {_cost(d, '-', 'OLD')} {_cost(d, '', 'NEW')} END",
        "CREATE TRIGGER budget_usage_session_update "
        "AFTER UPDATE OF status, approval, on_date ON supervision_sessions "
        f"WHEN {CHANGED} BEGIN {_session(d, '-', 'OLD')} {_session(d, '', 'NEW')} END",
        "CREATE TRIGGER budget_usage_session_delete BEFORE DELETE ON supervision_sessions "
        f"BEGIN {DELETE_COSTS} END",
    ]


def _postgresql_triggers() -> list[str]:
    d = "postgresql"
    return [
        f"""CREATE FUNCTION budget_usage_on_cost() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN {_cost(d, '-', 'OLD')} END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {_cost(d, '', 'NEW')} END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER budget_usage_cost AFTER INSERT OR UPDATE OR DELETE ON session_costs "
        "FOR EACH ROW EXECUTE FUNCTION budget_usage_on_cost()",
        f"""CREATE FUNCTION budget_usage_on_session() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_session(d, '-', 'OLD')} {_session(d, '', 'NEW')}
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER budget_usage_session_update "
        "AFTER UPDATE OF status, approval, on_date ON supervision_sessions "
        f"FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION budget_usage_on_session()",
        """CREATE FUNCTION budget_usage_session_gone() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM session_costs WHERE session_id = OLD.id;
            RETURN OLD;
        END $$""",
        "CREATE TRIGGER budget_usage_session_delete BEFORE DELETE ON supervision_sessions "
        "FOR EACH ROW EXECUTE FUNCTION budget_usage_session_gone()",
    ]


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "budget_usage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("division_id", sa.Integer(), nullable=False),
        sa.Column("committed_cents", sa.BigInteger(), nullable=False),
        sa.Column("spent_cents", sa.BigInteger(), nullable=False),
        sa.Column("awaiting_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_usage_changes")),
    )
    with op.batch_alter_table("budget_usage_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_usage_changes_fiscal_year"), ["fiscal_year"], unique=False
        )
    op.create_table(
        "budget_usage",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("division_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("committed_cents", sa.BigInteger(), nullable=False),
        sa.Column("spent_cents", sa.BigInteger(), nullable=False),
        sa.Column("awaiting_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", "division_id", name=op.f("pk_budget_usage")),
    )
    # The ledger of the rows already there: one pass, the same buckets as the triggers.
    rows = _buckets(dialect, "", "s", "s.on_date", "c.division_id", "c.amount_cents")
    op.execute(
        f"INSERT INTO budget_usage {COLUMNS} "
        "SELECT fiscal_year, division_id, SUM(committed_cents), SUM(spent_cents), "
        f"SUM(awaiting_cents) FROM (SELECT {rows} FROM session_costs c "
        "JOIN supervision_sessions s ON s.id = c.session_id) AS r "
        "GROUP BY fiscal_year, division_id"
    )
    triggers = _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers()
    for statement in triggers:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER budget_usage_session_delete ON supervision_sessions")
        op.execute("DROP TRIGGER budget_usage_session_update ON supervision_sessions")
        op.execute("DROP TRIGGER budget_usage_cost ON session_costs")
        op.execute("DROP FUNCTION budget_usage_session_gone()")
        op.execute("DROP FUNCTION budget_usage_on_session()")
        op.execute("DROP FUNCTION budget_usage_on_cost()")
    else:
        for name in ("cost_insert", "cost_delete", "cost_update", "session_update"):
            op.execute(f"DROP TRIGGER budget_usage_{name}")
        op.execute("DROP TRIGGER budget_usage_session_delete")
    op.drop_table("budget_usage")
    with op.batch_alter_table("budget_usage_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_usage_changes_fiscal_year"))
    op.drop_table("budget_usage_changes")
