"""The waiting list: a freed slot is held for the longest-waiting matching person."""

from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.slots import rules
from lahti_pool.slots.models import (
    OnDutySlot,
    SlotStatus,
    SlotWatch,
    WatchStatus,
)
from lahti_pool.slots.services.browsing import SlotFilters, count_free_slots
from lahti_pool.supervisors.models import Supervisor

# --- The waiting list ---------------------------------------------------------------


def _matching_watches(slot: OnDutySlot):
    return and_(
        SlotWatch.status == WatchStatus.WAITING,
        or_(SlotWatch.on_date.is_(None), SlotWatch.on_date == slot.on_date),
        or_(SlotWatch.supervisor_id.is_(None), SlotWatch.supervisor_id == slot.supervisor_id),
    )


def close_watches(user_id: int, slot: OnDutySlot, status: WatchStatus) -> None:
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
    if on_date is not None:
        free = count_free_slots(
            actor, SlotFilters(day=on_date, supervisor_id=supervisor_id), utcnow()
        )
        if free:
            raise DomainError(
                N_("There are still free slots on %(day)s: book one of them instead of waiting."),
                field="on_date",
                day=on_date,
            )
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


def offer_to_next(slot: OnDutySlot, now: datetime, exclude: set[int]) -> int | None:
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
        close_watches(user_id, slot, WatchStatus.CANCELLED)
        notify(
            user_id, NotificationKind.SLOT_OFFER_EXPIRED, slot, starts_at=slot.starts_at.isoformat()
        )
        offer_to_next(slot, now, exclude={user_id})
        ended += 1
    db.session.flush()
    return ended
