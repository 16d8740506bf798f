"""Weekly patterns are bounded, withdrawn in one action and keep wall-clock times across a
change of the clocks (issue 22, item 8)."""

from datetime import UTC, date, time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.rules import HELSINKI, MAX_PATTERN_SLOTS, SlotPattern, local_date

EVERY_DAY = [str(d) for d in range(7)]


def _count(status: SlotStatus | None = None) -> int:
    query = select(func.count()).select_from(OnDutySlot)
    if status is not None:
        query = query.where(OnDutySlot.status == status)
    return db.session.scalar(query)


def _post_pattern(client, supervisor, first: date, last: date, times: str, weekdays=EVERY_DAY):
    return client.post(
        f"/slots/manage/{supervisor.id}/pattern",
        data={
            "pattern-first_day": first.isoformat(),
            "pattern-last_day": last.isoformat(),
            "pattern-weekdays": weekdays,
            "pattern-times": times,
            "pattern-mode": "video",
        },
    )


def test_every_hour_of_every_day_for_a_year_is_refused_and_nothing_created(client, supervisor):
    """The attacker's request: 8,400 slots in one pattern."""
    first = local_date(utcnow()) + timedelta(days=1)
    client.login(supervisor.user)
    every_hour = ", ".join(f"{h}:00" for h in range(24))
    response = _post_pattern(client, supervisor, first, first + timedelta(days=364), every_hour)
    assert response.status_code == 400
    assert "start between 7:00 AM and 7:00 PM" in response.text.replace("\u202f", " ")
    assert _count() == 0


def test_a_pattern_of_more_than_200_slots_is_refused(client, supervisor):
    first = local_date(utcnow()) + timedelta(days=1)
    client.login(supervisor.user)
    working_day = ", ".join(f"{h}:00" for h in range(7, 20))  # 13 slots a day
    response = _post_pattern(client, supervisor, first, first + timedelta(days=40), working_day)
    assert response.status_code == 400
    assert f"one pattern publishes at most {MAX_PATTERN_SLOTS}" in response.text
    assert _count() == 0
    response = _post_pattern(client, supervisor, first, first + timedelta(days=6), working_day)
    assert response.status_code == 302
    assert 0 < _count() <= 13 * 7


def test_a_pattern_is_withdrawn_in_one_action_and_its_bookings_stay(
    client, supervisor, staff, school_year
):
    first = local_date(utcnow()) + timedelta(days=1)
    pattern = SlotPattern(
        first, first + timedelta(days=27), frozenset(range(7)), (time(9), time(13)), "video"
    )
    result = services.publish_pattern(supervisor.user, supervisor, pattern, utcnow())
    services.book_slot(staff, result.created[3], {1: "a", 2: "b", 3: "c"}, utcnow())
    db.session.commit()
    published = len(result.created)
    pattern_id = result.created[0].pattern_id
    client.login(supervisor.user)
    page = client.get(f"/slots/manage?supervisor={supervisor.id}").text
    assert "Weekly patterns with open slots" in page and f"{published - 1} open slots" in page

    response = client.post(f"/slots/patterns/{pattern_id}/withdraw")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).text
    assert f"{published - 1} open slots of the pattern are withdrawn." in shown
    assert "1 of its slots are booked and stay" in shown
    assert (_count(SlotStatus.WITHDRAWN), _count(SlotStatus.BOOKED)) == (published - 1, 1)


def test_another_supervisor_cannot_withdraw_the_pattern(client, supervisor, make_supervisor):
    first = local_date(utcnow()) + timedelta(days=1)
    pattern = SlotPattern(first, first, frozenset(range(7)), (time(9),), "video")
    (slot,) = services.publish_pattern(supervisor.user, supervisor, pattern, utcnow()).created
    db.session.commit()
    client.login(make_supervisor(name="Ylva Y", rank=50).user)
    assert client.post(f"/slots/patterns/{slot.pattern_id}/withdraw").status_code == 403
    assert _count(SlotStatus.OPEN) == 1


def _last_sunday_of_march_ahead() -> date:
    year = utcnow().year + 1
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.mark.parametrize(("clock_change", "utc_hours"), [("spring", [7, 6]), ("autumn", [6, 7])])
def test_across_a_change_of_the_clocks_slots_keep_their_wall_clock_time(
    supervisor, clock_change, utc_hours
):
    """9:00 stays 9:00 Finnish time on the Thursday before and the Tuesday after the night
    the clocks change: in UTC the slot moves by the hour the clocks did. (Not Friday and
    Monday: Easter can fall on them.)"""
    sunday = _last_sunday_of_march_ahead()
    if clock_change == "autumn":
        day = date(sunday.year, 10, 31)
        sunday = day - timedelta(days=(day.weekday() + 1) % 7)
    before, after = sunday - timedelta(days=3), sunday + timedelta(days=2)
    pattern = SlotPattern(before, after, frozenset({3, 1}), (time(9),), "video")
    created = services.publish_pattern(supervisor.user, supervisor, pattern, utcnow()).created
    starts = sorted(s.starts_at for s in created)
    assert [s.astimezone(HELSINKI).date() for s in starts] == [before, after]
    assert [s.astimezone(HELSINKI).time() for s in starts] == [time(9), time(9)]
    assert [s.astimezone(UTC).hour for s in starts] == utc_hours


def test_a_pattern_time_in_the_night_when_the_clocks_change_is_refused(client, supervisor):
    sunday = _last_sunday_of_march_ahead()
    client.login(supervisor.user)
    response = _post_pattern(client, supervisor, sunday, sunday, "3:30", weekdays=["6"])
    assert response.status_code == 400
    assert "start between 7:00 AM and 7:00 PM" in response.text.replace("\u202f", " ")
    assert _count() == 0


def test_a_single_slot_in_the_skipped_hour_of_march_is_at_the_hour_after(supervisor):
    """3:30 does not exist on the night the clocks go forward: the slot is at 4:30."""
    sunday = _last_sunday_of_march_ahead()
    slot = services.publish_slot(
        supervisor.user, supervisor, services.SlotInput(sunday, time(3, 30), "video"), utcnow()
    )
    assert slot.starts_at.astimezone(HELSINKI).time() == time(4, 30)


def test_the_hours_are_written_the_finnish_way_on_a_finnish_page(client, supervisor):
    first = local_date(utcnow()) + timedelta(days=1)
    supervisor.user.locale = "fi"
    db.session.commit()
    client.login(supervisor.user)
    response = _post_pattern(client, supervisor, first, first, "3:00")
    assert response.status_code == 400
    assert "klo 7.00–19.00" in response.text
