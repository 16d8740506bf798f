"""Constants and helpers shared by tests and conftest."""

from sqlalchemy import text

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
