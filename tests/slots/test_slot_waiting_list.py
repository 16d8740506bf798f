"""The waiting list: a freed slot is held for the first person waiting, then the next."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.extensions import db
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus, SlotWatch, WatchStatus
from lahti_pool.slots.rules import local_date

ANSWERS = {1: "a", 2: "b", 3: "c"}


@pytest.fixture
def freed(ctx, make_user, staff, supervisor, school_year):
    """A slot booked by ``staff``, two people waiting (by day, then by supervisor), then
    cancelled in time."""
    starts_at = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    slot = OnDutySlot(
        supervisor_id=supervisor.id,
        starts_at=starts_at,
        on_date=local_date(starts_at),
        mode="video",
        duration_minutes=60,
    )
    db.session.add(slot)
    db.session.flush()
    services.book_slot(staff, slot, ANSWERS, utcnow())
    first, second = make_user(name="First Waiting"), make_user(name="Second Waiting")
    services.add_watch(first, slot.on_date, None, local_date(utcnow()))
    db.session.commit()
    services.add_watch(second, None, supervisor.id, local_date(utcnow()))
    db.session.commit()
    services.cancel_booking(staff, slot, utcnow())
    db.session.commit()
    return slot, first, second


def _kinds(user_id):
    return db.session.scalars(
        select(Notification.kind).where(Notification.user_id == user_id)
    ).all()


def test_a_freed_slot_is_held_for_the_first_person_waiting(client, app, freed, staff):
    slot, first, second = freed
    assert slot.status == SlotStatus.OPEN
    assert slot.offered_to_id == first.id
    hours = app.config.get("SLOT_OFFER_HOURS", 2)
    assert abs(slot.offer_expires_at - (utcnow() + timedelta(hours=hours))) < timedelta(minutes=1)
    assert _kinds(first.id) == [NotificationKind.SLOT_OFFERED]
    assert _kinds(second.id) == []

    # Nobody else can book it during the offer, nor even sees it.
    assert services.next_free_slots(second) == []
    client.login(second)
    response = client.post(f"/slots/{slot.id}/book", data={f"answer_{n}": "x" for n in (1, 2, 3)})
    assert "Somebody else has booked this slot" in response.text
    assert slot.status == SlotStatus.OPEN

    # The person it is held for is told, sees it and books it.
    client.login(first)
    assert "It is held for you until" in client.get("/notifications").text
    assert "Held for you" in client.get("/slots/mine").text
    response = client.post(f"/slots/{slot.id}/book", data={f"answer_{n}": "x" for n in (1, 2, 3)})
    assert response.status_code == 302
    assert (slot.status, slot.booked_by_id, slot.offered_to_id) == (
        SlotStatus.BOOKED,
        first.id,
        None,
    )
    watch = db.session.scalar(select(SlotWatch).where(SlotWatch.user_id == first.id))
    assert watch.status == WatchStatus.FULFILLED


def test_an_expired_offer_goes_to_the_next_person_waiting(freed):
    slot, first, second = freed

    ended = services.expire_offers(utcnow() + timedelta(hours=3))
    db.session.commit()

    assert ended == 1
    assert slot.offered_to_id == second.id
    assert _kinds(first.id) == [NotificationKind.SLOT_OFFERED, NotificationKind.SLOT_OFFER_EXPIRED]
    assert _kinds(second.id) == [NotificationKind.SLOT_OFFERED]
    watch = db.session.scalar(select(SlotWatch).where(SlotWatch.user_id == first.id))
    assert watch.status == WatchStatus.CANCELLED  # one offer each

    # When the second offer lapses too, the slot is free for everybody.
    services.expire_offers(utcnow() + timedelta(hours=6))
    db.session.commit()
    assert (slot.offered_to_id, slot.offer_expires_at) == (None, None)
    assert [s.id for s in services.next_free_slots(first)] == [slot.id]


def test_the_cli_command_expires_offers(app, freed):
    slot, first, second = freed
    slot.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["pool", "expire-slot-offers"])

    assert result.exit_code == 0, result.output
    assert "1 slot offers expired" in result.output
    db.session.expire_all()
    assert db.session.get(OnDutySlot, slot.id).offered_to_id == second.id


def test_browsing_expires_offers_lazily(client, freed):
    slot, first, second = freed
    slot.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.login(second)

    page = client.get("/slots/")

    assert f"/slots/{slot.id}/book" in page.text
    assert slot.offered_to_id == second.id


def test_joining_and_leaving_the_waiting_list(client, staff, supervisor, school_year):
    client.login(staff)
    response = client.post("/slots/watches", data={"watch-supervisor": supervisor.id})
    assert response.status_code == 302
    watch = db.session.scalar(select(SlotWatch))
    assert (watch.user_id, watch.supervisor_id, watch.on_date) == (staff.id, supervisor.id, None)
    assert "Leave the waiting list" in client.get("/slots/mine").text
    # The same wish twice is refused.
    client.post("/slots/watches", data={"watch-supervisor": supervisor.id})
    assert len(db.session.scalars(select(SlotWatch)).all()) == 1

    client.post(f"/slots/watches/{watch.id}/cancel")
    assert watch.status == WatchStatus.CANCELLED


def test_another_persons_place_on_the_waiting_list_cannot_be_cancelled(
    client, staff, other_staff, supervisor, school_year
):
    watch = services.add_watch(staff, None, supervisor.id, local_date(utcnow()))
    db.session.commit()
    client.login(other_staff)
    assert client.post(f"/slots/watches/{watch.id}/cancel").status_code == 403
    assert watch.status == WatchStatus.WAITING
