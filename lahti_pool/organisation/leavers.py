"""A leaver: their open requests withdrawn, their coming sessions freed, their supervisor
told, the account deactivated; nothing of a held session changes (organisation/sync.py
and organisation/scim.py call this; docs/import-staff.md says it for the administrator)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind, RequestMember, SupervisionRequest
from lahti_pool.requests.services import decline_group_membership, withdraw_request
from lahti_pool.sessions import processes
from lahti_pool.sessions import services as session_services
from lahti_pool.sessions.models import (
    ProcessMember,
    ProcessStatus,
    SessionStatus,
    SupervisionProcess,
)
from lahti_pool.sessions.rules import is_late_cancellation
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.services import cancel_booking, cancellation_window_hours


@dataclass(frozen=True)
class OffboardResult:
    withdrawn: int = 0  #: open requests withdrawn and group invitations declined
    cancelled: int = 0  #: coming sessions and on-duty bookings cancelled
    kept_open: int = 0  #: processes left open: past sessions wait for the supervisor's log


def offboard(user: User, now: datetime) -> OffboardResult:
    """Withdraw a leaver's open requests and free their coming sessions, as they would.

    Nothing of a held session changes; a process with past sessions still to be logged
    stays open for its supervisor. The supervisor of each process hears of it.
    """
    withdrawn = cancelled = kept_open = 0
    reason = "Left the city's employment (HR sync)."
    open_requests = db.session.scalars(
        select(SupervisionRequest).where(SupervisionRequest.requester_id == user.id)
    ).all()
    for sup_request in open_requests:
        if sup_request.kind == RequestKind.INDIVIDUAL and sup_request.can_withdraw(user):
            withdraw_request(user, sup_request, reason)
            withdrawn += 1
    invited = db.session.scalars(
        select(SupervisionRequest)
        .join(RequestMember, RequestMember.request_id == SupervisionRequest.id)
        .where(RequestMember.user_id == user.id)
    ).all()
    for sup_request in invited:
        if sup_request.can_decline_membership(user):
            decline_group_membership(user, sup_request, reason)
            withdrawn += 1

    window = cancellation_window_hours()
    slots = db.session.scalars(
        select(OnDutySlot).where(
            OnDutySlot.booked_by_id == user.id,
            OnDutySlot.status == SlotStatus.BOOKED,
            OnDutySlot.starts_at > now,
        )
    ).all()
    for slot in slots:
        late = is_late_cancellation(slot.starts_at, now, window)
        # in time the booker's own cancellation frees the slot for the waiting list; late,
        # the supervisor's frees the quota and the hour, as no one can book it any more
        cancel_booking(slot.supervisor.user if late else user, slot, now)
        cancelled += 1

    client_processes = db.session.scalars(
        select(SupervisionProcess)
        .join(ProcessMember, ProcessMember.process_id == SupervisionProcess.id)
        .where(
            ProcessMember.user_id == user.id,
            SupervisionProcess.status == ProcessStatus.ACTIVE,
            SupervisionProcess.kind != RequestKind.ON_DUTY,
        )
        .order_by(SupervisionProcess.id)
    ).all()
    session_window = session_services.window_hours()
    for process in client_processes:
        count = 0
        if process.kind != RequestKind.GROUP:
            supervisor_user = process.supervisor.user
            for sup_session in sorted(process.sessions, key=lambda s: s.starts_at):
                if sup_session.status != SessionStatus.PLANNED or sup_session.starts_at <= now:
                    continue
                if is_late_cancellation(sup_session.starts_at, now, session_window):
                    session_services.log_session(
                        supervisor_user,
                        sup_session,
                        session_services.LogInput(
                            SessionStatus.CANCELLED_BY_SUPERVISOR, sup_session.duration_minutes
                        ),
                        now,
                    )
                else:
                    session_services.cancel_by_client(user, sup_session, now)
                count += 1
            if processes.counts(process).planned == 0:
                processes.close_process(user, process, now)
            else:
                kept_open += 1
        cancelled += count
        notify(
            process.supervisor.user_id,
            NotificationKind.CLIENT_LEFT,
            process,
            client=user.name,
            cancelled=count,
        )
    return OffboardResult(withdrawn, cancelled, kept_open)


def deactivate_leaver(user: User, now: datetime) -> OffboardResult:
    """Offboard, then deactivate (ending every session of the account)."""
    result = offboard(user, now)
    user.is_active_account = False
    user.session_version += 1
    audit.record(
        None,
        "staff.deactivated",
        user,
        withdrawn=result.withdrawn,
        cancelled=result.cancelled,
        kept_open=result.kept_open,
        source="hr",
    )
    db.session.flush()
    return result
