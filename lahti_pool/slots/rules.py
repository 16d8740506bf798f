"""On-duty slot rules (DOMAIN.md, "Vantaa, the on-duty supervisor" and "Quota").

Pure: plain values in, values out, or a DomainError. Times are aware datetimes in
UTC; what people type and read is Europe/Helsinki local time.
"""

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from lahti_pool.core.errors import N_, DomainError
from lahti_pool.sessions.rules import LOCAL_TZ, local_date, local_to_utc  # noqa: F401

HELSINKI = LOCAL_TZ
SLOT_MINUTES = 60
#: on-duty sessions are remote: a video meeting or a phone call (the Vantaa model)
SLOT_MODES = ("video", "phone")
#: a weekly pattern covers at most this many days, so one click cannot flood the calendar
MAX_PATTERN_DAYS = 366
#: and publishes at most this many slots (every hour of a year was 8,400 in one request)
MAX_PATTERN_SLOTS = 200
#: a pattern's slots start within working hours, local time (the last one ends by 20:00).
#: Slots are kept in Finnish wall-clock time: 9:00 is 9:00 on both sides of a change of
#: the clocks. Finland changes them at night (03:00 becomes 04:00 on the last Sunday of
#: March, 04:00 becomes 03:00 on the last Sunday of October), so within these hours no
#: slot ever falls in a skipped or a repeated hour.
FIRST_START, LAST_START = time(7), time(19)

# One definition of local time for sessions and slots alike.
local_start = local_to_utc


def finnish_holidays(first: date, last: date) -> dict[date, str]:
    """Finnish public holidays between ``first`` and ``last``, with their names."""
    import holidays  # loaded when slots are published, not in every worker

    years = range(first.year, last.year + 1)
    return {
        day: name
        for day, name in holidays.country_holidays("FI", years=years).items()
        if first <= day <= last
    }


def in_absence(day: date, absences: Iterable[tuple[date, date]]) -> bool:
    return any(starts <= day <= ends for starts, ends in absences)


# --- Publishing -------------------------------------------------------------------


@dataclass(frozen=True)
class SlotPattern:
    """Weekly slots: on these weekdays (0 = Monday), at these local times, in a date range."""

    first_day: date
    last_day: date
    weekdays: frozenset[int]
    times: tuple[time, ...]
    mode: str


@dataclass(frozen=True)
class PatternExpansion:
    starts: list[datetime]  #: UTC start of every slot to create, in order
    holidays: list[date] = field(default_factory=list)  #: days skipped as public holidays
    absences: list[date] = field(default_factory=list)  #: days skipped as the supervisor's absence


def check_mode(mode: str, supervisor_modes: Iterable[str]) -> None:
    if mode not in SLOT_MODES:
        raise DomainError(N_("On-duty slots are by video or by phone."), field="mode")
    if mode not in supervisor_modes:
        raise DomainError(N_("The supervisor does not work in this mode."), field="mode")


def check_future(starts_at: datetime, now: datetime, field: str = "on_date") -> None:
    if starts_at <= now:
        raise DomainError(N_("Choose a time in the future."), field=field)


def check_pattern(pattern: SlotPattern, today: date) -> None:
    """The shape of a pattern: a range from today on, weekdays, times an hour apart."""
    if pattern.first_day < today:
        raise DomainError(N_("Start from today or a later day."), field="first_day")
    if pattern.last_day < pattern.first_day:
        raise DomainError(N_("The last day cannot be before the first day."), field="last_day")
    if (pattern.last_day - pattern.first_day).days >= MAX_PATTERN_DAYS:
        raise DomainError(
            N_("A pattern covers at most %(days)s days."), field="last_day", days=MAX_PATTERN_DAYS
        )
    if not pattern.weekdays or not pattern.weekdays <= set(range(7)):
        raise DomainError(N_("Choose at least one weekday."), field="weekdays")
    if not pattern.times:
        raise DomainError(N_("Give at least one time."), field="times")
    if any(not FIRST_START <= t <= LAST_START for t in pattern.times):
        raise DomainError(
            N_(
                "Slots of a weekly pattern start between %(first)s and %(last)s (Finnish "
                "time); publish a slot at another hour one by one."
            ),
            field="times",
            first=FIRST_START,
            last=LAST_START,
        )
    minutes = sorted(t.hour * 60 + t.minute for t in pattern.times)
    if any(b - a < SLOT_MINUTES for a, b in zip(minutes, minutes[1:], strict=False)):
        raise DomainError(
            N_("The times must be at least an hour apart; each slot lasts an hour."),
            field="times",
        )


def expand_pattern(
    pattern: SlotPattern,
    public_holidays: Container[date],
    absences: Iterable[tuple[date, date]] = (),
) -> PatternExpansion:
    """Every slot of the pattern, skipping public holidays and the supervisor's absences."""
    absences = list(absences)
    starts, skipped_holidays, skipped_absences = [], [], []
    day = pattern.first_day
    while day <= pattern.last_day:
        if day.weekday() in pattern.weekdays:
            if day in public_holidays:
                skipped_holidays.append(day)
            elif in_absence(day, absences):
                skipped_absences.append(day)
            else:
                starts.extend(local_start(day, t) for t in sorted(pattern.times))
        day += timedelta(days=1)
    return PatternExpansion(starts, skipped_holidays, skipped_absences)


def check_pattern_size(slots: int) -> None:
    """One pattern publishes at most MAX_PATTERN_SLOTS slots."""
    if slots > MAX_PATTERN_SLOTS:
        raise DomainError(
            N_(
                "This pattern would publish %(n)s slots; one pattern publishes at most "
                "%(max)s. Choose fewer days, weekdays or times, or publish in parts."
            ),
            field="last_day",
            n=slots,
            max=MAX_PATTERN_SLOTS,
        )


def clashes(new: Iterable[datetime], existing: Iterable[datetime]) -> list[datetime]:
    """The new one-hour slots that overlap an existing one-hour slot."""
    taken = sorted(existing)
    length = timedelta(minutes=SLOT_MINUTES)
    return [s for s in new if any(abs(s - e) < length for e in taken)]


def check_absence(starts_on: date, ends_on: date, today: date) -> None:
    if ends_on < starts_on:
        raise DomainError(N_("The last day cannot be before the first day."), field="ends_on")
    if ends_on < today:
        raise DomainError(N_("The absence is already over."), field="ends_on")


# --- Booking and cancelling -----------------------------------------------------------


def is_late_cancellation(starts_at: datetime, now: datetime, window_hours: int) -> bool:
    """Cancelling inside the window uses the session (DOMAIN.md "Quota")."""
    return starts_at - now < timedelta(hours=window_hours)


def check_cancellable(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise DomainError(N_("The session has already started; it can no longer be cancelled."))


def offer_expiry(now: datetime, hours: int, starts_at: datetime) -> datetime:
    """A waiting-list offer lasts ``hours``, but never beyond the slot's start."""
    return min(now + timedelta(hours=hours), starts_at)


def check_watch(on_date: date | None, supervisor_id: int | None, today: date) -> None:
    if on_date is None and supervisor_id is None:
        raise DomainError(N_("Choose a day, a supervisor, or both."), field="on_date")
    if on_date is not None and on_date < today:
        raise DomainError(N_("Choose today or a later day."), field="on_date")


def week_start(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
