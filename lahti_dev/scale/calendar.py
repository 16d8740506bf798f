"""The generated city's calendar: school years, terms, working days and local times."""

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from lahti_dev.scale.params import Weighted
from lahti_pool.requests.rules import school_year_bounds
from lahti_pool.sessions.rules import LOCAL_TZ
from lahti_pool.slots.rules import finnish_holidays

#: the hours sessions start at (local time), and their weights
SESSION_HOURS = Weighted({8: 2, 9: 4, 10: 4, 12: 3, 13: 4, 14: 5, 15: 3})


@lru_cache(maxsize=4096)
def _offset(day: date) -> timedelta:
    """Helsinki's UTC offset at noon of ``day`` (sessions never straddle a DST change)."""
    return datetime.combine(day, time(12), tzinfo=LOCAL_TZ).utcoffset()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time as an aware UTC datetime (sessions/rules.local_to_utc)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - _offset(day)


@dataclass
class Year:
    """One school year of the generated history: its id, bounds and working days."""

    id: int
    index: int  #: 0 for the oldest generated year
    starts_on: date
    ends_on: date
    is_current: bool
    #: working days of the terms (no weekends, public holidays or summer), ascending
    days: list[date] = field(default_factory=list)
    _ordinals: list[int] = field(default_factory=list)
    _request_weights: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.starts_on.year}–{self.ends_on.year}"

    @property
    def spring_end(self) -> date:
        """The last working day of the spring term: unused sessions are released after it."""
        return self.days[-1]

    def day_on_or_after(self, day: date) -> date | None:
        """The first term working day on or after ``day``; None after the spring term."""
        i = bisect.bisect_left(self._ordinals, day.toordinal())
        return self.days[i] if i < len(self.days) else None

    def day_on_or_before(self, day: date) -> date | None:
        i = bisect.bisect_right(self._ordinals, day.toordinal())
        return self.days[i - 1] if i else None

    def request_day(self, rng: random.Random) -> date:
        """A day staff ask for supervision: mostly early in each term."""
        return rng.choices(self.days, cum_weights=self._request_weights)[0]


def _term_days(starts_on: date) -> list[date]:
    autumn = (date(starts_on.year, 8, 11), date(starts_on.year, 12, 19))
    spring = (date(starts_on.year + 1, 1, 8), date(starts_on.year + 1, 6, 3))
    holidays = finnish_holidays(autumn[0], spring[1])
    days = []
    for first, last in (autumn, spring):
        day = first
        while day <= last:
            if day.weekday() < 5 and day not in holidays:
                days.append(day)
            day += timedelta(days=1)
    return days


def _request_weight(day: date) -> float:
    """Requests come early in the autumn, again after New Year, and dry up in May."""
    return {8: 4, 9: 3.5, 10: 2.5, 11: 2, 12: 0.6, 1: 2.5, 2: 2, 3: 1.5, 4: 0.8, 5: 0.3, 6: 0}.get(
        day.month, 0
    )


def school_years(today: date, count: int, first_id: int = 1) -> list[Year]:
    """The ``count`` school years ending with the one that contains ``today``."""
    current_start, _ = school_year_bounds(today)
    years = []
    for index in range(count):
        start = current_start.replace(year=current_start.year - (count - 1 - index))
        starts_on, ends_on = school_year_bounds(start)
        days = _term_days(starts_on)
        weights, total = [], 0.0
        for day in days:
            total += _request_weight(day)
            weights.append(total)
        years.append(
            Year(
                id=first_id + index,
                index=index,
                starts_on=starts_on,
                ends_on=ends_on,
                is_current=index == count - 1,
                days=days,
                _ordinals=[d.toordinal() for d in days],
                _request_weights=weights,
            )
        )
    return years


def session_hour(rng: random.Random) -> tuple[int, int]:
    hour = SESSION_HOURS(rng)
    return hour, 30 if hour in (8, 12) and rng.random() < 0.5 else 0


def at_office(day: date, rng: random.Random, earliest: int = 8, latest: int = 16) -> datetime:
    """A believable office-hours moment on ``day`` (for logging, approving, answering)."""
    return local(day, rng.randint(earliest, latest), rng.choice((0, 10, 20, 30, 40, 50)))
