"""What every step of one school year's simulation shares: the city, the clock, counters."""

import random
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lahti_dev.scale.calendar import Year, local
from lahti_dev.scale.city import City
from lahti_dev.scale.params import QUOTA, Scale
from lahti_dev.scale.writer import BulkWriter, Ids


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def statement_sent_at(year: int, month: int) -> datetime:
    """A month's statements are sent on the 6th of the next month."""
    y, m = next_month(year, month)
    return local(date(y, m, 6), 10)


def last_sent_month(today: date) -> tuple[int, int]:
    """The latest month whose statements were sent before ``today``."""
    y, m = today.year, today.month
    while True:
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        if statement_sent_at(y, m).date() < today:
            return y, m


@dataclass
class Run:
    """The whole load: the city, the clock and what crosses school years."""

    rng: random.Random
    city: City
    writer: BulkWriter
    ids: Ids
    today: date
    scale: Scale
    #: generated timestamps all lie before this moment (07:00 local on ``today``)
    now: datetime = field(init=False)
    #: budget use per (fiscal year, division id), in cents: committed and spent
    costs: Counter = field(default_factory=Counter)
    #: each person's latest supervisor (for "continue with my previous supervisor")
    previous: dict[int, int] = field(default_factory=dict)
    #: the month of the latest sent statements; later months are drafts or open
    sent_until: tuple[int, int] = field(init=False)
    #: the current queue's proposals: their cost, and how many per supervisor
    queue_cents: int = 0
    proposed: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.now = local(self.today, 7)
        self.sent_until = last_sent_month(self.today)

    def admin(self) -> int:
        return self.rng.choice(self.city.admins)


@dataclass
class YearState:
    """One school year's quota counters (by user id) and each supervisor's free capacity."""

    run: Run
    year: Year
    room: bytearray = field(init=False)  #: sessions a person may still ask for
    pending: array = field(init=False)
    reserved: array = field(init=False)
    used: array = field(init=False)
    touched: bytearray = field(init=False)  #: the person has a quota account this year
    free: dict[int, int] = field(default_factory=dict)  #: supervisor id -> free sessions
    #: the supervisors' batches of the year, by supervisor id
    batches: dict = field(default_factory=dict)
    #: Lahti-fallback group offers: (offer row, [(request id, response, responded at)])
    offers: list = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.run.city.user_unit)
        self.room = bytearray([QUOTA]) * n
        self.pending = array("H", bytes(2 * n))
        self.reserved = array("H", bytes(2 * n))
        self.used = array("H", bytes(2 * n))
        self.touched = bytearray(n)

    @property
    def rng(self) -> random.Random:
        return self.run.rng

    def take_room(self, user_id: int, n: int) -> None:
        self.room[user_id] -= n
        self.touched[user_id] = 1

    def office_time(self, day: date, earliest: int = 8, latest: int = 16) -> datetime:
        """An office-hours moment on ``day``, never after the load's ``now``."""
        moment = local(day, self.rng.randint(earliest, latest), self.rng.choice((0, 15, 30, 45)))
        return min(moment, self.run.now - timedelta(minutes=self.rng.randint(5, 600)))

    def after(self, moment: datetime, hours: tuple[float, float]) -> datetime:
        """A moment some hours after ``moment``, before ``now``."""
        later = moment + timedelta(hours=self.rng.uniform(*hours))
        return min(later, self.run.now - timedelta(minutes=self.rng.randint(5, 60)))
