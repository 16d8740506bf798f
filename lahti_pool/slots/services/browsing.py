"""Browsing on-duty slots: what a person could book, and each person's own lists."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from lahti_pool.accounts.models import User
from lahti_pool.core import versions
from lahti_pool.core.models import id_is, utcnow
from lahti_pool.extensions import db
from lahti_pool.slots import rules
from lahti_pool.slots.models import (
    OnDutySlot,
    SlotStatus,
    SlotWatch,
    SupervisorAbsence,
    WatchStatus,
)
from lahti_pool.supervisors.models import Supervisor, supervisor_conflicts


@dataclass(frozen=True)
class SlotFilters:
    day: date | None = None
    supervisor_id: int | None = None
    mode: str = ""
    language: str = ""


# --- Browsing -----------------------------------------------------------------------


def free_for(user_id: int, now: datetime):
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
        .where(free_for(user.id, now), Supervisor.active, User.id != user.id, ~conflict)
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


@versions.cached_read(OnDutySlot)
def _free_counts(at: datetime, day: date | None, mode: str) -> dict[int, int]:
    """Open slots after ``at`` and not held for anybody, by supervisor (cached)."""
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


@versions.cached_read(Supervisor, User)
def _active_supervisor_users() -> dict[int, tuple[int, int | None]]:
    """Each active supervisor's user and that user's unit (cached like the names)."""
    rows = db.session.execute(
        select(Supervisor.id, User.id, User.unit_id)
        .join(User, Supervisor.user_id == User.id)
        .where(Supervisor.active)
    )
    return {supervisor_id: (user_id, unit_id) for supervisor_id, user_id, unit_id in rows}


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


@versions.cached_read(Supervisor, User)
def active_supervisors() -> list[SupervisorChoice]:
    """The active supervisors by name, for choices and filters.

    One query of three columns (hundreds of supervisors at city scale: no ORM objects),
    cached until a supervisor or a user changes (core/versions.py).
    """
    rows = db.session.execute(
        select(Supervisor.id, User.name, Supervisor.languages)
        .join(User, Supervisor.user_id == User.id)
        .where(Supervisor.active)
        .order_by(User.name, Supervisor.id)
    )
    return [SupervisorChoice(i, name, tuple(langs or ())) for i, name, langs in rows]


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
