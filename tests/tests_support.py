"""Constants and helpers shared by tests and conftest."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text

from lahti_pool.extensions import db

PASSWORD = "correct horse battery staple"

#: tables the migrations seed, kept between tests
KEEP_TABLES = {"alembic_version", "pre_questions", "data_versions"}


def empty_all_tables() -> None:
    """Delete every row a test wrote (in the app context)."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with db.engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(table.delete())
            # The triggers of migration 0007 wrote the deleted costs into the ledger.
            conn.execute(text("DELETE FROM budget_usage_changes"))
            conn.execute(text("DELETE FROM budget_usage"))


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL statements sent inside the block (the list fills as they go)."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, url: str) -> int:
    """How many SQL statements a page sends; the page must answer 200."""
    with counted_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def add_slot(supervisor, starts_at, mode: str = "video"):
    """An open one-hour on-duty slot of ``supervisor`` at ``starts_at`` (UTC), flushed."""
    from lahti_pool.slots.models import OnDutySlot
    from lahti_pool.slots.rules import local_date

    slot = OnDutySlot(
        supervisor_id=supervisor.id,
        starts_at=starts_at,
        on_date=local_date(starts_at),
        mode=mode,
        duration_minutes=60,
    )
    db.session.add(slot)
    db.session.flush()
    return slot
