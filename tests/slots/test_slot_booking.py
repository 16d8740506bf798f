"""Booking an on-duty slot: quota, request, process, session, and what is refused."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.budget.guard import BudgetExceeded
from lahti_pool.budget.models import Budget
from lahti_pool.core.errors import QuotaExceeded
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.sessions.models import SessionStatus, SupervisionProcess, SupervisionSession
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.rules import local_date
from lahti_pool.supervisors.capacity import capacities
from lahti_pool.supervisors.models import Supervisor

ANSWERS = {1: "How to plan my week", 2: "Too many meetings", 3: "A calmer spring"}


@pytest.fixture
def make_slot(ctx):
    def factory(supervisor, starts_in=timedelta(days=3), **kwargs):
        starts_at = (utcnow() + starts_in).replace(minute=0, second=0, microsecond=0)
        slot = OnDutySlot(
            supervisor_id=supervisor.id,
            starts_at=starts_at,
            on_date=local_date(starts_at),
            mode=kwargs.pop("mode", "video"),
            duration_minutes=60,
            **kwargs,
        )
        db.session.add(slot)
        db.session.commit()
        return slot

    return factory


def _book_form(answers=ANSWERS):
    return {f"answer_{n}": text for n, text in answers.items()}


def test_booking_uses_quota_and_creates_request_process_and_session(
    client, staff, supervisor, make_slot, school_year
):
    slot = make_slot(supervisor)
    client.login(staff)
    page = client.get(f"/slots/{slot.id}/book")
    assert page.status_code == 200 and "Book this slot" in page.text

    response = client.post(f"/slots/{slot.id}/book", data=_book_form())

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/slots/{slot.id}")
    assert (slot.status, slot.booked_by_id) == (SlotStatus.BOOKED, staff.id)
    year = school_year_for(slot.on_date)
    assert account_for(staff.id, year).state().reserved == 1
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert (sup_request.kind, sup_request.status, sup_request.sessions_requested) == (
        RequestKind.ON_DUTY,
        RequestStatus.ACCEPTED,
        1,
    )
    assert [e.to_status for e in sup_request.events] == [RequestStatus.ACCEPTED]
    assert [a.answer for a in sup_request.answers] == list(ANSWERS.values())
    process = db.session.scalar(select(SupervisionProcess))
    assert (process.rule, process.sessions_granted, process.price_cents) == (
        "on_duty",
        1,
        supervisor.price_individual_cents,
    )
    assert str(process.vat_percent) == "25.50"
    assert process.client_ids == {staff.id}
    sup_session = db.session.scalar(select(SupervisionSession))
    assert slot.session_id == sup_session.id
    assert (sup_session.status, sup_session.duration_minutes, sup_session.on_date) == (
        SessionStatus.PLANNED,
        60,
        slot.on_date,
    )
    assert sup_session.starts_at == slot.starts_at
    assert [a.user_id for a in sup_session.attendance] == [staff.id]
    assert sum(c.amount_cents for c in sup_session.costs) == supervisor.price_individual_cents
    cap = capacities(year, [supervisor.id])[supervisor.id]
    assert (cap.sessions_granted, cap.active_processes) == (1, 0)  # no process place
    notified = db.session.execute(select(Notification.user_id, Notification.kind)).all()
    assert notified == [(supervisor.user_id, NotificationKind.SLOT_BOOKED)]
    detail = client.get(response.headers["Location"])
    assert "Your booking is confirmed" in detail.text


def test_the_answers_are_visible_to_the_booker_and_the_slots_supervisor_only(
    client, staff, other_staff, supervisor, make_supervisor, admin, make_slot, school_year
):
    canary = "CANARY-7f3a confidential worry"
    slot = make_slot(supervisor)
    services.book_slot(staff, slot, {**ANSWERS, 2: canary}, utcnow())
    db.session.commit()
    process_id = db.session.scalar(select(SupervisionProcess.id))
    request_id = db.session.scalar(select(SupervisionRequest.id))

    for user in (staff, supervisor.user):
        client.login(user)
        assert canary in client.get(f"/slots/{slot.id}").text

    client.login(admin)
    for url in (
        f"/slots/{slot.id}",
        f"/slots/{slot.id}/cancel",
        f"/slots/manage?supervisor={supervisor.id}",
        "/slots/utilisation",
        f"/processes/{process_id}",
        f"/requests/{request_id}",
        "/admin/requests",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert canary not in response.text, url

    other_supervisor = make_supervisor()
    for user in (other_staff, other_supervisor.user):
        client.login(user)
        assert client.get(f"/slots/{slot.id}").status_code == 403


def test_booking_a_taken_slot_is_refused_and_changes_nothing(
    client, staff, other_staff, supervisor, make_slot, school_year
):
    slot = make_slot(supervisor)
    services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    client.login(other_staff)

    response = client.post(f"/slots/{slot.id}/book", data=_book_form())

    assert response.status_code == 200
    assert "Somebody else has booked this slot" in response.text
    assert slot.booked_by_id == staff.id
    assert account_for(other_staff.id, school_year_for(slot.on_date)).state().reserved == 0
    assert db.session.scalar(select(func.count()).select_from(SupervisionRequest)) == 1


def test_booking_a_slot_in_the_past_is_refused(client, staff, supervisor, make_slot, school_year):
    slot = make_slot(supervisor, starts_in=timedelta(hours=-2))
    client.login(staff)
    assert "in the past" in client.get(f"/slots/{slot.id}/book").text

    response = client.post(f"/slots/{slot.id}/book", data=_book_form())

    assert "in the past" in response.text
    assert slot.status == SlotStatus.OPEN
    assert db.session.scalar(select(func.count()).select_from(SupervisionRequest)) == 0


def test_booking_with_no_quota_left_is_refused(client, staff, supervisor, make_slot):
    slot = make_slot(supervisor)
    account = account_for(staff.id, school_year_for(slot.on_date))
    account.used = account.quota
    db.session.commit()
    client.login(staff)

    response = client.post(f"/slots/{slot.id}/book", data=_book_form())

    assert response.status_code == 200
    assert "You have no sessions left" in response.text
    assert (slot.status, slot.booked_by_id) == (SlotStatus.OPEN, None)
    assert db.session.scalar(select(func.count()).select_from(SupervisionRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_booking_needs_the_three_answers(client, staff, supervisor, make_slot, school_year):
    slot = make_slot(supervisor)
    client.login(staff)
    response = client.post(f"/slots/{slot.id}/book", data=_book_form({1: "x", 2: "y"}))
    assert response.status_code == 200
    assert slot.status == SlotStatus.OPEN


def test_a_full_budget_refuses_a_staff_booking(staff, supervisor, make_slot, school_year):
    slot = make_slot(supervisor)
    db.session.add(Budget(fiscal_year=slot.on_date.year, division_id=None, amount_cents=5000))
    db.session.commit()
    with pytest.raises(BudgetExceeded):
        services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.rollback()
    assert db.session.get(OnDutySlot, slot.id).status == SlotStatus.OPEN


def test_a_supervisor_with_no_capacity_left_cannot_be_booked(
    staff, make_supervisor, make_slot, school_year
):
    full = make_supervisor(capacity_sessions=0)
    slot = make_slot(full)
    with pytest.raises(Exception, match="no free capacity"):
        services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.rollback()
    assert db.session.get(Supervisor, full.id).active_processes == 0


def test_a_slot_is_not_offered_to_staff_of_the_supervisors_own_unit(
    client, staff, make_supervisor, make_slot, school_year
):
    colleague = make_supervisor(unit_id=staff.unit_id)
    slot = make_slot(colleague)
    assert services.next_free_slots(staff) == []
    with pytest.raises(Exception, match="cannot supervise staff of your unit"):
        services.book_slot(staff, slot, ANSWERS, utcnow())


def test_the_quota_check_refuses_with_the_service_too(staff, supervisor, make_slot):
    slot = make_slot(supervisor)
    account = account_for(staff.id, school_year_for(slot.on_date))
    account.reserved = account.quota
    db.session.commit()
    with pytest.raises(QuotaExceeded):
        services.book_slot(staff, slot, ANSWERS, utcnow())


def test_browsing_filters_by_day_supervisor_mode_and_language(
    client, staff, make_supervisor, make_slot, school_year
):
    finnish = make_supervisor(name="Fiia Finnish", languages=["fi"])
    swedish = make_supervisor(name="Sven Swedish", languages=["sv"])
    sooner = make_slot(finnish, mode="video")
    later = make_slot(swedish, starts_in=timedelta(days=4), mode="phone")
    client.login(staff)

    def listed(query: str) -> list[int]:
        text = client.get(f"/slots/{query}").text
        return [s.id for s in (sooner, later) if f"/slots/{s.id}/book" in text]

    assert listed("") == [sooner.id, later.id]
    assert listed("?language=sv") == [later.id]
    assert listed("?mode=video") == [sooner.id]
    assert listed(f"?day={later.on_date.isoformat()}") == [later.id]
    assert listed(f"?supervisor={finnish.id}") == [sooner.id]
    assert [s.id for s in services.next_free_slots(staff, limit=1)] == [sooner.id]


def test_a_held_on_duty_session_gives_back_no_process_place(
    staff, supervisor, make_slot, school_year
):
    """The booking took one session but no process place: closing its process frees none."""
    from lahti_pool.sessions import services as session_services
    from lahti_pool.sessions.services import LogInput

    supervisor.active_processes = 1  # one ordinary client process is running
    db.session.commit()
    slot = make_slot(supervisor, starts_in=timedelta(hours=1))
    services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    sup_session = db.session.get(SupervisionSession, slot.session_id)
    session_services.log_session(
        supervisor.user,
        sup_session,
        LogInput(SessionStatus.HELD, 60),
        sup_session.starts_at + timedelta(hours=1),
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SupervisionProcess, sup_session.process_id).status == "closed"
    assert db.session.get(Supervisor, supervisor.id).active_processes == 1
