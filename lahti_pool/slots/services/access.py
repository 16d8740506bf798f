"""Who may manage on-duty slots and see a booking."""

from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.errors import N_, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.requests.models import (
    RequestKind,
    SupervisionRequest,
)
from lahti_pool.sessions.models import (
    SessionAttendance,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.slots.models import (
    OnDutySlot,
    SlotStatus,
)
from lahti_pool.supervisors.models import Supervisor

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


def booking_states(slots: list[OnDutySlot]) -> dict[int, SessionStatus]:
    """The state of each booked slot's session (a late cancellation keeps the slot taken,
    so the slot's own status cannot tell a live booking from a cancelled one)."""
    session_ids = {s.session_id for s in slots if s.session_id is not None}
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(SupervisionSession.id, SupervisionSession.status).where(
            SupervisionSession.id.in_(session_ids)
        )
    ).all()
    status_of = dict(rows)
    return {s.id: status_of[s.session_id] for s in slots if s.session_id in status_of}


def booking_is_live(slot: OnDutySlot) -> bool:
    """A booked slot whose session is still planned (not cancelled late, not logged)."""
    if slot.status != SlotStatus.BOOKED:
        return False
    return booking_states([slot]).get(slot.id) == SessionStatus.PLANNED


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
