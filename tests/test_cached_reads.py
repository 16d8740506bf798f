"""Every cached read declares the tables it reads, and reads no other.

A cached value is kept under the data versions of the groups of the tables its read
declares (``versions.cached_read``); a table left out of the declaration is a value that
stays stale when that table changes (``top_units`` read units and users under the
sessions and budgets groups: a renamed unit showed its old name for up to 10 minutes).
So each cached read is run here with the cache empty, every SQL statement it sends is
recorded and parsed (sqlglot), and a table it reads that it did not declare fails the
test. The reads are taken from ``versions.READS``, which the decorator fills, after
importing every module of the app: a new cached read without a sample call here fails
``test_every_cached_read_is_run_here``.
"""

import importlib
import pkgutil
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
import sqlglot
from sqlalchemy import event
from sqlglot import exp

import lahti_pool
from lahti_pool.budget import views as budget_views
from lahti_pool.budget.views import approval_pages
from lahti_pool.core import versions
from lahti_pool.extensions import db
from lahti_pool.feedback import views as feedback_views
from lahti_pool.feedback.rules import Term
from lahti_pool.matching import reports as matching_reports
from lahti_pool.reports import availability as report_availability
from lahti_pool.reports import reach as report_reach
from lahti_pool.requests import queries as request_queries
from lahti_pool.slots import views as slots_views
from lahti_pool.slots.services import browsing
from lahti_pool.slots.views import report_pages as slot_report_pages
from lahti_pool.supervisors import presentations as supervisor_presentations

#: read by ``versions.current()`` before any cached value is looked up
VERSIONS_TABLE = "data_versions"


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(lahti_pool.__path__, "lahti_pool."):
        importlib.import_module(module.name)


def tables_read(statement: str, dialect: str) -> set[str]:
    """The tables a statement names in FROM, JOIN and subqueries (CTE names left out)."""
    tables: set[str] = set()
    for tree in sqlglot.parse(statement, read=dialect):
        if tree is None:
            continue
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        tables |= {t.name for t in tree.find_all(exp.Table) if t.name not in ctes}
    return tables


def test_tables_read_finds_joins_subqueries_and_skips_ctes():
    sql = (
        "WITH t AS (SELECT unit_id FROM users) SELECT a.x FROM session_costs AS a "
        "JOIN units ON units.id = a.u LEFT OUTER JOIN t ON t.unit_id = units.id "
        "WHERE EXISTS (SELECT 1 FROM session_attendance WHERE session_attendance.s = a.s)"
    )
    assert tables_read(sql, "sqlite") == {"users", "session_costs", "units", "session_attendance"}


@contextmanager
def recorded_statements():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# --- One or more sample calls per cached read: each branch that adds a table -----------


@pytest.fixture
def world(school_year, supervisor, division, unit, today):
    """What the sample calls need: a year, a supervisor, a division and a unit."""
    db.session.refresh(school_year)  # loaded, as the views have it: not read by the call
    return {
        "year": school_year,
        "supervisor_id": supervisor.id,
        "division_id": division.id,
        "today": today,
        "at": datetime.now(UTC).replace(second=0, microsecond=0),
    }


def _year_ref(w) -> report_reach.YearRef:
    year = w["year"]
    return report_reach.YearRef(year.id, year.starts_on, year.ends_on)


def _term(w) -> Term:
    return Term(w["today"].year - 1, True)


#: cached read's name → calls (each a function of the world) that run its statements
SAMPLES = {
    "lahti_pool.budget.views._divisions": [lambda w: budget_views._divisions()],
    "lahti_pool.budget.views._division_choice_list": [
        lambda w: budget_views._division_choice_list("All", "fi")
    ],
    "lahti_pool.budget.views._supervisor_names": [lambda w: budget_views._supervisor_names()],
    "lahti_pool.budget.views._rendered_supervisor_choices": [
        lambda w: budget_views._rendered_supervisor_choices("All")
    ],
    "lahti_pool.budget.views.approval_pages._pending_count": [
        lambda w: approval_pages._pending_count(None, None, None),
        lambda w: approval_pages._pending_count(
            w["supervisor_id"], (w["today"].year, 2), w["division_id"]
        ),
    ],
    "lahti_pool.budget.views._sums": [lambda w: budget_views._sums(w["today"].year)],
    "lahti_pool.budget.views._summary_on": [
        lambda w: budget_views._summary_on(w["today"].year, None, w["today"]),
        lambda w: budget_views._summary_on(w["today"].year, w["division_id"], w["today"]),
    ],
    "lahti_pool.budget.views._top_units": [
        lambda w: budget_views._top_units(w["today"].year, None, 0),
        lambda w: budget_views._top_units(w["today"].year, w["division_id"], 5),
    ],
    "lahti_pool.budget.views._chart_svg": [
        lambda w: budget_views._chart_svg(w["today"].year, None, w["today"], "fi")
    ],
    "lahti_pool.matching.reports.capacity_report": [
        lambda w: matching_reports.capacity_report(w["year"], 1)
    ],
    "lahti_pool.supervisors.presentations.presentations": [
        lambda w: supervisor_presentations.presentations(w["year"], "fi", "video")
    ],
    "lahti_pool.feedback.views._aggregate": [
        lambda w, by=by, supervisor_id=supervisor_id: feedback_views._aggregate(
            by, _term(w).start, _term(w).end, 5, supervisor_id
        )
        for by in ("division", "supervisor", "month", "kind")
        for supervisor_id in (None, 1)
    ],
    "lahti_pool.feedback.views._comment_rows": [
        lambda w, by=by: feedback_views._comment_rows(by, _term(w), [], 50, 0)
        for by in ("division", "supervisor", "month", "kind")
    ],
    "lahti_pool.reports.reach.reach": [lambda w: report_reach.reach(_year_ref(w), w["today"], 5)],
    "lahti_pool.reports.reach.trend": [lambda w: report_reach.trend([_year_ref(w)], w["today"], 5)],
    "lahti_pool.reports.availability.availability": [
        lambda w: report_availability.availability(w["year"].id, w["today"], 5)
    ],
    "lahti_pool.reports.availability.unused_slots": [
        lambda w: report_availability.unused_slots(w["today"], w["today"], w["at"])
    ],
    "lahti_pool.requests.queries.admin_count": [
        lambda w: request_queries.admin_count(""),
        lambda w: request_queries.admin_count("submitted"),
    ],
    "lahti_pool.slots.services.browsing._free_counts": [
        lambda w: browsing._free_counts(w["at"], None, ""),
        lambda w: browsing._free_counts(w["at"], w["today"], "video"),
    ],
    "lahti_pool.slots.services.browsing._active_supervisor_users": [
        lambda w: browsing._active_supervisor_users()
    ],
    "lahti_pool.slots.services.browsing.active_supervisors": [
        lambda w: browsing.active_supervisors()
    ],
    "lahti_pool.slots.views._rendered_supervisor_choices": [
        lambda w: slots_views._rendered_supervisor_choices("All")
    ],
    "lahti_pool.slots.views.report_pages._utilisation_page": [
        lambda w: slot_report_pages._utilisation_page(
            w["today"], date(w["today"].year + 1, 1, 1), None, w["at"], 50, 0
        ),
        lambda w: slot_report_pages._utilisation_page(
            w["today"], date(w["today"].year + 1, 1, 1), w["supervisor_id"], w["at"], 50, 0
        ),
    ],
}


def test_every_cached_read_is_run_here(app):
    _import_every_module()
    assert set(versions.READS) == set(SAMPLES), (
        "a cached read without a sample call here (or a sample of a read that is gone): "
        "add its calls to SAMPLES so the tables it reads are checked"
    )


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_cached_read_reads_only_the_tables_it_declares(world, name):
    _import_every_module()
    read = versions.READS[name]
    dialect = {"postgresql": "postgres"}.get(db.engine.dialect.name, db.engine.dialect.name)
    undeclared: dict[str, set[str]] = {}
    for call in SAMPLES[name]:
        versions.clear()
        with app_request(), recorded_statements() as statements:
            call(world)
        assert statements, f"{name}: a sample call ran no statement (was it cached?)"
        for statement in statements:
            extra = tables_read(statement, dialect) - read.tables - {VERSIONS_TABLE}
            if extra:
                undeclared.setdefault(statement, set()).update(extra)
    outside = {t for tables in undeclared.values() for t in tables}
    assert not undeclared, (
        f"{name} declares {sorted(read.tables)} but reads {sorted(outside)}: "
        "a change there would leave its value stale; name them in its cached_read"
        + "".join(f"\n  {sorted(t)} in: {s}" for s, t in undeclared.items())
    )


@contextmanager
def app_request():
    """A request context in Finnish, as the views' reads run (labels, dates)."""
    from flask import current_app

    with current_app.test_request_context(headers={"Accept-Language": "fi"}):
        yield


def test_nothing_caches_under_data_versions_but_through_a_declared_read():
    """``versions._cached`` takes groups by hand: only ``cached_read`` may call it."""
    import ast
    from pathlib import Path

    callers = []
    for path in Path(lahti_pool.__file__).parent.rglob("*.py"):
        if path.name == "versions.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        if "_cached" in names:
            callers.append(str(path))
    assert callers == []


def test_a_read_of_no_table_or_of_a_table_no_group_watches_cannot_be_cached():
    with pytest.raises(ValueError, match="no data-version group watches"):
        versions.cached_read("pre_question_answers")(lambda: None)
    with pytest.raises(ValueError, match="name the tables"):
        versions.cached_read()(lambda: None)


def test_an_insert_with_returning_raises_its_groups_version(make_user, make_supervisor):
    """SQLite reports 0 rows for INSERT … RETURNING until they are read: a new user or
    supervisor must still make the cached supervisor lists stale."""
    from sqlalchemy import select

    def version() -> int:
        return db.session.scalar(
            select(versions.DataVersion.version).where(versions.DataVersion.name == "supervisors")
        )

    before = version()
    make_user()  # INSERT INTO users … RETURNING id
    after_user = version()
    make_supervisor()
    assert before < after_user < version()
