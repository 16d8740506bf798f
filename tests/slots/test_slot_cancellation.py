"""Cancelling a booked slot: in time, late, or by the supervisor (DOMAIN.md "Quota")."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lahti_pool.core.errors import InvalidTransition
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.extensions import db
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.sessions.models import (
    ApprovalStatus,
    ProcessStatus,
    SessionStatus,
    SupervisionSession,
)
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.rules import local_date
from lahti_pool.supervisors.capacity import capacities
from tests.tests_support import CONFIRMED

ANSWERS = {1: "a", 2: "b", 3: "c"}


@pytest.fixture
def booked(ctx, staff, supervisor, school_year):
    """A slot booked by ``staff``; ``booked(hours)`` starts that many hours from now."""

    def factory(starts_in=timedelta(days=3)) -> OnDutySlot:
        starts_at = (utcnow() + starts_in).replace(second=0, microsecond=0)
        slot = OnDutySlot(
            supervisor_id=supervisor.id,
            starts_at=starts_at,
            on_date=local_date(starts_at),
            mode="phone",
            duration_minutes=60,
        )
        db.session.add(slot)
        db.session.flush()
        services.book_slot(staff, slot, ANSWERS, utcnow(), phone="0401234567")
        db.session.commit()
        return slot

    return factory


def _session(slot: OnDutySlot) -> SupervisionSession:
    return db.session.get(SupervisionSession, slot.session_id)


def test_timely_cancellation_frees_the_quota_and_the_slot(client, staff, supervisor, booked):
    slot = booked()
    sup_session = _session(slot)
    year = school_year_for(slot.on_date)
    client.login(staff)
    page = client.get(f"/slots/{slot.id}/cancel")
    assert "goes back to your quota" in page.text

    response = client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    assert response.status_code == 302
    assert (slot.status, slot.booked_by_id, slot.session_id) == (SlotStatus.OPEN, None, None)
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.CANCELLED
    assert sup_session.costs == []
    assert sup_session.process.status == ProcessStatus.CLOSED
    state = account_for(staff.id, year).state()
    assert (state.reserved, state.used, state.available) == (0, 0, 10)
    assert capacities(year, [supervisor.id])[supervisor.id].sessions_granted == 0
    assert (supervisor.user_id, NotificationKind.SLOT_CANCELLED) in db.session.execute(
        select(Notification.user_id, Notification.kind)
    ).all()
    # The slot is free for anybody again.
    assert [s.id for s in services.next_free_slots(staff)] == [slot.id]


def test_late_cancellation_uses_the_quota_and_keeps_the_slot_taken(
    client, staff, supervisor, booked
):
    slot = booked(timedelta(hours=5))
    sup_session = _session(slot)
    year = school_year_for(slot.on_date)
    client.login(staff)
    assert "counts as used" in client.get(f"/slots/{slot.id}/cancel").text

    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    assert (slot.status, slot.booked_by_id) == (SlotStatus.BOOKED, staff.id)
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.LATE_CANCELLED
    assert sup_session.approval == ApprovalStatus.PENDING
    assert sum(c.amount_cents for c in sup_session.costs) == sup_session.price_cents
    state = account_for(staff.id, year).state()
    assert (state.reserved, state.used, state.available) == (0, 1, 9)
    cap = capacities(year, [supervisor.id])[supervisor.id]
    assert (cap.sessions_granted, cap.sessions_used) == (1, 1)  # the supervisor's, used too


def test_a_late_cancelled_booking_shows_its_true_state(client, staff, booked):
    slot = booked(timedelta(hours=5))
    client.login(staff)
    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    listing = client.get("/slots/mine").text
    page = client.get(f"/slots/{slot.id}").text

    assert "Cancelled late: the session counts as used" in listing
    assert "Cancelled late: the session counts as used" in page
    assert "Your booking is confirmed" not in page
    assert f"/slots/{slot.id}/cancel" not in page  # no second cancel offered
    client.login(slot.supervisor.user)
    manage = client.get(f"/slots/manage?supervisor={slot.supervisor_id}").text
    assert "Cancelled late: the session counts as used" in manage
    assert f"/slots/{slot.id}/cancel" not in manage


def test_the_cancellation_window_is_configurable(app, staff, booked):
    slot = booked(timedelta(hours=5))
    app.config["CANCELLATION_WINDOW_HOURS"] = 4
    try:
        assert services.cancel_outcome(staff, slot, utcnow()) == services.CancelOutcome.TIMELY
    finally:
        del app.config["CANCELLATION_WINDOW_HOURS"]


def test_the_supervisor_cancelling_frees_everything(client, staff, supervisor, booked):
    slot = booked(timedelta(hours=5))  # even inside the window
    sup_session = _session(slot)
    year = school_year_for(slot.on_date)
    client.login(supervisor.user)
    assert "frees the client's session" in client.get(f"/slots/{slot.id}/cancel").text

    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.CANCELLED_BY_SUPERVISOR
    assert (slot.status, slot.booked_by_id) == (SlotStatus.WITHDRAWN, None)
    assert account_for(staff.id, year).state().available == 10
    assert capacities(year, [supervisor.id])[supervisor.id].sessions_granted == 0
    assert (staff.id, NotificationKind.SLOT_CANCELLED) in db.session.execute(
        select(Notification.user_id, Notification.kind)
    ).all()


def test_cancelling_twice_is_refused(staff, booked):
    slot = booked(timedelta(hours=5))  # a late cancellation leaves the slot booked
    services.cancel_booking(staff, slot, utcnow())
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.cancel_booking(staff, slot, utcnow())


def test_a_started_session_can_no_longer_be_cancelled(staff, booked):
    slot = booked(timedelta(minutes=30))
    with pytest.raises(Exception, match="already started"):
        services.cancel_booking(staff, slot, slot.starts_at + timedelta(minutes=1))


def _note_text(user_id: int, locale: str = "fi") -> str:
    from flask_babel import force_locale

    from lahti_pool.core.notifications import notification_text

    note = db.session.scalars(
        select(Notification).where(
            Notification.user_id == user_id, Notification.kind == NotificationKind.SLOT_CANCELLED
        )
    ).one()
    with force_locale(locale):
        return notification_text(note)


def test_the_supervisors_notice_of_a_late_cancellation_says_late_and_billed(
    client, staff, supervisor, booked
):
    slot = booked(timedelta(hours=5))
    client.login(staff)
    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    fi = _note_text(supervisor.user_id, "fi")
    # The client is not called a supervisor, and the supervisor learns it is billed.
    assert "työnohjaaja" not in fi.lower()
    assert staff.name in fi and "myöhässä" in fi and "laskutetaan" in fi
    assert "för sent" in (sv := _note_text(supervisor.user_id, "sv")) and "faktureras" in sv
    assert "late" in _note_text(supervisor.user_id, "en")


def test_the_supervisors_notice_of_a_timely_cancellation_says_not_billed(
    client, staff, supervisor, booked
):
    slot = booked()
    client.login(staff)
    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    fi = _note_text(supervisor.user_id, "fi")
    assert "työnohjaaja" not in fi.lower()
    assert staff.name in fi and "ajoissa" in fi and "ei laskuteta" in fi


def test_the_bookers_notice_names_the_supervisor_as_the_canceller(
    client, staff, supervisor, booked
):
    slot = booked()
    client.login(supervisor.user)
    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    fi = _note_text(staff.id, "fi")
    assert f"Työnohjaajasi {supervisor.name} perui" in fi


def test_the_late_cancellation_mail_says_it_is_billed(client, staff, supervisor, booked):
    from lahti_pool.core.outbox import MailMessage

    slot = booked(timedelta(hours=5))
    client.login(staff)
    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    mails = db.session.scalars(
        select(MailMessage).where(MailMessage.kind == "session_cancelled")
    ).all()
    to_supervisor = next(m for m in mails if m.to_user_id == supervisor.user_id)
    assert "billed" in to_supervisor.body_text or "laskutetaan" in to_supervisor.body_text


def test_a_supervisor_cancelling_a_booking_is_asked_first_and_a_bare_post_cancels_nothing(
    client, staff, supervisor, booked
):
    slot = booked(timedelta(hours=30))
    client.login(supervisor.user)
    url = f"/slots/{slot.id}/cancel"
    page = client.get(url).text
    assert "frees the client's session" in page
    assert 'name="confirmed" value="yes"' in page and 'name="csrf_token"' in page
    assert f'href="/slots/{slot.id}">No, keep it' in page
    bare = client.post(url)
    assert bare.status_code == 200 and "Yes, cancel the booking" in bare.text
    db.session.refresh(slot)
    assert (slot.status, slot.booked_by_id) == (SlotStatus.BOOKED, staff.id)
    assert _session(slot).status == SessionStatus.PLANNED
