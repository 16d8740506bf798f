"""Double-submitted administrator actions answer "already done", never a server error
(issue 22, item 3): ten tabs accept one proposal, ten tabs generate one statement.

Real parallel requests through the app (each in its own context and database
connection), on the suite's database: file SQLite, or PostgreSQL with --db=postgresql.
"""

from datetime import date

from sqlalchemy import func, select
from test_statements import make_session, process  # noqa: F401 - the fixture by name
from tests_support import submit_at_once

from lahti_pool.budget.models import InvoiceStatement, StatementLine
from lahti_pool.extensions import db

TABS = 10


def test_ten_tabs_generating_one_statement_make_one_and_say_already_generated(
    app,
    client,
    admin,
    supervisor,
    process,  # noqa: F811
):
    for day in (2, 9, 16):
        make_session(process, date(2026, 3, day))
    supervisor_id = supervisor.id
    login_id = admin.get_id()
    db.session.remove()

    answers = submit_at_once(
        app,
        login_id,
        "/admin/statements/generate",
        {"supervisor": supervisor_id, "month": "2026-03"},
    )
    errors = [a[:300] for a in answers if not a.startswith("302 ")]
    assert errors == []
    ready = [a for a in answers if "The draft statement is ready" in a]
    already = [a for a in answers if "was generated a moment ago" in a]
    assert len(ready) + len(already) == TABS and len(ready) >= 1
    assert db.session.scalar(select(func.count()).select_from(InvoiceStatement)) == 1
    assert db.session.scalar(select(func.count()).select_from(StatementLine)) == 3
