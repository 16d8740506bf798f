"""Booking and cancelling an on-duty slot (DOMAIN.md "Quota").

A slot is claimed by one conditional UPDATE, so two people clicking at once cannot both
book it. Pre-question answers are confidential: they are never put in a log line, an
audit event or a notification.
"""

import enum
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget.services import recompute_costs
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted, QuotaExceeded
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.requests import on_duty as on_duty_requests
from lahti_pool.requests.models import (
    PreQuestion,
    RequestKind,
)
from lahti_pool.requests.quota import account_for, change_quota, school_year_for
from lahti_pool.requests.rules import QuotaOp
from lahti_pool.sessions import overlaps, processes
from lahti_pool.sessions import services as session_services
from lahti_pool.sessions.mails import notify_session_cancelled
from lahti_pool.sessions.models import (
    ApprovalStatus,
    SessionStatus,
    SupervisionSession,
)
from lahti_pool.sessions.processes import ProcessClient, ProcessOrder
from lahti_pool.sessions.services import count_supervisor_use
from lahti_pool.slots import rules
from lahti_pool.slots.mails import notify_slot_booked
from lahti_pool.slots.models import (
    OnDutySlot,
    SlotStatus,
    WatchStatus,
)
from lahti_pool.slots.services.access import can_manage_slots
from lahti_pool.slots.services.browsing import free_for
from lahti_pool.slots.services.waiting import close_watches, offer_to_next

#: the allocation rule recorded on processes born from a booked slot
ON_DUTY_RULE = "on_duty"


class SlotUnavailable(DomainError):
    """The slot is booked, withdrawn, offered to somebody else, or in the past."""


class AlreadyBooked(SlotUnavailable):
    """The actor booked this slot already (a double click, a second tab)."""


class CancelOutcome(enum.StrEnum):
    TIMELY = "timely"  #: the booker, in time: quota freed, the slot free again
    LATE = "late"  #: the booker, inside the window: the session counts as used
    BY_SUPERVISOR = "by_supervisor"  #: the supervisor or the administrator: all freed


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
    year = school_year_for(slot.on_date)
    if account_for(actor.id, year).state().available <= 0:
        return DomainError(
            N_("You have no sessions left in the school year %(year)s."), year=year.label
        ).message
    return None


def _claim(actor: User, slot: OnDutySlot, now: datetime) -> None:
    """One slot, one person: a conditional UPDATE, never a check followed by an insert."""
    condition = free_for(actor.id, now)
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


def refuse_busy_supervisor(slot: OnDutySlot, but: tuple[int, ...] = ()) -> None:
    """A slot over a session the supervisor planned meanwhile is not free (the lock
    follows the budget guard's, as in planning: one order, no deadlock)."""
    overlaps.lock_supervisor(slot.supervisor_id)
    if overlaps.supervisor_clashes(slot.supervisor_id, slot.starts_at, slot.duration_minutes, but):
        raise SlotUnavailable(
            N_("The supervisor is no longer free at this time; choose another slot.")
        )


def book_slot(
    actor: User,
    slot: OnDutySlot,
    answers: dict[int, str],
    now: datetime,
    locale: str = "fi",
    phone: str = "",
) -> SupervisionSession:
    """Book the slot for the actor: confirmed at once, one session of their quota.

    Creates the on-duty request (with the confidential answers), its process with the
    frozen price and its planned session; refuses a taken or past slot, no quota left,
    no supervisor capacity, or a full budget (staff cannot override the budget).
    """
    _check_can_book(actor, slot, now)
    if slot.mode == "phone" and not phone:
        raise DomainError(N_("Give the phone number the supervisor calls you at."), field="phone")
    supervisor = slot.supervisor
    year = school_year_for(slot.on_date)
    sup_request = on_duty_requests.new_on_duty_request(
        actor,
        year,
        mode=slot.mode,
        language=locale if locale in supervisor.languages else (supervisor.languages or ["fi"])[0],
        supervisor_id=supervisor.id,
        on_date=slot.on_date,
        answers=answers,
        locale=locale,
    )
    # confidential like the answers: never in an e-mail, the log of use or an export
    sup_request.contact_phone = phone if slot.mode == "phone" else ""
    division_id = actor.unit.division_id if actor.unit is not None else None
    # The budget guard comes first, as in every order: its lock orders concurrent orders.
    process = processes.open_process(
        actor,
        ProcessOrder(
            kind=RequestKind.ON_DUTY,
            supervisor=supervisor,
            school_year=year,
            sessions=1,
            clients=(ProcessClient(actor.id, None, division_id),),
            rule=ON_DUTY_RULE,
            grounds=[],
            fiscal_year=slot.on_date.year,
            request=sup_request,
            announce=False,  # the booking confirms itself, with the calendar invitation
            process_place=False,
        ),
    ).process
    _claim(actor, slot, now)
    refuse_busy_supervisor(slot)
    try:
        change_quota(account_for(actor.id, year), QuotaOp.BOOK)
    except QuotaExceeded as exc:
        raise QuotaExceeded(
            N_("You have no sessions left in the school year %(year)s."), year=year.label
        ) from exc
    sup_session = session_services.add_booked_session(
        process,
        starts_at=slot.starts_at,
        on_date=slot.on_date,
        duration_minutes=slot.duration_minutes,
        mode=slot.mode,
        client_id=actor.id,
    )
    slot.session_id = sup_session.id
    close_watches(actor.id, slot, WatchStatus.FULFILLED)
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
    processes.close(actor, process, now)  # gives the session's capacity back unless used
    recompute_costs(sup_session)
    sup_session.ical_sequence += 1
    notify_session_cancelled(sup_session)
    notify(
        booker.id if outcome == CancelOutcome.BY_SUPERVISOR else slot.supervisor.user_id,
        NotificationKind.SLOT_CANCELLED,
        process,
        who=slot.supervisor.name if outcome == CancelOutcome.BY_SUPERVISOR else booker.name,
        starts_at=slot.starts_at.isoformat(),
        outcome=str(outcome),
    )
    audit.record(actor, "slot.cancelled", slot, outcome=str(outcome), session_id=sup_session.id)
    if outcome != CancelOutcome.LATE:
        timely = outcome == CancelOutcome.TIMELY
        slot.status = SlotStatus.OPEN if timely else SlotStatus.WITHDRAWN
        slot.booked_by_id = slot.booked_at = slot.session_id = None
        db.session.flush()
        if timely:
            offer_to_next(slot, now, exclude={booker.id})
    db.session.flush()
    return outcome
