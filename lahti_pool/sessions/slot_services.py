"""On-duty slots (the Vantaa model): publish, browse, book, cancel, wait.

Services take the acting user, change models, flush, and never commit. A slot is
claimed by one conditional UPDATE, so two people clicking at once cannot both book
it; quota and supervisor capacity change the same race-free way. Pre-question
answers are confidential: they are never put in a log line, an audit event or a
notification.
"""

import enum
import time as time_module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import format_date, format_datetime
from sqlalchemy import and_, exists, func, literal, or_, select, union_all, update
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget.guard import check_budget
from lahti_pool.budget.rules import division_weights, split_cents
from lahti_pool.budget.services import recompute_costs
from lahti_pool.core import audit, versions
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted, QuotaExceeded
from lahti_pool.core.mailer import notify_session_cancelled, notify_slot_booked
from lahti_pool.core.models import id_is, utcnow
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.requests.models import (
    PreQuestion,
    PreQuestionAnswer,
    RequestEvent,
    RequestKind,
    SupervisionRequest,
)
from lahti_pool.requests.quota import account_for, change_quota, school_year_for
from lahti_pool.requests.rules import QuotaOp, RequestStatus
from lahti_pool.sessions import slot_rules as rules
from lahti_pool.sessions.models import (
    ApprovalStatus,
    ProcessMember,
    ProcessStatus,
    SessionAttendance,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.sessions.services import count_supervisor_use
from lahti_pool.sessions.slots import (
    OnDutySlot,
    SlotStatus,
    SlotWatch,
    SupervisorAbsence,
    WatchStatus,
)
from lahti_pool.supervisors import capacity
from lahti_pool.supervisors.models import Supervisor, SupervisorKind, supervisor_conflicts

#: the allocation rule recorded on processes born from a booked slot
ON_DUTY_RULE = "on_duty"
#: at most this many clashing times are listed in the refusal
MAX_LISTED = 12


class SlotUnavailable(DomainError):
    """The slot is booked, withdrawn, offered to somebody else, or in the past."""


class AlreadyBooked(SlotUnavailable):
    """The actor booked this slot already (a double click, a second tab)."""


class CancelOutcome(enum.StrEnum):
    TIMELY = "timely"  #: the booker, in time: quota freed, the slot free again
    LATE = "late"  #: the booker, inside the window: the session counts as used
    BY_SUPERVISOR = "by_supervisor"  #: the supervisor or the administrator: all freed


@dataclass(frozen=True)
class SlotInput:
    on_date: date
    start_time: time
    mode: str


@dataclass(frozen=True)
class SlotFilters:
    day: date | None = None
    supervisor_id: int | None = None
    mode: str = ""
    language: str = ""


@dataclass(frozen=True)
class PublishResult:
    created: list[OnDutySlot]
    holidays: list[date]  #: days skipped as public holidays
    absences: list[date]  #: days skipped as the supervisor's absence


# --- Who may do what ---------------------------------------------------------------


def can_manage_slots(user: User, supervisor: Supervisor) -> bool:
    """The supervisor themselves, or the pool administrator."""
    return user.has_role(Role.ADMIN) or (
        supervisor.user_id == user.id and user.has_role(Role.SUPERVISOR)
    )


def can_view_booking(user: User, slot: OnDutySlot) -> bool:
    """The booker, the slot's supervisor and the administrator (never the answers: see below)."""
    return slot.booked_by_id == user.id or can_manage_slots(user, slot.supervisor)


#: the end of a booking by a cancellation, whoever made it
CANCELLED_STATUSES = (
    SessionStatus.CANCELLED,
    SessionStatus.LATE_CANCELLED,
    SessionStatus.CANCELLED_BY_SUPERVISOR,
)


def booking_already_cancelled(user: User, slot: OnDutySlot) -> bool:
    """Whether the booking the user would cancel is cancelled already (a second click).

    False while the slot holds a planned booking the user may see. Otherwise true if a
    booking of this slot was cancelled: one of the user's own, or, for the slot's
    supervisor and the administrator, anybody's. A timely cancellation clears the slot's
    booker, so this looks at the cancelled session itself.
    """
    may_manage = can_manage_slots(user, slot.supervisor)
    if slot.session_id is not None and (may_manage or slot.booked_by_id == user.id):
        live = db.session.get(SupervisionSession, slot.session_id)
        if live is not None and live.status == SessionStatus.PLANNED:
            return False
    cancelled = (
        select(SupervisionSession.id)
        .join(SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id)
        .where(
            SupervisionProcess.kind == RequestKind.ON_DUTY,
            SupervisionProcess.supervisor_id == slot.supervisor_id,
            SupervisionSession.starts_at == slot.starts_at,
            SupervisionSession.status.in_(CANCELLED_STATUSES),
        )
    )
    if not may_manage:
        cancelled = cancelled.join(
            SessionAttendance, SessionAttendance.session_id == SupervisionSession.id
        ).where(SessionAttendance.user_id == user.id)
    return db.session.scalar(cancelled.limit(1)) is not None


def booking_request(slot: OnDutySlot) -> SupervisionRequest | None:
    """The on-duty request behind a booked slot; its answers follow ``can_view_answers``."""
    if slot.session_id is None:
        return None
    sup_session = db.session.get(SupervisionSession, slot.session_id)
    return sup_session.process.request


def supervisor_of(user: User) -> Supervisor | None:
    return db.session.scalar(select(Supervisor).where(Supervisor.user_id == user.id))


def _check_manage(actor: User, supervisor: Supervisor) -> None:
    if not can_manage_slots(actor, supervisor):
        raise NotPermitted(
            N_("Only the supervisor or the pool administrator can change these slots.")
        )


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


def _create(supervisor: Supervisor, starts: list[datetime], mode: str) -> list[OnDutySlot]:
    # A withdrawn slot keeps its row (supervisor, start) unique: publish it again.
    withdrawn = {s.starts_at: s for s in _slots_near(supervisor.id, starts, live=False)}
    created = []
    for start in starts:
        slot = withdrawn.get(start) or OnDutySlot(supervisor_id=supervisor.id, starts_at=start)
        slot.on_date = rules.local_date(start)
        slot.mode, slot.duration_minutes, slot.status = mode, rules.SLOT_MINUTES, SlotStatus.OPEN
        slot.booked_by_id = slot.booked_at = slot.session_id = None
        slot.offered_to_id = slot.offer_expires_at = None
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
    _refuse_clashes(supervisor.id, starts)
    created = _create(supervisor, starts, pattern.mode)
    audit.record(actor, "slots.published", supervisor, count=len(created))
    return PublishResult(created, expansion.holidays, expansion.absences)


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


# --- Browsing -----------------------------------------------------------------------


def _free_for(user_id: int, now: datetime):
    """Open, in the future, and not offered to somebody else right now."""
    return and_(
        OnDutySlot.status == SlotStatus.OPEN,
        OnDutySlot.starts_at > now,
        or_(
            OnDutySlot.offered_to_id.is_(None),
            OnDutySlot.offered_to_id == user_id,
            OnDutySlot.offer_expires_at < now,
        ),
    )


def _with_supervisor():
    """Load each slot's supervisor and their name in the same query (not their roles)."""
    return joinedload(OnDutySlot.supervisor).joinedload(Supervisor.user).lazyload(User.role_rows)


def free_slots_query(user: User, filters: SlotFilters, now: datetime):
    """Slots the user could book now, soonest first (a select for pagination), as rows of
    the columns the lists show: id, starts_at, on_date, duration_minutes, mode,
    offered_to_id, the supervisor's name and languages.

    Leaves out the user's own slots and supervisors with a conflict of interest.
    """
    conflict = exists().where(
        supervisor_conflicts.c.supervisor_id == OnDutySlot.supervisor_id,
        supervisor_conflicts.c.unit_id == user.unit_id,
    )
    query = select(
        OnDutySlot.id,
        OnDutySlot.starts_at,
        OnDutySlot.on_date,
        OnDutySlot.duration_minutes,
        OnDutySlot.mode,
        OnDutySlot.offered_to_id,
        User.name,
        Supervisor.languages,
    ).select_from(OnDutySlot)
    query = (
        query.join(Supervisor, OnDutySlot.supervisor_id == Supervisor.id)
        .join(User, Supervisor.user_id == User.id)
        .where(_free_for(user.id, now), Supervisor.active, User.id != user.id, ~conflict)
        .order_by(OnDutySlot.starts_at, OnDutySlot.id)
    )
    if user.unit_id is not None:
        query = query.where(or_(User.unit_id.is_(None), User.unit_id != user.unit_id))
    if filters.day:
        query = query.where(OnDutySlot.on_date == filters.day)
    if filters.supervisor_id:  # an id no row has matches no slot
        query = query.where(id_is(OnDutySlot.supervisor_id, filters.supervisor_id))
    if filters.mode:
        query = query.where(OnDutySlot.mode == filters.mode)
    if filters.language:  # a JSON list: filter the handful of supervisors in Python
        speakers = [s.id for s in active_supervisors() if filters.language in s.languages]
        query = query.where(OnDutySlot.supervisor_id.in_(speakers))
    return query


def count_free_slots(user: User, filters: SlotFilters, now: datetime) -> int:
    """How many slots ``free_slots_query(user, filters, now)`` gives, without counting
    thousands of rows per request.

    The open slots not held for anybody are counted per supervisor in one GROUP BY,
    cached until a slot changes and by the minute (slots start on whole minutes, so
    "after this minute" is "after now"; lapsed offers are ended before browsing). Then
    per request: the supervisors this user may book (active, not themselves, not of
    their unit, no conflict of interest) and the slots held for them, in one statement.
    """
    at = now.replace(second=0, microsecond=0)
    per_supervisor = _free_counts(at, filters.day, filters.mode)
    mine = select(literal(1), OnDutySlot.supervisor_id).where(
        OnDutySlot.offered_to_id == user.id,
        OnDutySlot.status == SlotStatus.OPEN,
        OnDutySlot.starts_at > now,
        or_(OnDutySlot.offer_expires_at.is_(None), OnDutySlot.offer_expires_at >= now),
        *_slot_filters(filters),
    )
    if user.unit_id is not None:
        conflicts = select(literal(0), supervisor_conflicts.c.supervisor_id).where(
            supervisor_conflicts.c.unit_id == user.unit_id
        )
        mine = union_all(conflicts, mine)
    conflicted, held = set(), []
    for kind, supervisor_id in db.session.execute(mine):
        (held.append if kind else conflicted.add)(supervisor_id)
    own_id, own_unit = user.id, user.unit_id  # once: ``user`` is often a proxy
    bookable = {
        supervisor_id
        for supervisor_id, (user_id, unit_id) in _active_supervisor_users().items()
        if user_id != own_id
        and (own_unit is None or unit_id is None or unit_id != own_unit)
        and supervisor_id not in conflicted
    }
    if filters.supervisor_id:
        bookable &= {filters.supervisor_id}
    if filters.language:
        bookable &= {s.id for s in active_supervisors() if filters.language in s.languages}
    return sum(per_supervisor.get(s, 0) for s in bookable) + sum(s in bookable for s in held)


def _slot_filters(filters: SlotFilters) -> list:
    return [
        *([OnDutySlot.on_date == filters.day] if filters.day else []),
        *([OnDutySlot.mode == filters.mode] if filters.mode else []),
    ]


def _free_counts(at: datetime, day: date | None, mode: str) -> dict[int, int]:
    """Open slots after ``at`` and not held for anybody, by supervisor (cached)."""

    def load() -> dict[int, int]:
        rows = db.session.execute(
            select(OnDutySlot.supervisor_id, func.count())
            .where(
                OnDutySlot.status == SlotStatus.OPEN,
                OnDutySlot.starts_at > at,
                or_(OnDutySlot.offered_to_id.is_(None), OnDutySlot.offer_expires_at < at),
                *_slot_filters(SlotFilters(day=day, mode=mode)),
            )
            .group_by(OnDutySlot.supervisor_id)
        )
        return {supervisor_id: n for supervisor_id, n in rows}

    return versions.cached(("slots",), ("slots.free_counts", at, day, mode), load)


def _active_supervisor_users() -> dict[int, tuple[int, int | None]]:
    """Each active supervisor's user and that user's unit (cached like the names)."""

    def load() -> dict[int, tuple[int, int | None]]:
        rows = db.session.execute(
            select(Supervisor.id, User.id, User.unit_id)
            .join(User, Supervisor.user_id == User.id)
            .where(Supervisor.active)
        )
        return {supervisor_id: (user_id, unit_id) for supervisor_id, user_id, unit_id in rows}

    return versions.cached(("supervisors",), ("slots.active_supervisor_users",), load)


def next_free_slots(user: User, limit: int = 5) -> list:
    """The soonest slots the user could book, for the staff dashboard: rows of the
    columns ``free_slots_query`` gives (``id``, ``starts_at``, ``mode``,
    ``offered_to_id``, the supervisor's ``name``...), not ORM slots."""
    query = free_slots_query(user, SlotFilters(), utcnow()).limit(limit)
    return db.session.execute(query).all()


class SupervisorChoice(NamedTuple):
    """An active supervisor as the slot pages' choices and filters need them."""

    id: int
    name: str
    languages: tuple[str, ...]


def active_supervisors() -> list[SupervisorChoice]:
    """The active supervisors by name, for choices and filters.

    One query of three columns (hundreds of supervisors at city scale: no ORM objects),
    cached until a supervisor or a user changes (core/versions.py).
    """

    def load() -> list[SupervisorChoice]:
        rows = db.session.execute(
            select(Supervisor.id, User.name, Supervisor.languages)
            .join(User, Supervisor.user_id == User.id)
            .where(Supervisor.active)
            .order_by(User.name, Supervisor.id)
        )
        return [SupervisorChoice(i, name, tuple(langs or ())) for i, name, langs in rows]

    return versions.cached(("supervisors",), ("slots.active_supervisors",), load)


def supervisor_names(supervisor_ids: set[int]) -> dict[int, str]:
    """The names of these supervisors, active or not, in one query."""
    rows = db.session.execute(
        select(Supervisor.id, User.name)
        .join(User, Supervisor.user_id == User.id)
        .where(Supervisor.id.in_(supervisor_ids))
    )
    return {supervisor_id: name for supervisor_id, name in rows}


def my_bookings(user: User, now: datetime) -> list[OnDutySlot]:
    """The user's booked slots from the last 30 days on, soonest first."""
    return list(
        db.session.scalars(
            select(OnDutySlot)
            .where(
                OnDutySlot.booked_by_id == user.id,
                OnDutySlot.status == SlotStatus.BOOKED,
                OnDutySlot.starts_at > now - timedelta(days=30),
            )
            .options(_with_supervisor())
            .order_by(OnDutySlot.starts_at)
        )
    )


def my_offers(user: User, now: datetime) -> list[OnDutySlot]:
    """Freed slots held for the user from the waiting list."""
    return list(
        db.session.scalars(
            select(OnDutySlot)
            .where(
                OnDutySlot.offered_to_id == user.id,
                OnDutySlot.status == SlotStatus.OPEN,
                OnDutySlot.offer_expires_at > now,
            )
            .options(_with_supervisor())
            .order_by(OnDutySlot.starts_at)
        )
    )


def my_watches(user: User) -> list[SlotWatch]:
    return list(
        db.session.scalars(
            select(SlotWatch)
            .where(SlotWatch.user_id == user.id, SlotWatch.status == WatchStatus.WAITING)
            .order_by(SlotWatch.created_at)
        )
    )


def supervisor_slots(supervisor: Supervisor, now: datetime):
    """The supervisor's slots from today on (a select for pagination)."""
    return (
        select(OnDutySlot)
        .where(
            OnDutySlot.supervisor_id == supervisor.id,
            OnDutySlot.status != SlotStatus.WITHDRAWN,
            OnDutySlot.on_date >= rules.local_date(now),
        )
        .options(joinedload(OnDutySlot.booked_by).lazyload(User.role_rows))
        .order_by(OnDutySlot.starts_at)
    )


def upcoming_absences(supervisor: Supervisor, today: date) -> list[SupervisorAbsence]:
    return list(
        db.session.scalars(
            select(SupervisorAbsence)
            .where(
                SupervisorAbsence.supervisor_id == supervisor.id,
                SupervisorAbsence.ends_on >= today,
            )
            .order_by(SupervisorAbsence.starts_on)
        )
    )


# --- Booking ------------------------------------------------------------------------


def pre_questions() -> list[PreQuestion]:
    return list(db.session.scalars(select(PreQuestion).order_by(PreQuestion.position)))


def _check_can_book(actor: User, slot: OnDutySlot, now: datetime) -> None:
    """Clear messages first; the conditional UPDATE in ``_claim`` is what decides."""
    if not actor.has_role(Role.STAFF):
        raise NotPermitted(N_("Only staff members can book on-duty slots."))
    if slot.status == SlotStatus.BOOKED and slot.booked_by_id == actor.id:
        raise AlreadyBooked(N_("You have already booked this slot."))
    supervisor = slot.supervisor
    if supervisor.user_id == actor.id:
        raise DomainError(N_("This is your own slot."))
    if actor.unit_id is not None and actor.unit_id in supervisor.conflict_unit_ids():
        raise DomainError(
            N_("%(name)s cannot supervise staff of your unit; choose another supervisor."),
            name=supervisor.name,
        )
    if slot.starts_at <= now:
        raise SlotUnavailable(N_("This slot is in the past; choose a later one."))
    offered_elsewhere = (
        slot.offered_to_id not in (None, actor.id)
        and slot.offer_expires_at is not None
        and slot.offer_expires_at >= now
    )
    if slot.status == SlotStatus.WITHDRAWN or not supervisor.active:
        raise SlotUnavailable(N_("The supervisor has withdrawn this slot; choose another one."))
    if slot.status != SlotStatus.OPEN or offered_elsewhere:
        raise SlotUnavailable(N_("Somebody else has booked this slot; choose another one."))


def booking_problem(actor: User, slot: OnDutySlot, now: datetime) -> str | None:
    """Why the actor cannot book the slot now, for the booking page; None if they can."""
    try:
        _check_can_book(actor, slot, now)
    except DomainError as error:
        return error.message
    return None


def _claim(actor: User, slot: OnDutySlot, now: datetime) -> None:
    """One slot, one person: a conditional UPDATE, never a check followed by an insert."""
    condition = _free_for(actor.id, now)
    if current_app.config.get("TEST_UNSAFE_COUNT_THEN_WRITE"):
        # The classic bug, kept only as the concurrency tests' negative control.
        free = db.session.scalar(select(func.count()).where(OnDutySlot.id == slot.id, condition))
        time_module.sleep(0.002)
        condition = sa_true() if free else sa_false()
    claimed = db.session.execute(
        update(OnDutySlot)
        .where(OnDutySlot.id == slot.id, condition)
        .values(
            status=SlotStatus.BOOKED,
            booked_by_id=actor.id,
            booked_at=now,
            offered_to_id=None,
            offer_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise SlotUnavailable(
            N_("Somebody else booked this slot a moment ago; choose another one.")
        )
    db.session.refresh(slot)


def _answers(questions: list[PreQuestion], answers: dict[int, str], locale: str):
    missing = [q.position for q in questions if not answers.get(q.position, "").strip()]
    if missing:
        raise DomainError(
            N_("Answer the question, please: it helps the session start on the point."),
            field=f"answer_{missing[0]}",
        )
    return [
        PreQuestionAnswer(position=q.position, question=q.text(locale), answer=answers[q.position])
        for q in questions
    ]


def book_slot(
    actor: User, slot: OnDutySlot, answers: dict[int, str], now: datetime, locale: str = "fi"
) -> SupervisionSession:
    """Book the slot for the actor: confirmed at once, one session of their quota.

    Creates the on-duty request (with the confidential answers), its process with the
    frozen price and its planned session; refuses a taken or past slot, no quota left,
    no supervisor capacity, or a full budget (staff cannot override the budget).
    """
    _check_can_book(actor, slot, now)
    supervisor = slot.supervisor
    answer_rows = _answers(pre_questions(), answers, locale)
    year = school_year_for(slot.on_date)
    price = supervisor.price_individual_cents
    divisions = [actor.unit.division_id] if actor.unit is not None else []
    check_budget(actor, slot.on_date.year, split_cents(price, division_weights(divisions)))
    account = account_for(actor.id, year)
    _claim(actor, slot, now)
    try:
        change_quota(account, QuotaOp.BOOK)
    except QuotaExceeded as exc:
        raise QuotaExceeded(
            N_("You have no sessions left in the school year %(year)s."), year=year.label
        ) from exc
    capacity.reserve(supervisor.id, year, 1, process_place=False)
    sup_request = SupervisionRequest(
        kind=RequestKind.ON_DUTY,
        status=RequestStatus.ACCEPTED,
        requester_id=actor.id,
        school_year_id=year.id,
        sessions_requested=1,
        modes=[slot.mode],
        language=locale if locale in supervisor.languages else (supervisor.languages or ["fi"])[0],
        preferred_supervisor_id=supervisor.id,
        wanted_from=slot.on_date,
        answers=answer_rows,
        events=[
            RequestEvent(
                actor_id=actor.id, to_status=RequestStatus.ACCEPTED, reason="on-duty slot booked"
            )
        ],
    )
    db.session.add(sup_request)
    db.session.flush()
    vat = supervisor.agreement.vat_percent if supervisor.agreement else 0
    process = SupervisionProcess(
        request_id=sup_request.id,
        supervisor_id=supervisor.id,
        school_year_id=year.id,
        kind=RequestKind.ON_DUTY,
        sessions_granted=1,
        price_cents=price,
        vat_percent=vat if supervisor.kind == SupervisorKind.CONTRACTED else 0,
        accepted_by_id=actor.id,
        rule=ON_DUTY_RULE,
        grounds=[],
        members=[ProcessMember(user_id=actor.id, request_id=sup_request.id)],
    )
    sup_session = SupervisionSession(
        process=process,
        starts_at=slot.starts_at,
        on_date=slot.on_date,
        duration_minutes=slot.duration_minutes,
        mode=slot.mode,
        status=SessionStatus.PLANNED,
        price_cents=price,
        attendance=[SessionAttendance(user_id=actor.id)],
    )
    db.session.add_all([process, sup_session])
    db.session.flush()
    recompute_costs(sup_session)
    slot.session_id = sup_session.id
    _close_watches(actor.id, slot, WatchStatus.FULFILLED)
    notify(
        supervisor.user_id,
        NotificationKind.SLOT_BOOKED,
        process,
        client=actor.name,
        starts_at=slot.starts_at.isoformat(),
    )
    audit.record(actor, "slot.booked", slot, process_id=process.id, session_id=sup_session.id)
    db.session.flush()
    notify_slot_booked(slot)  # the confirmation with the calendar invitation
    return sup_session


# --- Cancelling ---------------------------------------------------------------------


def cancellation_window_hours() -> int:
    return current_app.config.get("CANCELLATION_WINDOW_HOURS", 24)


def cancel_outcome(actor: User, slot: OnDutySlot, now: datetime) -> CancelOutcome:
    """What cancelling now would mean, for the confirmation page and the service."""
    if actor.id != slot.booked_by_id:
        return CancelOutcome.BY_SUPERVISOR
    late = rules.is_late_cancellation(slot.starts_at, now, cancellation_window_hours())
    return CancelOutcome.LATE if late else CancelOutcome.TIMELY


_SESSION_STATUS = {
    CancelOutcome.TIMELY: SessionStatus.CANCELLED,
    CancelOutcome.LATE: SessionStatus.LATE_CANCELLED,
    CancelOutcome.BY_SUPERVISOR: SessionStatus.CANCELLED_BY_SUPERVISOR,
}


def _end_session(sup_session: SupervisionSession, status: SessionStatus) -> None:
    """Planned → ``status`` once only: a second, concurrent cancel matches no row."""
    moved = db.session.execute(
        update(SupervisionSession)
        .where(
            SupervisionSession.id == sup_session.id,
            SupervisionSession.status == SessionStatus.PLANNED,
        )
        .values(status=status, ical_sequence=SupervisionSession.ical_sequence + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise InvalidTransition(N_("This booking has already been cancelled."))
    db.session.refresh(sup_session)


def cancel_booking(actor: User, slot: OnDutySlot, now: datetime) -> CancelOutcome:
    """Cancel a booked slot (DOMAIN.md "Quota").

    The booker in time: the quota and capacity are freed and the slot is free again
    (offered first to the waiting list). The booker late: the session counts as used
    and the slot stays taken. The supervisor or the administrator: everything is freed
    and the slot is withdrawn.
    """
    if actor.id != slot.booked_by_id and not can_manage_slots(actor, slot.supervisor):
        raise NotPermitted(N_("Only the person who booked the slot or its supervisor can cancel."))
    sup_session = db.session.get(SupervisionSession, slot.session_id) if slot.session_id else None
    if slot.status != SlotStatus.BOOKED or sup_session is None:
        raise InvalidTransition(N_("This booking has already been cancelled."))
    rules.check_cancellable(slot.starts_at, now)
    outcome = cancel_outcome(actor, slot, now)
    _end_session(sup_session, _SESSION_STATUS[outcome])
    process, booker = sup_session.process, slot.booked_by
    change_quota(
        account_for(booker.id, process.school_year),
        QuotaOp.USE if outcome == CancelOutcome.LATE else QuotaOp.UNBOOK,
    )
    if outcome == CancelOutcome.LATE:
        # Known at once, so logged for the administrator's approval like a no-show; the
        # supervisor's session counts as used, as a late cancellation of any session does.
        sup_session.approval, sup_session.logged_at = ApprovalStatus.PENDING, now
        count_supervisor_use(process, 1)
    else:
        capacity.release(slot.supervisor_id, process.school_year, 1, end_process=False)
    process.status, process.closed_at, process.closed_by_id = ProcessStatus.CLOSED, now, actor.id
    recompute_costs(sup_session)
    sup_session.ical_sequence += 1
    notify_session_cancelled(sup_session)
    notify(
        booker.id if outcome == CancelOutcome.BY_SUPERVISOR else slot.supervisor.user_id,
        NotificationKind.SLOT_CANCELLED,
        process,
        who=slot.supervisor.name if outcome == CancelOutcome.BY_SUPERVISOR else booker.name,
        starts_at=slot.starts_at.isoformat(),
    )
    audit.record(actor, "slot.cancelled", slot, outcome=str(outcome), session_id=sup_session.id)
    if outcome != CancelOutcome.LATE:
        timely = outcome == CancelOutcome.TIMELY
        slot.status = SlotStatus.OPEN if timely else SlotStatus.WITHDRAWN
        slot.booked_by_id = slot.booked_at = slot.session_id = None
        db.session.flush()
        if timely:
            _offer_to_next(slot, now, exclude={booker.id})
    db.session.flush()
    return outcome


# --- The waiting list ---------------------------------------------------------------


def _matching_watches(slot: OnDutySlot):
    return and_(
        SlotWatch.status == WatchStatus.WAITING,
        or_(SlotWatch.on_date.is_(None), SlotWatch.on_date == slot.on_date),
        or_(SlotWatch.supervisor_id.is_(None), SlotWatch.supervisor_id == slot.supervisor_id),
    )


def _close_watches(user_id: int, slot: OnDutySlot, status: WatchStatus) -> None:
    db.session.execute(
        update(SlotWatch)
        .where(SlotWatch.user_id == user_id, _matching_watches(slot))
        .values(status=status)
        .execution_options(synchronize_session=False)
    )


def add_watch(
    actor: User, on_date: date | None, supervisor_id: int | None, today: date
) -> SlotWatch:
    """Ask to be offered a slot that frees up on a day, with a supervisor, or both."""
    if not actor.has_role(Role.STAFF):
        raise NotPermitted(N_("Only staff members can book on-duty slots."))
    rules.check_watch(on_date, supervisor_id, today)
    if supervisor_id is not None:
        supervisor = db.session.get(Supervisor, supervisor_id)
        if supervisor is None or not supervisor.active:
            raise DomainError(N_("Choose a supervisor from the list."), field="supervisor")
    duplicate = db.session.scalar(
        select(SlotWatch).where(
            SlotWatch.user_id == actor.id,
            SlotWatch.status == WatchStatus.WAITING,
            SlotWatch.on_date.is_(None) if on_date is None else SlotWatch.on_date == on_date,
            SlotWatch.supervisor_id.is_(None)
            if supervisor_id is None
            else SlotWatch.supervisor_id == supervisor_id,
        )
    )
    if duplicate is not None:
        raise DomainError(N_("You are already on the waiting list for this."), field="on_date")
    watch = SlotWatch(user_id=actor.id, on_date=on_date, supervisor_id=supervisor_id)
    db.session.add(watch)
    db.session.flush()
    return watch


def cancel_watch(actor: User, watch: SlotWatch) -> None:
    if watch.user_id != actor.id:
        raise NotPermitted(N_("This is not your place on the waiting list."))
    if watch.status != WatchStatus.WAITING:
        raise InvalidTransition(N_("You are no longer on the waiting list for this."))
    watch.status = WatchStatus.CANCELLED
    db.session.flush()


def _could_book(user: User, slot: OnDutySlot) -> bool:
    if not (user.is_active and user.has_role(Role.STAFF)):
        return False
    if user.unit_id is not None and user.unit_id in slot.supervisor.conflict_unit_ids():
        return False
    return account_for(user.id, school_year_for(slot.on_date)).state().available >= 1


def _offer_to_next(slot: OnDutySlot, now: datetime, exclude: set[int]) -> int | None:
    """Hold a freed slot for the longest-waiting matching person; returns their id."""
    if slot.starts_at <= now:
        return None
    holding_offer = exists().where(
        OnDutySlot.offered_to_id == SlotWatch.user_id, OnDutySlot.offer_expires_at > now
    )
    waiting = db.session.scalars(
        select(SlotWatch)
        .where(
            _matching_watches(slot),
            SlotWatch.user_id.not_in(exclude | {slot.supervisor.user_id}),
            ~holding_offer,
        )
        .order_by(SlotWatch.created_at, SlotWatch.id)
    ).all()
    hours = current_app.config.get("SLOT_OFFER_HOURS", 2)
    for watch in waiting:
        if not _could_book(watch.user, slot):
            continue
        until = rules.offer_expiry(now, hours, slot.starts_at)
        offered = db.session.execute(
            update(OnDutySlot)
            .where(
                OnDutySlot.id == slot.id,
                OnDutySlot.status == SlotStatus.OPEN,
                or_(OnDutySlot.offered_to_id.is_(None), OnDutySlot.offer_expires_at <= now),
            )
            .values(offered_to_id=watch.user_id, offer_expires_at=until)
            .execution_options(synchronize_session=False)
        ).rowcount
        if offered != 1:
            return None
        db.session.refresh(slot)
        notify(
            watch.user_id,
            NotificationKind.SLOT_OFFERED,
            slot,
            supervisor=slot.supervisor.name,
            starts_at=slot.starts_at.isoformat(),
            until=until.isoformat(),
        )
        audit.record(None, "slot.offered", slot, user_id=watch.user_id)
        return watch.user_id
    return None


def expire_offers(now: datetime) -> int:
    """End lapsed waiting-list offers and pass each slot on to the next person waiting.

    The person whose offer lapsed leaves the waiting list for it (one offer each), so
    a slot cannot bounce between two people until it starts. Returns the offers ended.
    """
    lapsed = db.session.scalars(
        select(OnDutySlot).where(
            OnDutySlot.status == SlotStatus.OPEN,
            OnDutySlot.offered_to_id.is_not(None),
            OnDutySlot.offer_expires_at <= now,
        )
    ).all()
    ended = 0
    for slot in lapsed:
        user_id = slot.offered_to_id
        cleared = db.session.execute(
            update(OnDutySlot)
            .where(
                OnDutySlot.id == slot.id,
                OnDutySlot.status == SlotStatus.OPEN,
                OnDutySlot.offered_to_id == user_id,
                OnDutySlot.offer_expires_at <= now,
            )
            .values(offered_to_id=None, offer_expires_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if cleared != 1:  # a concurrent run or a booking got there first
            continue
        db.session.refresh(slot)
        _close_watches(user_id, slot, WatchStatus.CANCELLED)
        notify(
            user_id, NotificationKind.SLOT_OFFER_EXPIRED, slot, starts_at=slot.starts_at.isoformat()
        )
        _offer_to_next(slot, now, exclude={user_id})
        ended += 1
    db.session.flush()
    return ended
