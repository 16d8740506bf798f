"""Numbers and dates no database or calendar holds: a clear answer, never a 500.

A page number or an id of 20 digits overflows SQLite's 64-bit integers and PostgreSQL's
columns; a date input takes years up to 9999, past which a month or a day later has no
Python date. Each answer is a page (an empty page past the end), a redirect, a 404, or
a 400 that says what to correct; a form posted with such a value changes nothing.
"""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError
from test_access import (  # noqa: F401 - fixtures used by name
    objects,
    owned_request,
    people,
)

from lahti_pool import create_app
from lahti_pool.budget.models import InvoiceStatement
from lahti_pool.config import TestConfig as BaseTestConfig
from lahti_pool.extensions import db
from lahti_pool.matching.models import ProposedAssignment
from lahti_pool.supervisors.models import Supervisor

BIG = "99999999999999999999"  # past 64 bits
#: the 400 page's message for a value too large (errors/400.html)
TOO_LARGE = "too large for this service"
#: the form message for a date, month or year outside 2000–2100 (core/widgets.py)
YEARS = "Use a year between 2000 and 2100."

#: (role, address) of every list with page numbers, and of every id or year read from the
#: query string
ADDRESSES = [
    ("admin", f"/admin/requests?page={BIG}"),
    ("admin", f"/admin/matching/?waiting={BIG}"),
    ("admin", f"/admin/matching/?proposed={BIG}"),
    ("admin", f"/admin/matching/capacity?page={BIG}"),
    ("admin", f"/admin/approvals?page={BIG}"),
    ("admin", f"/admin/statements?page={BIG}"),
    ("admin", f"/admin/supervisors/?page={BIG}"),
    ("admin", f"/admin/users/?page={BIG}"),
    ("admin", f"/admin/audit?page={BIG}"),
    ("admin", f"/admin/mail?page={BIG}"),
    ("admin", f"/notifications?page={BIG}"),
    ("staff_owner", f"/notifications?page={BIG}"),
    ("staff_owner", f"/my-sessions?page={BIG}"),
    ("staff_owner", f"/my-sessions?coming={BIG}"),
    ("staff_owner", f"/slots/?page={BIG}"),
    ("supervisor", f"/workspace?page={BIG}"),
    ("supervisor", f"/slots/manage?page={BIG}"),
    ("admin", f"/slots/utilisation?page={BIG}"),
    ("supervisor", f"/feedback/mine?page={BIG}"),
    ("supervisor", f"/feedback/mine?comments={BIG}"),
    ("reports", f"/reports/feedback?page={BIG}"),
    ("reports", f"/reports/feedback?comments={BIG}"),
    # ids and years
    ("admin", f"/slots/manage?supervisor={BIG}"),
    ("staff_owner", f"/slots/?supervisor={BIG}"),
    ("admin", f"/slots/utilisation?supervisor={BIG}"),
    ("admin", f"/admin/budgets?year={BIG}"),
]


@pytest.fixture
def users(people):  # noqa: F811 - the fixture of test_access
    """Staff (``staff_owner``), a supervisor, an administrator and development services."""
    return people


@pytest.fixture
def demo(objects):  # noqa: F811 - the fixture of test_access
    """A matching run, a process with sessions, a group offer, a statement, slots."""
    return objects


def _answer_is_clear(response) -> None:
    """A page, a redirect, a 404, or a 400 that names the problem."""
    assert response.status_code in (200, 302, 400, 404), response.status_code
    page = response.get_data(as_text=True)
    if response.status_code == 400:
        assert TOO_LARGE in page
        assert BIG not in page.replace(f"={BIG}", "")  # not in the text, only in links
    assert "Traceback" not in page and "SELECT" not in page


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


@pytest.mark.parametrize(("role", "address"), ADDRESSES)
def test_a_huge_number_in_the_address_never_breaks_the_page(client, users, demo, role, address):
    client.login(users[role])
    _answer_is_clear(client.get(address))


@pytest.mark.parametrize(
    "address",
    [
        f"/admin/requests?page={BIG}",
        f"/admin/matching/?waiting={BIG}",
        f"/admin/approvals?page={BIG}",
    ],
)
def test_a_page_past_the_end_is_an_empty_page(client, users, demo, address):
    client.login(users["admin"])
    assert client.get(address).status_code == 200


def test_a_number_too_large_for_the_database_is_a_400_that_says_so(database_url):
    class Config(BaseTestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)

    @app.get("/out-of-range/<kind>")
    def out_of_range(kind):  # as SQLite and PostgreSQL refuse a value
        if kind == "sqlite":
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        sqlstate = "22003" if kind == "postgresql" else "22001"  # out of range; too long
        error = type("PsycopgError", (Exception,), {"sqlstate": sqlstate})
        raise DataError("SELECT secret", {"x": BIG}, error(f"integer out of range {BIG}"))

    with app.app_context():
        for kind, says in [
            ("sqlite", TOO_LARGE),
            ("postgresql", TOO_LARGE),
            ("too-long", "too long or not of the right kind"),
        ]:
            response = app.test_client().get(f"/out-of-range/{kind}")
            page = response.get_data(as_text=True)
            assert response.status_code == 400
            assert says in page
            assert "secret" not in page and BIG not in page and "integer out of" not in page


def _post(client, users, url, data, role="admin"):
    client.login(users[role])
    before = _row_counts()
    response = client.post(url, data=data)
    _answer_is_clear(response)
    db.session.rollback()
    assert _row_counts() == before
    return response


def test_accepting_with_a_huge_supervisor_id_changes_nothing(client, users, demo):
    assignment_id = demo["assignment"]["assignment_id"]
    url = f"/admin/matching/assignments/{assignment_id}/accept"
    _post(client, users, url, {"supervisor": BIG, "reason": "Parempi"})
    assignment = db.session.get(ProposedAssignment, assignment_id)
    assert assignment.status.value == "proposed"


def test_a_new_user_in_a_huge_unit_id_is_not_created(client, users):
    data = {"email": "uusi@lahti.fi", "name": "Uusi Käyttäjä", "unit": BIG, "role_staff": "y"}
    _post(client, users, "/admin/users/new", data)


def test_a_huge_rank_is_refused_next_to_its_field(client, users, supervisor, division):
    data = {
        "email": supervisor.user.email,
        "kind": "contracted",
        "agreement": str(supervisor.agreement_id),
        "rank": BIG,
        "company_name": "Ohjaus Oy",
        "business_id": "0112038-9",
        "price_individual": "90.00",
        "price_group": "150.00",
        "capacity_sessions": "20",
        "capacity_processes": "4",
        "languages": ["fi"],
        "modes": ["video"],
        "kinds": ["individual"],
        "divisions": [str(division.id)],
    }
    response = _post(client, users, f"/admin/supervisors/{supervisor.id}", data)
    assert response.status_code == 200
    assert "Number must be at most" in response.get_data(as_text=True)
    db.session.refresh(supervisor)
    assert supervisor.rank == 1


def test_a_waiting_list_wish_for_a_huge_supervisor_id_is_not_added(client, users):
    _post(client, users, "/slots/watches", {"watch-supervisor": BIG}, role="staff_owner")


# --- Far dates ---------------------------------------------------------------------------


def test_an_order_export_ending_in_year_9999_asks_for_a_sensible_period(client, users):
    client.login(users["admin"])
    response = client.get("/admin/matching/orders.csv?start=2026-08-01&end=9999-12-31")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert YEARS in page


def test_the_approval_filter_refuses_a_month_in_year_9999(client, users):
    client.login(users["admin"])
    response = client.get("/admin/approvals?month=9999-12")
    assert response.status_code == 200
    assert YEARS in response.get_data(as_text=True)


def test_a_statement_of_year_9999_is_not_generated(client, users, supervisor):
    data = {"supervisor": str(supervisor.id), "month": "9999-12"}
    response = _post(client, users, "/admin/statements/generate", data)
    assert response.status_code == 302
    assert YEARS in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(InvoiceStatement)) is None


def test_a_budget_year_beyond_the_range_shows_this_year_with_a_message(client, users, today):
    client.login(users["admin"])
    page = client.get("/admin/budgets?year=10000").get_data(as_text=True)
    assert YEARS in page
    assert str(today.year) in page


def test_the_date_inputs_tell_the_browser_the_years_they_take(client, users, supervisor):
    client.login(users["admin"])
    page = client.get("/admin/statements").get_data(as_text=True)
    assert 'max="2100-12"' in page and 'min="2000-01"' in page
    page = client.get(f"/admin/supervisors/{supervisor.id}").get_data(as_text=True)
    assert 'max="2100-12-31"' in page
    assert db.session.scalar(select(func.count()).select_from(Supervisor)) == 1


def test_a_slot_pattern_running_to_the_end_of_year_9999_publishes_nothing(
    client, users, supervisor
):
    data = {
        "pattern-first_day": "9999-12-20",
        "pattern-last_day": "9999-12-31",
        "pattern-weekdays": ["0", "1", "2", "3", "4"],
        "pattern-times": "10:00",
        "pattern-mode": "video",
    }
    client.login(users["supervisor"])
    before = _row_counts()
    response = client.post(f"/slots/manage/{supervisor.id}/pattern", data=data)
    # the manage page again, 400 with the refused form (not the safety net): what to fix
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert YEARS in page and TOO_LARGE not in page
    db.session.rollback()
    assert _row_counts() == before
