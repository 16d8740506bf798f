"""The staff dashboard and its neighbours say what is true (issue 16, defect 13)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests_support import CONFIRMED

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.quota import account_for, change_quota
from lahti_pool.requests.rules import QuotaOp
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions import services as session_services
from lahti_pool.slots import services as slot_services
from lahti_pool.slots.models import OnDutySlot, SlotWatch
from lahti_pool.slots.rules import local_date

ANSWERS = {1: "a", 2: "b", 3: "c"}


@pytest.fixture
def slot_at(supervisor):
    """An open slot of ``supervisor`` starting ``starts_in`` from now."""

    def factory(starts_in=timedelta(days=3)) -> OnDutySlot:
        starts_at = (utcnow() + starts_in).replace(second=0, microsecond=0)
        slot = OnDutySlot(
            supervisor_id=supervisor.id,
            starts_at=starts_at,
            on_date=local_date(starts_at),
            mode="video",
            duration_minutes=60,
        )
        db.session.add(slot)
        db.session.commit()
        return slot

    return factory


def _fact(page: str, label: str) -> str:
    """The value after ``label`` in a definition list."""
    after = page.split(f">{label}</dt>", 1)[1]
    return after.split(">", 1)[1].split("</dd>", 1)[0]


def test_an_on_duty_booking_under_requests_says_it_has_its_time(client, staff, slot_at):
    slot = slot_at()
    slot_services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    client.login(staff)

    page = client.get("/dashboard").text

    assert "Your on-duty session is booked at a set time" in page
    assert "Your supervisor will contact you" not in page


def test_sessions_granted_but_not_planned_are_not_held_for_open_requests(
    app, client, staff, admin, supervisor, school_year, today
):
    sup_request = submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=4,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    matching.accept_assignment(admin, run.assignments[0], today)
    submit_individual_request(  # a second, open request holding two more
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    db.session.commit()
    client.login(staff)

    page = client.get("/dashboard").text

    assert _fact(page, "Granted, not yet planned") == "4"
    assert _fact(page, "Held for your open requests") == "2"
    # ... and the notifications say which request, and which client
    notes = client.get("/notifications").text
    assert "Your request (Individual supervision, sent" in notes
    supervisor_client = app.test_client()
    supervisor_client.login(supervisor.user)
    reference = sup_request.process.reference
    assert (
        f"new supervision process {reference} for {staff.name}"
        in supervisor_client.get("/notifications").text
    )


def test_pending_feedback_shows_on_the_dashboard(client, staff, supervisor, slot_at):
    slot = slot_at(-timedelta(days=1))
    sup_session = slot_services.book_slot(staff, slot, ANSWERS, slot.starts_at - timedelta(days=7))
    session_services.log_session(
        supervisor.user,
        sup_session,
        session_services.LogInput(session_services.SessionStatus.HELD, 60),
        utcnow(),
    )
    db.session.commit()
    client.login(staff)

    page = client.get("/dashboard").text

    assert "Feedback waiting for you" in page
    assert f"with {supervisor.name}" in page
    assert "/feedback/" in page


def test_no_book_link_for_staff_with_no_session_left(client, staff, slot_at, school_year):
    slot = slot_at()
    change_quota(account_for(staff.id, school_year), QuotaOp.HOLD, 10)
    db.session.commit()
    client.login(staff)

    dashboard = client.get("/dashboard").text
    browse = client.get("/slots/").text
    book_page = client.get(f"/slots/{slot.id}/book").text

    assert f"/slots/{slot.id}/book" not in dashboard
    assert "You have no sessions left this school year, so you cannot book" in dashboard
    assert f"/slots/{slot.id}/book" not in browse
    assert "You have no sessions left in the school year" in browse
    assert "Book this slot" not in book_page


def test_the_waiting_list_refuses_a_day_with_free_slots(client, staff, slot_at):
    slot = slot_at()
    client.login(staff)

    response = client.post(
        "/slots/watches", data={"watch-on_date": slot.on_date.isoformat()}, follow_redirects=True
    )

    assert "There are still free slots on" in response.text
    assert db.session.scalar(select(func.count()).select_from(SlotWatch)) == 0


def test_a_cancelled_session_leaves_the_coming_sessions(client, staff, slot_at):
    slot = slot_at()
    slot_services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    client.login(staff)
    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    page = client.get("/my-sessions").text

    coming = page.split('id="upcoming-heading"', 1)[1].split('id="past-heading"', 1)[0]
    assert "No coming sessions." in coming
    assert "Timely cancellation by the client" in page.split('id="past-heading"', 1)[1]
