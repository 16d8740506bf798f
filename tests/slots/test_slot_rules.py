"""Pure on-duty slot rules: weekly patterns, holidays, absences, clashes, the window."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from lahti_pool.core.errors import DomainError
from lahti_pool.slots import rules
from lahti_pool.slots.forms import parse_times

WEEKDAYS = frozenset(range(5))


def pattern(first, last, times=(time(9), time(13)), weekdays=WEEKDAYS, mode="video"):
    return rules.SlotPattern(first, last, frozenset(weekdays), tuple(times), mode)


def test_pattern_skips_finnish_independence_day():
    # 6 December 2030 is a Friday.
    p = pattern(date(2030, 12, 2), date(2030, 12, 13))
    result = rules.expand_pattern(p, rules.finnish_holidays(p.first_day, p.last_day))
    days = sorted({rules.local_date(s) for s in result.starts})
    assert date(2030, 12, 6) not in days
    assert len(days) == 9 and len(result.starts) == 18
    assert result.holidays == [date(2030, 12, 6)]


def test_pattern_skips_the_supervisors_absences():
    p = pattern(date(2030, 3, 4), date(2030, 3, 8), times=[time(10)])
    result = rules.expand_pattern(p, {}, [(date(2030, 3, 5), date(2030, 3, 6))])
    assert [rules.local_date(s) for s in result.starts] == [
        date(2030, 3, 4),
        date(2030, 3, 7),
        date(2030, 3, 8),
    ]
    assert result.absences == [date(2030, 3, 5), date(2030, 3, 6)]


def test_pattern_times_are_helsinki_time_in_winter_and_summer():
    winter = rules.expand_pattern(pattern(date(2030, 1, 7), date(2030, 1, 7), [time(9)]), {})
    summer = rules.expand_pattern(pattern(date(2030, 6, 3), date(2030, 6, 3), [time(9)]), {})
    assert winter.starts == [datetime(2030, 1, 7, 7, tzinfo=UTC)]
    assert summer.starts == [datetime(2030, 6, 3, 6, tzinfo=UTC)]


def test_midsummer_eve_and_christmas_eve_are_skipped_as_holidays():
    holidays = rules.finnish_holidays(date(2030, 1, 1), date(2030, 12, 31))
    assert date(2030, 6, 21) in holidays  # Midsummer Eve, a Friday
    assert date(2030, 12, 24) in holidays


@pytest.mark.parametrize(
    ("p", "field"),
    [
        (pattern(date(2030, 1, 1), date(2029, 12, 1)), "last_day"),
        (pattern(date(2030, 1, 1), date(2030, 2, 1), weekdays=[]), "weekdays"),
        (pattern(date(2030, 1, 1), date(2030, 2, 1), times=[]), "times"),
        (pattern(date(2030, 1, 1), date(2030, 2, 1), times=[time(9), time(9, 30)]), "times"),
        (pattern(date(2030, 1, 1), date(2031, 6, 1)), "last_day"),
        (pattern(date(2020, 1, 1), date(2030, 2, 1)), "first_day"),
    ],
)
def test_a_malformed_pattern_is_refused(p, field):
    with pytest.raises(DomainError) as err:
        rules.check_pattern(p, date(2029, 12, 1))
    assert err.value.field == field


def test_clashes_are_slots_less_than_an_hour_apart():
    existing = [datetime(2030, 1, 7, 8, tzinfo=UTC)]
    half_past = datetime(2030, 1, 7, 8, 30, tzinfo=UTC)
    next_hour = datetime(2030, 1, 7, 9, tzinfo=UTC)
    assert rules.clashes([half_past, next_hour], existing) == [half_past]


def test_slot_modes_are_video_and_phone_only():
    rules.check_mode("phone", ["phone", "video"])
    with pytest.raises(DomainError):
        rules.check_mode("on_site", ["on_site"])
    with pytest.raises(DomainError):
        rules.check_mode("video", ["phone"])


@pytest.mark.parametrize(
    ("before", "late"),
    [(timedelta(hours=25), False), (timedelta(hours=24), False), (timedelta(hours=23), True)],
)
def test_cancelling_inside_the_window_is_late(before, late):
    starts = datetime(2030, 1, 7, 8, tzinfo=UTC)
    assert rules.is_late_cancellation(starts, starts - before, 24) is late


def test_an_offer_never_lasts_beyond_the_slots_start():
    now = datetime(2030, 1, 7, 8, tzinfo=UTC)
    assert rules.offer_expiry(now, 2, now + timedelta(hours=5)) == now + timedelta(hours=2)
    assert rules.offer_expiry(now, 2, now + timedelta(hours=1)) == now + timedelta(hours=1)


def test_a_watch_needs_a_day_or_a_supervisor():
    with pytest.raises(DomainError):
        rules.check_watch(None, None, date(2030, 1, 1))
    rules.check_watch(None, 3, date(2030, 1, 1))


def test_iso_weeks_start_on_monday():
    assert rules.week_start(date(2030, 1, 6)) == date(2029, 12, 31)  # a Sunday
    assert rules.iso_week_label(date(2029, 12, 31)) == "2030-W01"


def test_times_are_typed_as_hours_and_minutes():
    assert parse_times("13.30, 9:00") == (time(9), time(13, 30))
    with pytest.raises(ValueError):
        parse_times("nine")
