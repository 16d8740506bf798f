"""The query plans behind the main pages, read off a PostgreSQL (or SQLite) city.

Opens every page of ``web_bench.PAGES`` in-process as its role (the Flask test client,
no server), with the aggregate cache empty, records every SQL statement the page sends
with its parameters, then asks the database how it runs each one:
``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite. It prints,
per page, each statement's time and the plan's top lines, and flags full scans of the
big tables, so a missing index shows up as ``SEQ SCAN`` beside the page that needs it.

    python benchmarks/query_plans.py --database-url postgresql+psycopg://…/city
    python benchmarks/query_plans.py --database-url sqlite:////tmp/city.db --only /budget

The database must hold a generated city (``flask pool demo --scale city``); nothing is
written. ``EXPLAIN ANALYZE`` runs the statements once more, read-only.
"""

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import event, select, text  # noqa: E402
from web_bench import PAGES  # noqa: E402

from lahti_pool import create_app  # noqa: E402
from lahti_pool.config import Config  # noqa: E402

#: tables big enough at city scale that reading all of them is a finding
BIG_TABLES = (
    "supervision_sessions",
    "session_costs",
    "session_attendance",
    "supervision_requests",
    "supervision_processes",
    "process_members",
    "quota_accounts",
    "users",
    "on_duty_slots",
    "feedback_responses",
    "feedback_invitations",
    "statement_lines",
)
SCAN = re.compile(r"Seq Scan on (\w+)|SCAN (\w+)(?! USING)", re.IGNORECASE)


def _config(database_url: str):
    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "query-plans-" + "x" * 32  # noqa: S105 - a local read-only run
        WTF_CSRF_ENABLED = False

    return BenchConfig


def _explain(conn, dialect: str, statement: str, params) -> list[str]:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(prefix + statement, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if dialect == "postgresql":
        return [row[0] for row in rows]
    return [f"{'  ' * 0}{row[-1]}" for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--email-domain", default="city.example.fi")
    parser.add_argument("--only", action="append", help="a page path to explain (repeatable)")
    parser.add_argument("--lines", type=int, default=8, help="plan lines shown per statement")
    parser.add_argument(
        "--min-ms", type=float, default=1.0, help="explain only statements slower than this"
    )
    args = parser.parse_args()

    from lahti_pool.accounts.models import User
    from lahti_pool.core import versions
    from lahti_pool.extensions import db

    app = create_app(_config(args.database_url))
    findings = []
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        recorded: list[tuple[str, object, float]] = []
        started = {}

        def before(conn, cursor, statement, params, context, executemany):
            started["t"] = time.perf_counter()

        def after(conn, cursor, statement, params, context, executemany):
            recorded.append((statement, params, (time.perf_counter() - started["t"]) * 1000))

        users = {
            role: db.session.scalar(
                select(User).where(User.email == f"{role}@{args.email_domain}")
            ).get_id()
            for role in {p.role for p in PAGES}
        }
    for page in PAGES:
        if args.only and page.path not in args.only:
            continue
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = users[page.role]
            session["_fresh"] = True
        versions.clear()
        recorded.clear()
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            response = client.get(page.path)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        print(
            f"\n## {page.path} as {page.role}: {response.status_code}, {len(recorded)} statements"
        )
        with app.app_context(), engine.connect() as conn:
            if dialect == "sqlite":
                conn.execute(text("SELECT 1"))
            for statement, params, ms in recorded:
                if ms < args.min_ms or not statement.lstrip().upper().startswith("SELECT"):
                    continue
                plan = _explain(conn, dialect, statement, params)
                scans = {
                    name
                    for match in SCAN.finditer("\n".join(plan))
                    for name in match.groups()
                    if name in BIG_TABLES
                }
                flag = f"  FULL SCAN of {', '.join(sorted(scans))}" if scans else ""
                first_line = " ".join(statement.split())[:110]
                print(f"\n{ms:8.1f} ms  {first_line}{flag}")
                for line in plan[: args.lines]:
                    print(f"            {line}")
                if scans:
                    findings.append((page.path, sorted(scans), round(ms, 1)))
    print("\n## Full scans of big tables")
    for path, tables, ms in findings or [("none", [], 0)]:
        print(f"- {path}: {', '.join(tables)} ({ms} ms)" if tables else "- none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
