"""Staff move an on-duty booking to another free slot in one step (issue 16, rescheduling).

Runs on the suite's database: SQLite by default, PostgreSQL with ``--db=postgresql``.
"""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import InvalidTransition
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus, SlotWatch
from lahti_pool.slots.rules import local_date

ANSWERS = {1: "a", 2: "b", 3: "c"}


@pytest.fixture
def open_slot(supervisor):
    def factory(starts_in=timedelta(days=4), of=None) -> OnDutySlot:
        starts_at = (utcnow() + starts_in).replace(second=0, microsecond=0)
        slot = OnDutySlot(
            supervisor_id=(of or supervisor).id,
            starts_at=starts_at,
            on_date=local_date(starts_at),
            mode="video",
            duration_minutes=60,
        )
        db.session.add(slot)
        db.session.commit()
        return slot

    return factory


@pytest.fixture
def booked(staff, open_slot):
    def factory(starts_in=timedelta(days=3)) -> OnDutySlot:
        slot = open_slot(starts_in)
        services.book_slot(staff, slot, ANSWERS, utcnow())
        db.session.commit()
        return slot

    return factory


def _changed_mails(session_id: int) -> list[MailMessage]:
    return list(
        db.session.scalars(
            select(MailMessage).where(
                MailMessage.kind == "session_changed",
                MailMessage.ics.contains(f"UID:session-{session_id}@"),
            )
        )
    )


def test_a_booking_moves_in_one_step_and_keeps_its_session(staff, supervisor, booked, open_slot):
    slot, target = booked(), open_slot(timedelta(days=4, hours=2))
    sup_session = db.session.get(SupervisionSession, slot.session_id)
    year = school_year_for(slot.on_date)
    before = account_for(staff.id, year).state()
    sequence = sup_session.ical_sequence

    services.move_booking(staff, slot, target, utcnow())
    db.session.commit()

    assert (target.status, target.booked_by_id, target.session_id) == (
        SlotStatus.BOOKED,
        staff.id,
        sup_session.id,
    )
    assert (slot.status, slot.booked_by_id, slot.session_id) == (SlotStatus.OPEN, None, None)
    db.session.refresh(sup_session)
    assert sup_session.starts_at == target.starts_at
    assert sup_session.status == SessionStatus.PLANNED
    assert sup_session.ical_sequence == sequence + 1
    assert account_for(staff.id, year).state() == before  # no session lost, none extra
    mails = _changed_mails(sup_session.id)
    assert {m.to_user_id for m in mails} == {staff.id, supervisor.user_id}
    assert all(f"SEQUENCE:{sequence + 1}" in m.ics and m.ics_method == "REQUEST" for m in mails)
    moved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.moved"))
    assert moved.details["from_slot"] == slot.id and moved.details["to_slot"] == target.id


def test_a_freed_slot_goes_to_the_waiting_list(staff, make_user, booked, open_slot):
    slot, target = booked(), open_slot()
    waiting = make_user(name="Waiting Person")
    db.session.add(SlotWatch(user_id=waiting.id, on_date=slot.on_date))
    db.session.commit()

    services.move_booking(staff, slot, target, utcnow())
    db.session.commit()

    assert slot.offered_to_id == waiting.id


def test_a_move_inside_the_cancellation_window_is_refused(staff, booked, open_slot):
    slot, target = booked(timedelta(hours=5)), open_slot()

    with pytest.raises(InvalidTransition, match="until 24 hours before"):
        services.move_booking(staff, slot, target, utcnow())


def test_a_move_to_a_taken_slot_is_refused_and_nothing_changes(
    staff, other_staff, booked, open_slot
):
    slot, target = booked(), open_slot()
    services.book_slot(other_staff, target, ANSWERS, utcnow())
    db.session.commit()

    with pytest.raises(services.SlotUnavailable):
        services.move_booking(staff, slot, target, utcnow())
    db.session.rollback()

    assert (slot.booked_by_id, target.booked_by_id) == (staff.id, other_staff.id)


def test_a_move_to_another_supervisors_slot_is_refused(staff, make_supervisor, booked, open_slot):
    from lahti_pool.core.errors import DomainError

    slot, target = booked(), open_slot(of=make_supervisor())

    with pytest.raises(DomainError, match="same supervisor"):
        services.move_booking(staff, slot, target, utcnow())


def test_the_booker_moves_the_booking_on_its_page(client, staff, booked, open_slot):
    slot, target = booked(), open_slot()
    client.login(staff)
    assert f"/slots/{slot.id}/move" in client.get(f"/slots/{slot.id}").text
    page = client.get(f"/slots/{slot.id}/move")
    assert page.status_code == 200 and f'value="{target.id}"' in page.text
    assert client.post(f"/slots/{slot.id}/move", data={}).status_code == 400  # none chosen

    response = client.post(f"/slots/{slot.id}/move", data={"target": target.id})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/slots/{target.id}")
    assert target.booked_by_id == staff.id


def test_concurrent_moves_and_bookings_of_one_slot_let_exactly_one_through(
    app, make_user, supervisor, open_slot
):
    """Three people move their bookings to one free slot while three others book it."""
    target = open_slot(timedelta(days=6))
    movers = [make_user() for _ in range(3)]
    bookers = [make_user() for _ in range(3)]
    own = {}
    for i, person in enumerate(movers):
        slot = open_slot(timedelta(days=3, hours=i))
        services.book_slot(person, slot, ANSWERS, utcnow())
        own[person.id] = slot.id
    for person in bookers:
        account_for(person.id, school_year_for(target.on_date))
    db.session.commit()
    target_id = target.id
    people = [(p.id, own.get(p.id)) for p in movers + bookers]
    db.session.remove()

    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def attempt(person_id: int, slot_id: int | None) -> None:
        with app.app_context():
            person = db.session.get(User, person_id)
            wanted = db.session.get(OnDutySlot, target_id)
            mine = db.session.get(OnDutySlot, slot_id) if slot_id else None
            barrier.wait()
            try:
                if mine is None:
                    services.book_slot(person, wanted, ANSWERS, utcnow())
                else:
                    services.move_booking(person, mine, wanted, utcnow())
                db.session.commit()
                outcomes.append("ok")
            except services.SlotUnavailable:
                db.session.rollback()
                outcomes.append("taken")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=args) for args in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["ok"] + ["taken"] * (len(people) - 1)
    booked_sessions = db.session.scalar(
        select(func.count())
        .select_from(SupervisionSession)
        .where(
            SupervisionSession.starts_at == db.session.get(OnDutySlot, target_id).starts_at,
            SupervisionSession.status == SessionStatus.PLANNED,
        )
    )
    assert booked_sessions == 1  # the supervisor is not double-booked
