"""Rescheduling in Chromium: the booker moves an on-duty booking, every page checked by axe."""

from datetime import timedelta

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SupervisionSession
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot
from lahti_pool.slots.rules import local_date


def _slot(supervisor, days: int) -> OnDutySlot:
    starts = (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    slot = OnDutySlot(
        supervisor_id=supervisor.id, starts_at=starts, on_date=local_date(starts), mode="video"
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def test_staff_move_an_on_duty_booking_to_another_free_slot(
    visitor, staff, supervisor, school_year, tmp_path
):
    booked, free = _slot(supervisor, 3), _slot(supervisor, 5)
    services.book_slot(staff, booked, {1: "a", 2: "b", 3: "c"}, utcnow())
    db.session.commit()
    session_id, free_id = booked.session_id, free.id
    page = visitor.page
    visitor.login(staff.email, PASSWORD)

    visitor.goto(f"/slots/{booked.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Move the booking").click()
    visitor.check()
    page.screenshot(path=str(tmp_path / "slot_move.png"), full_page=True)
    page.get_by_role("radio").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Move the booking").click()
    visitor.check()

    assert page.url.endswith(f"/slots/{free_id}")
    assert "Your booking is moved" in page.content()
    db.session.expire_all()
    assert db.session.get(OnDutySlot, free_id).booked_by_id == staff.id
    sup_session = db.session.scalar(
        select(SupervisionSession).where(SupervisionSession.id == session_id)
    )
    assert sup_session.starts_at == db.session.get(OnDutySlot, free_id).starts_at
