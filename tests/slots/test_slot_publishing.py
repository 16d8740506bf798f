"""Publishing slots: one by one or a weekly pattern; holidays, absences and overlaps."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.core.errors import DomainError, InvalidTransition
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus, SupervisorAbsence
from lahti_pool.slots.rules import SlotPattern, local_date


def _december_with_a_weekday_independence_day() -> int:
    """A coming year whose 1–12 December is all in the future and 6 December a weekday."""
    year = utcnow().year + 1
    while date(year, 12, 6).weekday() >= 5:
        year += 1
    return year


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OnDutySlot))


def test_a_pattern_skips_independence_day_and_the_supervisors_absence(supervisor):
    year = _december_with_a_weekday_independence_day()
    services.add_absence(
        supervisor.user, supervisor, date(year, 12, 9), date(year, 12, 10), local_date(utcnow())
    )
    pattern = SlotPattern(
        date(year, 12, 1), date(year, 12, 12), frozenset(range(5)), (time(9), time(14)), "video"
    )

    result = services.publish_pattern(supervisor.user, supervisor, pattern, utcnow())
    db.session.commit()

    days = {s.on_date for s in db.session.scalars(select(OnDutySlot))}
    assert date(year, 12, 6) not in days
    assert not days & {date(year, 12, 9), date(year, 12, 10)}
    assert result.holidays == [date(year, 12, 6)]
    assert date(year, 12, 9) in result.absences
    weekdays = [date(year, 12, d) for d in range(1, 13) if date(year, 12, d).weekday() < 5]
    assert len(result.created) == _count() == 2 * (len(weekdays) - 1 - len(result.absences))
    assert all(s.status == SlotStatus.OPEN and s.duration_minutes == 60 for s in result.created)


def test_an_overlapping_pattern_is_refused_with_the_clashes_and_nothing_created(client, supervisor):
    year = _december_with_a_weekday_independence_day()
    services.publish_slot(
        supervisor.user,
        supervisor,
        services.SlotInput(date(year, 12, 2), time(10, 30), "phone"),
        utcnow(),
    )
    db.session.commit()
    client.login(supervisor.user)

    response = client.post(
        f"/slots/manage/{supervisor.id}/pattern",
        data={
            "pattern-first_day": f"{year}-12-01",
            "pattern-last_day": f"{year}-12-12",
            "pattern-weekdays": ["0", "1", "2", "3", "4"],
            "pattern-times": "9:00, 10:00, 11:00",
            "pattern-mode": "video",
        },
    )

    assert response.status_code == 400
    assert "overlap slots already published" in response.text
    assert "Nothing was created" in response.text
    assert _count() == 1


def test_publishing_a_pattern_from_the_page(client, supervisor):
    year = _december_with_a_weekday_independence_day()
    client.login(supervisor.user)
    response = client.post(
        f"/slots/manage/{supervisor.id}/pattern",
        data={
            "pattern-first_day": f"{year}-12-01",
            "pattern-last_day": f"{year}-12-13",
            "pattern-weekdays": [str(date(year, 12, 6).weekday())],
            "pattern-times": "9:00",
            "pattern-mode": "phone",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "1 slot published. Public holidays skipped" in page.text
    assert db.session.scalar(select(OnDutySlot.on_date)) == date(year, 12, 13)


def test_publishing_one_slot_from_the_page(client, supervisor):
    day = local_date(utcnow()) + timedelta(days=7)
    client.login(supervisor.user)
    response = client.post(
        f"/slots/manage/{supervisor.id}/slot",
        data={"slot-on_date": day.isoformat(), "slot-start_time": "10:00", "slot-mode": "video"},
    )
    assert response.status_code == 302
    slot = db.session.scalar(select(OnDutySlot))
    assert (slot.on_date, slot.mode, slot.status) == (day, "video", SlotStatus.OPEN)
    assert local_date(slot.starts_at) == day
    # The same hour again overlaps.
    again = client.post(
        f"/slots/manage/{supervisor.id}/slot",
        data={"slot-on_date": day.isoformat(), "slot-start_time": "10:30", "slot-mode": "video"},
    )
    assert again.status_code == 400 and _count() == 1


@pytest.mark.parametrize(
    ("start", "mode", "message"),
    [
        (timedelta(days=-1), "video", "future"),
        (timedelta(days=3), "on_site", "video or by phone"),
    ],
)
def test_a_slot_in_the_past_or_on_site_is_refused(supervisor, start, mode, message):
    data = services.SlotInput(local_date(utcnow()) + start, time(10), mode)
    with pytest.raises(DomainError, match=message):
        services.publish_slot(supervisor.user, supervisor, data, utcnow())


def test_a_slot_during_an_absence_is_refused(client, supervisor):
    day = local_date(utcnow()) + timedelta(days=7)
    client.login(supervisor.user)
    response = client.post(
        f"/slots/manage/{supervisor.id}/absences",
        data={"absence-starts_on": day.isoformat(), "absence-ends_on": day.isoformat()},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(SupervisorAbsence)).starts_on == day
    with pytest.raises(DomainError, match="absent"):
        services.publish_slot(
            supervisor.user, supervisor, services.SlotInput(day, time(10), "video"), utcnow()
        )


def test_withdrawing_an_unbooked_slot_and_publishing_the_time_again(client, supervisor):
    day = local_date(utcnow()) + timedelta(days=7)
    data = services.SlotInput(day, time(10), "video")
    slot = services.publish_slot(supervisor.user, supervisor, data, utcnow())
    db.session.commit()
    client.login(supervisor.user)

    assert client.post(f"/slots/{slot.id}/withdraw").status_code == 302
    assert slot.status == SlotStatus.WITHDRAWN
    assert services.next_free_slots(supervisor.user) == []

    again = services.publish_slot(supervisor.user, supervisor, data, utcnow())
    db.session.commit()
    assert (again.id, again.status) == (slot.id, SlotStatus.OPEN)


def test_a_booked_slot_cannot_be_withdrawn(staff, supervisor, school_year):
    day = local_date(utcnow()) + timedelta(days=7)
    slot = services.publish_slot(
        supervisor.user, supervisor, services.SlotInput(day, time(10), "video"), utcnow()
    )
    services.book_slot(staff, slot, {1: "a", 2: "b", 3: "c"}, utcnow())
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.withdraw_slot(supervisor.user, slot)


def test_the_administrator_publishes_for_any_supervisor(client, admin, supervisor):
    day = local_date(utcnow()) + timedelta(days=7)
    client.login(admin)
    assert client.get("/slots/manage").status_code == 200
    response = client.post(
        f"/slots/manage/{supervisor.id}/slot",
        data={"slot-on_date": day.isoformat(), "slot-start_time": "12:00", "slot-mode": "phone"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(OnDutySlot.supervisor_id)) == supervisor.id


def test_slots_outside_the_supervisors_contract_are_refused(supervisor):
    supervisor.contract_ends_on = local_date(utcnow()) + timedelta(days=3)
    db.session.commit()
    data = services.SlotInput(local_date(utcnow()) + timedelta(days=5), time(10), "video")
    with pytest.raises(DomainError, match="contract"):
        services.publish_slot(supervisor.user, supervisor, data, utcnow())


def test_the_dashboard_partial_lists_the_next_free_slots(app, staff, supervisor):
    from flask import render_template

    day = local_date(utcnow()) + timedelta(days=2)
    services.publish_slot(
        supervisor.user, supervisor, services.SlotInput(day, time(10), "phone"), utcnow()
    )
    db.session.commit()
    with app.test_request_context():
        html = render_template("slots/_next_slots.html", next_slots=services.next_free_slots(staff))
    assert "Next free on-duty slots" in html and supervisor.name in html
