"""Moving an on-duty booking to another free slot of the same supervisor, in one step.

The session, its process (price, answers) and the quota share stay: nothing is cancelled
and booked again, so the booker never stands without a session in between. The new slot
is claimed by the same conditional UPDATE as a booking, so two people moving or booking
at once cannot both get it; the old slot is freed and offered to the waiting list.
"""

from datetime import datetime

from lahti_pool.accounts.models import User
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.sessions.rescheduling import apply_move, guard_new_year
from lahti_pool.slots import rules
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.services.booking import (
    _check_can_book,
    _claim,
    cancellation_window_hours,
    refuse_busy_supervisor,
)
from lahti_pool.slots.services.browsing import SlotFilters, free_slots_query
from lahti_pool.slots.services.waiting import offer_to_next

#: how many free slots the move page offers
MAX_TARGETS = 20


def _live_session(slot: OnDutySlot) -> SupervisionSession | None:
    if slot.status != SlotStatus.BOOKED or slot.session_id is None:
        return None
    sup_session = db.session.get(SupervisionSession, slot.session_id)
    return sup_session if sup_session.status == SessionStatus.PLANNED else None


def move_problem(actor: User, slot: OnDutySlot, now: datetime) -> str | None:
    """Why the actor cannot move this booking now (for the pages); None if they can."""
    try:
        _check_movable(actor, slot, now)
    except DomainError as error:
        return error.message
    return None


def _check_movable(actor: User, slot: OnDutySlot, now: datetime) -> SupervisionSession:
    if slot.booked_by_id != actor.id:
        raise NotPermitted(N_("Only the person who booked the slot can move the booking."))
    sup_session = _live_session(slot)
    if sup_session is None:
        raise InvalidTransition(N_("This booking is no longer live, so it cannot be moved."))
    if rules.is_late_cancellation(slot.starts_at, now, cancellation_window_hours()):
        raise InvalidTransition(
            N_(
                "A booking can be moved until %(hours)s hours before its start; it is too late "
                "now. Cancel it if you cannot come (a late cancellation counts as used)."
            ),
            hours=cancellation_window_hours(),
        )
    return sup_session


def move_targets(actor: User, slot: OnDutySlot, now: datetime) -> list:
    """The same supervisor's free slots the booking could move to, soonest first (rows of
    ``free_slots_query``)."""
    filters = SlotFilters(supervisor_id=slot.supervisor_id)
    query = free_slots_query(actor, filters, now).limit(MAX_TARGETS)
    return db.session.execute(query).all()


def move_booking(actor: User, slot: OnDutySlot, target: OnDutySlot, now: datetime) -> None:
    """Move the actor's booking from ``slot`` to the free ``target`` of the same supervisor,
    outside the cancellation window; the session keeps its quota share and calendar UID."""
    sup_session = _check_movable(actor, slot, now)
    if target.id == slot.id:
        raise DomainError(N_("This is the slot you have booked; choose another one."))
    if target.supervisor_id != slot.supervisor_id:
        raise DomainError(
            N_("A booking moves to another slot of the same supervisor; choose one of theirs.")
        )
    _check_can_book(actor, target, now)
    guard_new_year(actor, sup_session, target.starts_at)  # the budget lock first, as booking
    _claim(actor, target, now)  # one slot, one person: the booking's conditional UPDATE
    refuse_busy_supervisor(target, but=(sup_session.id,))
    target.session_id = sup_session.id
    sup_session.mode = target.mode
    slot.status, slot.booked_by_id, slot.booked_at, slot.session_id = (
        SlotStatus.OPEN,
        None,
        None,
        None,
    )
    db.session.flush()
    apply_move(
        actor,
        sup_session,
        target.starts_at,
        target.duration_minutes,
        from_slot=slot.id,
        to_slot=target.id,
    )
    offer_to_next(slot, now, exclude={actor.id})  # the freed slot, to the waiting list
