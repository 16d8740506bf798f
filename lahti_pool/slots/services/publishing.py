"""Publishing on-duty slots: one slot, a weekly pattern, withdrawing, absences."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, format_datetime
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition
from lahti_pool.extensions import db
from lahti_pool.sessions import overlaps
from lahti_pool.slots import rules
from lahti_pool.slots.models import (
    OnDutySlot,
    PublishedPattern,
    SlotStatus,
    SupervisorAbsence,
)
from lahti_pool.slots.services.access import _check_manage
from lahti_pool.supervisors.models import Supervisor

#: at most this many clashing times are listed in the refusal
MAX_LISTED = 12


@dataclass(frozen=True)
class SlotInput:
    on_date: date
    start_time: time
    mode: str


@dataclass(frozen=True)
class PublishResult:
    created: list[OnDutySlot]
    holidays: list[date]  #: days skipped as public holidays
    absences: list[date]  #: days skipped as the supervisor's absence


# --- Publishing ---------------------------------------------------------------------


def _absences(supervisor_id: int, first: date, last: date) -> list[tuple[date, date]]:
    rows = db.session.execute(
        select(SupervisorAbsence.starts_on, SupervisorAbsence.ends_on).where(
            SupervisorAbsence.supervisor_id == supervisor_id,
            SupervisorAbsence.starts_on <= last,
            SupervisorAbsence.ends_on >= first,
        )
    )
    return [(s, e) for s, e in rows]


def _slots_near(supervisor_id: int, starts: list[datetime], live: bool) -> list[OnDutySlot]:
    """The supervisor's slots within an hour of ``starts``; live ones or withdrawn ones."""
    length = timedelta(minutes=rules.SLOT_MINUTES)
    status = OnDutySlot.status != SlotStatus.WITHDRAWN
    return db.session.scalars(
        select(OnDutySlot).where(
            OnDutySlot.supervisor_id == supervisor_id,
            status if live else ~status,
            OnDutySlot.starts_at > min(starts) - length,
            OnDutySlot.starts_at < max(starts) + length,
        )
    ).all()


def _refuse_clashes(supervisor_id: int, starts: list[datetime]) -> None:
    existing = [s.starts_at for s in _slots_near(supervisor_id, starts, live=True)]
    clashing = rules.clashes(starts, existing)
    if clashing:
        listed = [format_datetime(s, "short") for s in clashing[:MAX_LISTED]]
        if len(clashing) > MAX_LISTED:
            listed.append("…")
        raise DomainError(
            N_(
                "These times overlap slots already published: %(times)s. "
                "Nothing was created; change the times or the dates."
            ),
            field="times",
            times=", ".join(listed),
        )


def _create(
    supervisor: Supervisor,
    starts: list[datetime],
    mode: str,
    pattern: PublishedPattern | None = None,
) -> list[OnDutySlot]:
    # A withdrawn slot keeps its row (supervisor, start) unique: publish it again.
    withdrawn = {s.starts_at: s for s in _slots_near(supervisor.id, starts, live=False)}
    created = []
    for start in starts:
        slot = withdrawn.get(start) or OnDutySlot(supervisor_id=supervisor.id, starts_at=start)
        slot.on_date = rules.local_date(start)
        slot.mode, slot.duration_minutes, slot.status = mode, rules.SLOT_MINUTES, SlotStatus.OPEN
        slot.booked_by_id = slot.booked_at = slot.session_id = None
        slot.offered_to_id = slot.offer_expires_at = None
        slot.pattern_id = pattern.id if pattern is not None else None
        db.session.add(slot)
        created.append(slot)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another tab published the same time just now
        raise DomainError(
            N_("Some of these slots were published just now; reload the page.")
        ) from exc
    return created


def _check_publisher(
    actor: User, supervisor: Supervisor, mode: str, first: date, last: date, field: str
) -> None:
    _check_manage(actor, supervisor)
    if not supervisor.active:
        raise DomainError(N_("An inactive supervisor cannot publish slots."))
    if not (supervisor.contract_valid_on(first) and supervisor.contract_valid_on(last)):
        raise DomainError(N_("The supervisor's contract does not cover these dates."), field=field)
    rules.check_mode(mode, supervisor.modes)


def publish_slot(actor: User, supervisor: Supervisor, data: SlotInput, now: datetime) -> OnDutySlot:
    """Publish one one-hour slot; refused during an absence or over another slot."""
    _check_publisher(actor, supervisor, data.mode, data.on_date, data.on_date, "on_date")
    start = rules.local_start(data.on_date, data.start_time)
    rules.check_future(start, now)
    if rules.in_absence(data.on_date, _absences(supervisor.id, data.on_date, data.on_date)):
        raise DomainError(N_("The supervisor is marked absent on this day."), field="on_date")
    _refuse_clashes(supervisor.id, [start])
    (slot,) = _create(supervisor, [start], data.mode)
    audit.record(actor, "slots.published", supervisor, count=1)
    return slot


def publish_pattern(
    actor: User, supervisor: Supervisor, pattern: rules.SlotPattern, now: datetime
) -> PublishResult:
    """Publish a weekly pattern, skipping public holidays and absences; all or nothing."""
    _check_publisher(
        actor, supervisor, pattern.mode, pattern.first_day, pattern.last_day, "last_day"
    )
    rules.check_pattern(pattern, rules.local_date(now))
    expansion = rules.expand_pattern(
        pattern,
        rules.finnish_holidays(pattern.first_day, pattern.last_day),
        _absences(supervisor.id, pattern.first_day, pattern.last_day),
    )
    starts = [s for s in expansion.starts if s > now]
    if not starts:
        raise DomainError(
            N_("The pattern gives no slots: every chosen day is past, a holiday or an absence."),
            field="weekdays",
        )
    rules.check_pattern_size(len(starts))
    _refuse_clashes(supervisor.id, starts)
    published = PublishedPattern(
        supervisor_id=supervisor.id,
        first_day=pattern.first_day,
        last_day=pattern.last_day,
        weekdays=",".join(str(d) for d in sorted(pattern.weekdays)),
        times=",".join(t.strftime("%H:%M") for t in sorted(pattern.times)),
        mode=pattern.mode,
        created_by_id=actor.id,
    )
    db.session.add(published)
    db.session.flush()
    created = _create(supervisor, starts, pattern.mode, published)
    audit.record(actor, "slots.published", supervisor, count=len(created), pattern=published.id)
    return PublishResult(created, expansion.holidays, expansion.absences)


@dataclass(frozen=True)
class PatternWithdrawal:
    withdrawn: int  #: open slots taken back
    booked: int  #: booked slots left in place (cancel them one by one)


def withdraw_pattern(actor: User, pattern: PublishedPattern, now: datetime) -> PatternWithdrawal:
    """Take back every coming open slot of a weekly pattern in one action; booked slots
    stay (their bookings are cancelled one by one, which tells the person)."""
    _check_manage(actor, pattern.supervisor)
    coming = (OnDutySlot.pattern_id == pattern.id, OnDutySlot.starts_at > now)
    withdrawn = db.session.execute(
        update(OnDutySlot)
        .where(*coming, OnDutySlot.status == SlotStatus.OPEN, OnDutySlot.booked_by_id.is_(None))
        .values(status=SlotStatus.WITHDRAWN, offered_to_id=None, offer_expires_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    booked = db.session.scalar(
        select(func.count())
        .select_from(OnDutySlot)
        .where(*coming, OnDutySlot.status == SlotStatus.BOOKED)
    )
    if not withdrawn:
        raise InvalidTransition(N_("This pattern has no open slots left to withdraw."))
    audit.record(actor, "slots.pattern_withdrawn", pattern, count=withdrawn)
    return PatternWithdrawal(withdrawn, booked)


def coming_patterns(supervisor: Supervisor, now: datetime) -> list[tuple[PublishedPattern, int]]:
    """The supervisor's patterns that still have coming open slots, with their number."""
    open_slots = func.count(OnDutySlot.id)
    rows = db.session.execute(
        select(PublishedPattern, open_slots)
        .join(OnDutySlot, OnDutySlot.pattern_id == PublishedPattern.id)
        .where(
            PublishedPattern.supervisor_id == supervisor.id,
            OnDutySlot.status == SlotStatus.OPEN,
            OnDutySlot.starts_at > now,
        )
        .group_by(PublishedPattern.id)
        .order_by(PublishedPattern.first_day, PublishedPattern.id)
        .limit(50)
    )
    return [(pattern, n) for pattern, n in rows]


def withdraw_slot(actor: User, slot: OnDutySlot) -> None:
    """Take back a slot nobody has booked."""
    _check_manage(actor, slot.supervisor)
    done = db.session.execute(
        update(OnDutySlot)
        .where(
            OnDutySlot.id == slot.id,
            OnDutySlot.status == SlotStatus.OPEN,
            OnDutySlot.booked_by_id.is_(None),
        )
        .values(status=SlotStatus.WITHDRAWN, offered_to_id=None, offer_expires_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(
            N_("This slot is booked or already withdrawn; cancel the booking instead.")
        )
    db.session.refresh(slot)
    audit.record(actor, "slot.withdrawn", slot)


def _refuse_overlapping_absence(
    supervisor_id: int, starts_on: date, ends_on: date, but: int | None = None
) -> None:
    query = select(SupervisorAbsence).where(
        SupervisorAbsence.supervisor_id == supervisor_id,
        SupervisorAbsence.starts_on <= ends_on,
        SupervisorAbsence.ends_on >= starts_on,
    )
    if but is not None:
        query = query.where(SupervisorAbsence.id != but)
    clash = db.session.scalar(query.order_by(SupervisorAbsence.starts_on).limit(1))
    if clash is not None:
        raise DomainError(
            N_(
                "This overlaps an absence already saved, %(start)s – %(end)s. "
                "Change the dates, or leave out the days already saved."
            ),
            field="starts_on",
            start=format_date(clash.starts_on, "short"),
            end=format_date(clash.ends_on, "short"),
        )


def refuse_booked_days(supervisor_id: int, starts_on: date, ends_on: date) -> None:
    """An absence may not cover booked slots or planned sessions: they are moved or
    cancelled first, so that nobody waits for a supervisor who is away."""
    planned = overlaps.sessions_on_days(supervisor_id, starts_on, ends_on)
    if planned:
        raise DomainError(
            N_(
                "You have booked slots or planned sessions on these days: %(sessions)s. "
                "Move or cancel them first, then save the absence."
            ),
            field="starts_on",
            sessions=overlaps.listing(planned),
        )


def add_absence(
    actor: User, supervisor: Supervisor, starts_on: date, ends_on: date, today: date
) -> int:
    """Record days away; returns how many open slots fall on them (left for the supervisor).

    An absence overlapping one already recorded is refused (a double click would
    otherwise save it twice). Race-free: the supervisor's row is locked first on
    PostgreSQL, and on SQLite the new row's write waits for any other writer, so the
    check after it sees an absence a concurrent request saved.
    """
    _check_manage(actor, supervisor)
    rules.check_absence(starts_on, ends_on, today)
    _refuse_overlapping_absence(supervisor.id, starts_on, ends_on)  # the usual case
    db.session.execute(
        select(Supervisor.id).where(Supervisor.id == supervisor.id).with_for_update(key_share=True)
    )
    refuse_booked_days(supervisor.id, starts_on, ends_on)
    absence = SupervisorAbsence(supervisor_id=supervisor.id, starts_on=starts_on, ends_on=ends_on)
    db.session.add(absence)
    db.session.flush()
    _refuse_overlapping_absence(supervisor.id, starts_on, ends_on, but=absence.id)
    audit.record(actor, "supervisor.absence_added", supervisor)
    db.session.flush()
    return db.session.scalar(
        select(func.count())
        .select_from(OnDutySlot)
        .where(
            OnDutySlot.supervisor_id == supervisor.id,
            OnDutySlot.status == SlotStatus.OPEN,
            OnDutySlot.on_date.between(starts_on, ends_on),
        )
    )
