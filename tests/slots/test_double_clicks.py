"""Second clicks on the slot pages: booking, cancelling and absences saved only once."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests_support import add_slot

from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.slots import services
from lahti_pool.slots.models import SlotStatus, SupervisorAbsence
from lahti_pool.slots.rules import local_date
from lahti_pool.supervisors.models import Supervisor
from tests.tests_support import CONFIRMED

ANSWERS = {1: "a", 2: "b", 3: "c"}
BOOK_FORM = {f"answer_{n}": text for n, text in ANSWERS.items()}


@pytest.fixture
def slot(ctx, supervisor, school_year):
    starts_at = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    slot = add_slot(supervisor, starts_at)
    db.session.commit()
    return slot


def _denials() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access.denied")
    )


# --- Booking twice ---------------------------------------------------------------------


def test_booking_the_same_slot_twice_says_it_is_yours_and_links_to_it(client, staff, slot):
    client.login(staff)
    assert client.post(f"/slots/{slot.id}/book", data=BOOK_FORM).status_code == 302

    second = client.post(f"/slots/{slot.id}/book", data=BOOK_FORM, follow_redirects=True)

    assert second.request.path == f"/slots/{slot.id}"
    assert second.text.count("You have already booked this slot.") == 1
    assert "Somebody else" not in second.text
    assert db.session.scalar(select(func.count()).select_from(SupervisionRequest)) == 1
    assert account_for(staff.id, school_year_for(slot.on_date)).state().reserved == 1


def test_the_booking_page_of_your_own_booking_links_to_it(client, staff, slot):
    services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    client.login(staff)

    page = client.get(f"/slots/{slot.id}/book")

    assert page.text.count("You have already booked this slot.") == 1
    assert f'href="/slots/{slot.id}"' in page.text
    assert "Book this slot" not in page.text


def test_a_slot_booked_by_somebody_else_is_said_once(client, staff, other_staff, slot):
    services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    client.login(other_staff)

    response = client.post(f"/slots/{slot.id}/book", data=BOOK_FORM)

    assert response.status_code == 200
    assert response.text.count("Somebody else has booked this slot") == 1
    assert slot.booked_by_id == staff.id


# --- Cancelling twice --------------------------------------------------------------------


def test_cancelling_a_booking_twice_says_it_is_cancelled_already(client, staff, slot):
    services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    client.login(staff)
    assert client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED).status_code == 302

    second = client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED, follow_redirects=True)

    assert second.status_code == 200
    assert second.request.path == "/slots/mine"
    assert "This booking has already been cancelled." in second.text
    assert _denials() == 0
    assert (slot.status, slot.booked_by_id) == (SlotStatus.OPEN, None)
    state = account_for(staff.id, school_year_for(slot.on_date)).state()
    assert (state.reserved, state.used) == (0, 0)


def test_cancelling_a_late_cancelled_booking_again_says_so(client, staff, supervisor, ctx):
    starts_at = (utcnow() + timedelta(hours=5)).replace(second=0, microsecond=0)
    late = add_slot(supervisor, starts_at)
    services.book_slot(staff, late, ANSWERS, utcnow())
    db.session.commit()
    client.login(staff)
    client.post(f"/slots/{late.id}/cancel", data=CONFIRMED)

    second = client.post(f"/slots/{late.id}/cancel", data=CONFIRMED, follow_redirects=True)

    assert second.request.path == "/slots/mine"
    assert "This booking has already been cancelled." in second.text
    assert account_for(staff.id, school_year_for(late.on_date)).state().used == 1


def test_the_supervisor_cancelling_twice_is_told_it_is_cancelled(client, staff, supervisor, slot):
    services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    client.login(supervisor.user)
    client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED)

    second = client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED, follow_redirects=True)

    assert second.request.path == "/slots/manage"
    assert "This booking has already been cancelled." in second.text
    assert slot.status == SlotStatus.WITHDRAWN


def test_a_stranger_still_cannot_see_a_cancelled_booking(client, staff, other_staff, slot):
    services.book_slot(staff, slot, ANSWERS, utcnow())
    db.session.commit()
    services.cancel_booking(staff, slot, utcnow())
    db.session.commit()
    client.login(other_staff)

    assert client.post(f"/slots/{slot.id}/cancel", data=CONFIRMED).status_code == 403


# --- Absences -------------------------------------------------------------------------


def test_an_absence_overlapping_a_saved_one_is_refused(client, supervisor):
    first = local_date(utcnow()) + timedelta(days=30)
    form = {
        "absence-starts_on": first.isoformat(),
        "absence-ends_on": (first + timedelta(days=4)).isoformat(),
    }
    client.login(supervisor.user)
    assert client.post(f"/slots/manage/{supervisor.id}/absences", data=form).status_code == 302

    again = client.post(f"/slots/manage/{supervisor.id}/absences", data=form)
    overlapping = client.post(
        f"/slots/manage/{supervisor.id}/absences",
        data={
            "absence-starts_on": (first + timedelta(days=4)).isoformat(),
            "absence-ends_on": (first + timedelta(days=10)).isoformat(),
        },
    )

    for response in (again, overlapping):
        assert response.status_code == 400
        assert "This overlaps an absence already saved" in response.text
        assert 'id="absence-starts_on-error"' in response.text
    assert db.session.scalar(select(func.count()).select_from(SupervisorAbsence)) == 1


def test_absences_next_to_each_other_are_both_saved(client, supervisor, make_supervisor):
    first = local_date(utcnow()) + timedelta(days=30)
    client.login(supervisor.user)
    for start, end in ((0, 4), (5, 6)):
        response = client.post(
            f"/slots/manage/{supervisor.id}/absences",
            data={
                "absence-starts_on": (first + timedelta(days=start)).isoformat(),
                "absence-ends_on": (first + timedelta(days=end)).isoformat(),
            },
        )
        assert response.status_code == 302
    other = make_supervisor()
    services.add_absence(other.user, other, first, first + timedelta(days=4), first)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SupervisorAbsence)) == 3


def test_the_same_absence_sent_at_once_by_eight_workers_is_saved_once(app, supervisor):
    first = local_date(utcnow()) + timedelta(days=30)
    supervisor_id = supervisor.id
    db.session.remove()
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt():
        with app.app_context():
            sup = db.session.get(Supervisor, supervisor_id)
            barrier.wait()
            try:
                services.add_absence(sup.user, sup, first, first + timedelta(days=4), first)
                db.session.commit()
                outcomes.append("saved")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["refused"] * 7 + ["saved"]
    assert db.session.scalar(select(func.count()).select_from(SupervisorAbsence)) == 1
