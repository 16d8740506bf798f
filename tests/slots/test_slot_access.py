"""Who may change whose slots and bookings."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.core.errors import NotPermitted
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus, SupervisorAbsence
from lahti_pool.slots.rules import local_date


@pytest.fixture
def x_slot(supervisor):
    """An open slot of supervisor X (the ``supervisor`` fixture)."""
    day = local_date(utcnow()) + timedelta(days=5)
    slot = services.publish_slot(
        supervisor.user, supervisor, services.SlotInput(day, time(10), "video"), utcnow()
    )
    db.session.commit()
    return slot


@pytest.fixture
def supervisor_y(make_supervisor):
    return make_supervisor(name="Ylva Y", rank=50)


def test_supervisor_y_cannot_publish_xs_slots(client, supervisor, supervisor_y, x_slot):
    day = (local_date(utcnow()) + timedelta(days=9)).isoformat()
    client.login(supervisor_y.user)
    posts = {
        "slot": {"slot-on_date": day, "slot-start_time": "10:00", "slot-mode": "video"},
        "pattern": {
            "pattern-first_day": day,
            "pattern-last_day": day,
            "pattern-weekdays": ["0", "1", "2", "3", "4", "5", "6"],
            "pattern-times": "9:00",
            "pattern-mode": "video",
        },
        "absences": {"absence-starts_on": day, "absence-ends_on": day},
    }
    for path, data in posts.items():
        response = client.post(f"/slots/manage/{supervisor.id}/{path}", data=data)
        assert response.status_code == 403, path
    assert client.get(f"/slots/manage?supervisor={supervisor.id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OnDutySlot)) == 1
    assert db.session.scalar(select(func.count()).select_from(SupervisorAbsence)) == 0
    with pytest.raises(NotPermitted):
        services.publish_slot(
            supervisor_y.user,
            supervisor,
            services.SlotInput(local_date(utcnow()) + timedelta(days=9), time(9), "video"),
            utcnow(),
        )


def test_supervisor_y_cannot_withdraw_xs_slot(client, supervisor_y, x_slot):
    client.login(supervisor_y.user)
    assert client.post(f"/slots/{x_slot.id}/withdraw").status_code == 403
    assert x_slot.status == SlotStatus.OPEN
    with pytest.raises(NotPermitted):
        services.withdraw_slot(supervisor_y.user, x_slot)


def test_staff_b_cannot_cancel_or_see_as_booking(client, staff, other_staff, x_slot, school_year):
    services.book_slot(staff, x_slot, {1: "a", 2: "b", 3: "c"}, utcnow())
    db.session.commit()
    client.login(other_staff)
    assert client.get(f"/slots/{x_slot.id}").status_code == 403
    assert client.get(f"/slots/{x_slot.id}/cancel").status_code == 403
    assert client.post(f"/slots/{x_slot.id}/cancel").status_code == 403
    assert (x_slot.status, x_slot.booked_by_id) == (SlotStatus.BOOKED, staff.id)
    with pytest.raises(NotPermitted):
        services.cancel_booking(other_staff, x_slot, utcnow())


def test_supervisor_y_cannot_cancel_a_booking_of_xs_slot(
    client, staff, supervisor_y, x_slot, school_year
):
    services.book_slot(staff, x_slot, {1: "a", 2: "b", 3: "c"}, utcnow())
    db.session.commit()
    client.login(supervisor_y.user)
    assert client.post(f"/slots/{x_slot.id}/cancel").status_code == 403
    assert x_slot.status == SlotStatus.BOOKED


def test_only_staff_book(client, supervisor_y, admin, x_slot):
    for user in (supervisor_y.user, admin):
        client.login(user)
        assert client.get(f"/slots/{x_slot.id}/book").status_code == 403
        assert client.get("/slots/").status_code == 403
    with pytest.raises(NotPermitted):
        services.book_slot(admin, x_slot, {1: "a", 2: "b", 3: "c"}, utcnow())
