"""Out-of-range input on the pages the first round did not reach: a clear answer that
says what to fix, nothing saved, and neither a 500 nor the generic 400 safety net.

- page numbers past any offset the database binds: the page past the end (or a 404);
- ids from the address or a form outside ``0 < id <= MAX_ROW_ID``: no match;
- dates in year 9999: refused next to the field with "Use a year between ...";
- a former supervisor (role removed) no longer reads their invoice statements;
- a rule's message shows its dates in the reader's format (1.8.2026 in Finnish).
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from test_access import (  # noqa: F401 - fixtures used by name
    objects,
    owned_request,
    people,
)

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.errors import DomainError, InvalidTransition
from lahti_pool.core.models import MAX_ROW_ID
from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.sessions.models import SupervisionProcess, SupervisionSession
from lahti_pool.slots.models import OnDutySlot, SlotWatch, SupervisorAbsence

BIG = "99999999999999999999"  # past 64 bits: SQLite cannot bind it
PAST_INTEGER = str(MAX_ROW_ID + 1)  # past PostgreSQL's integer column
#: the 400 safety net's message (errors/400.html): none of these pages should need it
TOO_LARGE = "too large for this service"
YEARS = "Use a year between 2000 and 2100."
FAR_DAY = "9999-12-31"


@pytest.fixture
def users(people):  # noqa: F811 - the fixture of test_access
    return people


@pytest.fixture
def demo(objects):  # noqa: F811 - the fixture of test_access
    return objects


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _page(response) -> str:
    page = response.get_data(as_text=True)
    assert TOO_LARGE not in page
    assert "Traceback" not in page and "SELECT" not in page
    return page


# --- 1. Page numbers ---------------------------------------------------------------------


@pytest.mark.parametrize("number", [BIG, PAST_INTEGER + "000000000"])
@pytest.mark.parametrize(
    ("role", "address"),
    [
        ("admin", "/admin/users/?page={}"),
        ("admin", "/admin/audit?page={}"),
        ("admin", "/admin/mail?page={}"),
        ("admin", "/notifications?page={}"),
        ("staff_owner", "/notifications?page={}"),
        ("staff_owner", "/my-sessions?page={}"),
        ("staff_owner", "/my-sessions?coming={}"),
        ("supervisor", "/slots/manage?page={}"),
        ("admin", "/slots/utilisation?page={}"),
    ],
)
def test_a_huge_page_number_is_the_page_past_the_end(client, users, demo, role, address, number):
    client.login(users[role])
    response = client.get(address.format(number))
    assert response.status_code in (200, 404), response.status_code
    _page(response)


# --- 2. Ids in the query string ----------------------------------------------------------


@pytest.mark.parametrize("number", [BIG, PAST_INTEGER])
def test_managing_the_slots_of_a_supervisor_past_any_id_is_not_found(client, users, demo, number):
    client.login(users["admin"])
    response = client.get(f"/slots/manage?supervisor={number}")
    assert response.status_code == 404
    _page(response)


@pytest.mark.parametrize("number", [BIG, PAST_INTEGER])
def test_browsing_the_slots_of_a_supervisor_past_any_id_shows_none(client, users, demo, number):
    client.login(users["staff_owner"])
    # the open slot and the weekly pattern's slot of the access table's fixture
    assert "2 free slots" in client.get("/slots/").get_data(as_text=True)
    response = client.get(f"/slots/?supervisor={number}")
    assert response.status_code == 200
    assert "0 free slots" in _page(response)


@pytest.mark.parametrize("number", [BIG, PAST_INTEGER])
def test_the_utilisation_of_a_supervisor_past_any_id_is_empty(client, users, demo, number):
    client.login(users["admin"])
    assert "<table" in client.get("/slots/utilisation").get_data(as_text=True)  # the slots
    response = client.get(f"/slots/utilisation?supervisor={number}")
    assert response.status_code == 200
    assert "No slots were published in this period." in _page(response)


# --- 3. Ids in forms ---------------------------------------------------------------------


@pytest.mark.parametrize("number", [BIG, PAST_INTEGER])
def test_a_new_user_in_a_unit_past_any_id_is_refused_next_to_the_field(client, users, number):
    client.login(users["admin"])
    before = _row_counts()
    data = {"email": "uusi@lahti.fi", "name": "Uusi Käyttäjä", "unit": number, "role_staff": "y"}
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert "Choose a unit from the list." in _page(response)
    db.session.rollback()
    assert _row_counts() == before
    assert db.session.scalar(select(User).where(User.email == "uusi@lahti.fi")) is None


@pytest.mark.parametrize("number", [BIG, PAST_INTEGER])
def test_a_waiting_list_wish_for_a_supervisor_past_any_id_says_what_to_fix(client, users, number):
    client.login(users["staff_owner"])
    before = db.session.scalar(select(func.count()).select_from(SlotWatch))
    response = client.post("/slots/watches", data={"watch-supervisor": number})
    assert response.status_code == 302
    assert "Choose a supervisor from the list." in _page(client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(SlotWatch)) == before


# --- 4. Dates in year 9999 ---------------------------------------------------------------


def _refused(client, user, url, data, model, *, follow=False) -> None:
    """Posting ``data`` says "Use a year between" and adds no ``model`` row (nor any other)."""
    client.login(user)
    client.get(url if url.endswith("/new") else "/")  # a form page's own rows (a quota account)
    before = _row_counts()
    rows = db.session.scalar(select(func.count()).select_from(model))
    response = client.post(url, data=data)
    if follow:
        assert response.status_code == 302
        response = client.get(response.headers["Location"])
    assert response.status_code in (200, 400), response.status_code
    assert YEARS in _page(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(model)) == rows
    assert _row_counts() == before


def test_a_slot_on_the_last_evening_of_year_9999_is_not_published(client, users, supervisor):
    data = {"slot-on_date": FAR_DAY, "slot-start_time": "23:30", "slot-mode": "video"}
    url = f"/slots/manage/{supervisor.id}/slot"
    _refused(client, users["supervisor"], url, data, OnDutySlot)


def test_a_slot_pattern_in_year_9999_says_what_to_fix(client, users, supervisor):
    data = {
        "pattern-first_day": "9999-12-20",
        "pattern-last_day": FAR_DAY,
        "pattern-weekdays": ["0", "1", "2", "3", "4"],
        "pattern-times": "10:00",
        "pattern-mode": "video",
    }
    url = f"/slots/manage/{supervisor.id}/pattern"
    _refused(client, users["supervisor"], url, data, OnDutySlot)


def test_an_absence_in_year_9999_is_not_saved(client, users, supervisor):
    data = {"absence-starts_on": "9999-12-30", "absence-ends_on": FAR_DAY}
    url = f"/slots/manage/{supervisor.id}/absences"
    _refused(client, users["supervisor"], url, data, SupervisorAbsence)


def test_a_waiting_list_day_in_year_9999_is_not_added(client, users, supervisor):
    data = {"watch-on_date": FAR_DAY, "watch-supervisor": "0"}
    _refused(client, users["staff_owner"], "/slots/watches", data, SlotWatch, follow=True)


def test_browsing_slots_of_a_day_in_year_9999_says_what_to_fix(client, users):
    client.login(users["staff_owner"])
    response = client.get(f"/slots/?day={FAR_DAY}")
    assert response.status_code == 200
    assert YEARS in _page(response)


def test_utilisation_of_year_9999_says_what_to_fix(client, users):
    client.login(users["admin"])
    response = client.get(f"/slots/utilisation?start=9999-01-01&end={FAR_DAY}")
    assert response.status_code == 200
    assert YEARS in _page(response)


def test_the_slot_date_inputs_tell_the_browser_the_years_they_take(client, users, supervisor):
    client.login(users["supervisor"])
    page = client.get("/slots/manage").get_data(as_text=True)
    assert page.count('max="2100-12-31"') >= 5  # slot, pattern (2), absence (2)


def test_a_session_planned_in_year_9999_is_not_saved(client, users, demo):
    process_id = demo["process"]["process_id"]
    data = {
        "on_date": FAR_DAY,
        "at": "23:30",
        "duration": "90",
        "mode": "video",
        "host": "0",
    }
    url = f"/processes/{process_id}/sessions/new"
    _refused(client, users["supervisor"], url, data, SupervisionSession)


@pytest.mark.parametrize(
    ("field", "column"),
    [("midpoint_on", "midpoint_reviewed_on"), ("closing_on", "closing_evaluated_on")],
)
def test_review_dates_in_year_9999_are_not_saved(client, users, demo, field, column):
    process_id = demo["process"]["process_id"]
    url = f"/processes/{process_id}/practice"
    _refused(client, users["supervisor"], url, {field: FAR_DAY}, SupervisionProcess)
    assert getattr(db.session.get(SupervisionProcess, process_id), column) is None


def test_a_request_wanted_from_year_9999_is_not_sent(client, staff, school_year):
    data = {
        "school_year": str(school_year.id),
        "sessions": "2",
        "modes": ["video"],
        "language": "fi",
        "wanted_from": FAR_DAY,
        "preferred_supervisor": "0",
        "answer_1": "",
        "answer_2": "",
        "answer_3": "",
    }
    _refused(client, staff, "/requests/new", data, SupervisionRequest)


# --- 5. A former supervisor's statements -------------------------------------------------


def test_a_former_supervisor_no_longer_reads_their_statements(client, users, demo, supervisor):
    statement_id = demo["statement"]["statement_id"]
    urls = [f"/statements/{statement_id}{ext}" for ext in ("", ".csv", ".xlsx")]
    client.login(users["supervisor"])
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    supervisor.active = False
    supervisor.user.set_roles({Role.STAFF})  # what the administrator does when they leave
    db.session.commit()
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert client.get("/statements").status_code == 403
    client.login(users["admin"])
    assert client.get(urls[0]).status_code == 200


# --- 6. Dates in a rule's message --------------------------------------------------------


def _finnish(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def test_a_finnish_page_shows_the_school_years_dates_in_finnish(client, staff, school_year):
    client.login(staff)
    with client.session_transaction() as session:
        session["lang"] = "fi"
    late = school_year.ends_on + timedelta(days=40)
    data = {
        "school_year": str(school_year.id),
        "sessions": "2",
        "modes": ["video"],
        "language": "fi",
        "wanted_from": late.isoformat(),
        "preferred_supervisor": "0",
        "answer_1": "",
        "answer_2": "",
        "answer_3": "",
    }
    response = client.post("/requests/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{_finnish(school_year.starts_on)}–{_finnish(school_year.ends_on)}" in page
    assert school_year.starts_on.isoformat() not in page
    assert db.session.scalar(select(SupervisionRequest)) is None


def test_a_rules_dates_follow_the_readers_language(app):
    error = InvalidTransition(
        "The session of %(day)s is not waiting for approval any more.", day=date(2026, 8, 1)
    )
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        assert "1.8.2026" in error.message
        assert "2026-08-01" not in error.message
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "Aug 1, 2026" in error.message


def test_outside_an_app_context_a_rules_dates_stay_iso():
    error = DomainError("From %(start)s.", start=date(2026, 8, 1))
    assert error.message == "From 2026-08-01."
