"""Use cases of sessions: plan, log, cancel, close a process, the supervision practice.

Services take the acting user and the current time, change models, flush, and never
commit: the view commits once, or rolls back on a DomainError so nothing is half-saved.
Quota effects follow sessions/rules.py; every change of a session recomputes its costs.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget.guard import BudgetExceeded, BudgetWarning, check_budget
from lahti_pool.budget.services import recompute_costs, split_for
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.feedback.services import invite_feedback
from lahti_pool.requests.models import RequestKind
from lahti_pool.requests.quota import account_for, change_quota, outside_quota
from lahti_pool.requests.rules import check_date_in_year
from lahti_pool.sessions import logistics, overlaps, processes, rules
from lahti_pool.sessions.mails import notify_session_cancelled, notify_session_planned
from lahti_pool.sessions.models import (
    USING_STATUSES,
    ApprovalStatus,
    ProcessStatus,
    SessionAttendance,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.sessions.processes import (
    can_plan,
    can_see_goals,
    is_client_of,
    is_supervisor_of,
)
from lahti_pool.sessions.rules import Share
from lahti_pool.supervisors import capacity
from lahti_pool.supervisors.models import SupervisorLoad

#: outcomes after which the calendar invitation is withdrawn
CANCELLATIONS = frozenset(
    {
        SessionStatus.CANCELLED,
        SessionStatus.CANCELLED_BY_SUPERVISOR,
        SessionStatus.LATE_CANCELLED,
    }
)

#: the closing evaluation invites the clients' feedback; the notification links to the process
FEEDBACK_INVITATION = NotificationKind.FEEDBACK_INVITATION


@dataclass(frozen=True)
class SessionInput:
    """A session to plan, in local (Helsinki) wall-clock time."""

    on_date: date
    at: time
    duration_minutes: int
    mode: str
    place: str = ""
    is_covision: bool = False
    #: a group session's host (a member) and venue
    host_user_id: int | None = None
    venue_id: int | None = None
    #: this session's video-meeting link; "" uses the supervisor's own
    video_url: str = ""


@dataclass(frozen=True)
class LogInput:
    outcome: SessionStatus
    duration_minutes: int
    #: the members who attended (group sessions)
    attendee_ids: frozenset[int] = frozenset()


def window_hours() -> int:
    return int(current_app.config.get("CANCELLATION_WINDOW_HOURS", rules.DEFAULT_WINDOW_HOURS))


# --- Quota shares --------------------------------------------------------------------


def _is_group(sup_session: SupervisionSession) -> bool:
    return sup_session.process.kind == RequestKind.GROUP


def _shares(sup_session: SupervisionSession) -> dict[int, Share]:
    status, covision, group = sup_session.status, sup_session.is_covision, _is_group(sup_session)
    return {
        a.user_id: rules.member_share(status, covision, group, a.attended)
        for a in sup_session.attendance
    }


def _move_shares(process: SupervisionProcess, old: dict[int, Share], new: dict[int, Share]) -> None:
    """Apply each client's quota operations; a refusal names the client."""
    names = {m.user_id: m.user.name for m in process.members}
    guests = outside_quota(new)  # a guest organisation's official has no city quota
    for user_id in sorted(set(new) - guests):
        account = account_for(user_id, process.school_year)
        for op in rules.quota_ops(old.get(user_id, Share.NONE), new[user_id]):
            try:
                change_quota(account, op)
            except DomainError as error:
                raise DomainError(
                    N_("%(name)s has no session left for this: %(reason)s"),
                    name=names.get(user_id, ""),
                    reason=error.message,
                ) from error


def count_supervisor_use(process: SupervisionProcess, delta: int) -> None:
    """Keep the supervisor's used sessions (the capacity view) in step; never below 0."""
    if not delta:
        return
    capacity.ensure_load(process.supervisor_id, process.school_year)
    db.session.execute(
        update(SupervisorLoad)
        .where(
            SupervisorLoad.supervisor_id == process.supervisor_id,
            SupervisorLoad.school_year_id == process.school_year_id,
            SupervisorLoad.sessions_used + delta >= 0,
        )
        .values(sessions_used=SupervisorLoad.sessions_used + delta)
        .execution_options(synchronize_session=False)
    )


def _uses_supervisor(status: SessionStatus, is_covision: bool) -> bool:
    return not is_covision and status in USING_STATUSES


# --- Planning ------------------------------------------------------------------------


def _expected_costs(process: SupervisionProcess, price_cents: int) -> dict[int, int]:
    """The planned session's price split by the divisions of the clients expected."""
    return split_for(process, price_cents, [m.user for m in process.members])


def _check_plan(actor: User, process: SupervisionProcess, data: SessionInput) -> None:
    if not can_plan(actor, process):
        raise NotPermitted(N_("Only the process's supervisor can plan its sessions."))
    if process.status != ProcessStatus.ACTIVE:
        raise InvalidTransition(N_("This process is closed."))
    year = process.school_year
    check_date_in_year(data.on_date, year.starts_on, year.ends_on, "on_date")
    is_group = process.kind == RequestKind.GROUP
    if data.is_covision and not is_group:
        raise DomainError(N_("Only a group can hold covision."), field="is_covision")
    logistics.check_host(process, data.host_user_id, data.venue_id)
    if not data.is_covision:
        counted = sum(rules.counts_against_grant(s.status, s.is_covision) for s in process.sessions)
        rules.check_within_grant(counted, process.sessions_granted)


def plan_session(
    actor: User,
    process: SupervisionProcess,
    data: SessionInput,
    now: datetime,
    override_reason: str = "",
) -> tuple[SupervisionSession, list[BudgetWarning]]:
    """Plan a session: reserves one session of each client's quota (none for covision).

    The budget guard sees the session's cost; only the administrator may override it.
    """
    _check_plan(actor, process, data)
    starts_at = rules.local_to_utc(data.on_date, data.at)
    if any(s.starts_at == starts_at for s in process.sessions):
        raise DomainError(N_("This process already has a session at that time."), field="at")
    price = 0 if data.is_covision else process.price_cents
    sup_session = SupervisionSession(
        process=process,
        starts_at=starts_at,
        on_date=rules.local_date(starts_at),
        duration_minutes=data.duration_minutes,
        mode=data.mode,
        place=data.place.strip(),
        video_url=data.video_url if data.mode == "video" else "",
        is_covision=data.is_covision,
        host_user_id=data.host_user_id,
        venue_id=data.venue_id,
        price_cents=price,
        attendance=[SessionAttendance(user_id=m.user_id) for m in process.members],
    )
    db.session.add(sup_session)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same time planned at once in another tab
        raise DomainError(
            N_("This process already has a session at that time."), field="at"
        ) from error
    _move_shares(process, {}, _shares(sup_session))
    warnings = []
    if not data.is_covision:
        is_admin = actor.has_role(Role.ADMIN)
        try:
            warnings = check_budget(
                actor,
                sup_session.on_date.year,
                _expected_costs(process, price),
                override_reason if is_admin else "",
                subject=sup_session,
            )
        except BudgetExceeded as error:
            if not is_admin:  # a supervisor has no override field; show it on the form
                error.field = None
            raise
        # after the budget guard's lock, as a booking takes them: one order, no deadlock
        overlaps.lock_supervisor(process.supervisor_id)
        overlaps.refuse_clashes(
            process.supervisor_id, starts_at, data.duration_minutes, [sup_session.id]
        )
    recompute_costs(sup_session)
    audit.record(
        actor, "session.planned", sup_session, process_id=process.id, covision=data.is_covision
    )
    notify_session_planned(sup_session)
    return sup_session, warnings


# --- Logging and cancelling ----------------------------------------------------------


def _attendance_for(outcome: SessionStatus, is_group: bool, user_id: int, attendees) -> bool | None:
    if outcome == SessionStatus.HELD:
        return user_id in attendees if is_group else True
    if outcome in (SessionStatus.NO_SHOW, SessionStatus.LATE_CANCELLED):
        return False
    return None


def _change_outcome(
    actor: User,
    sup_session: SupervisionSession,
    outcome: SessionStatus,
    now: datetime,
    attendees: frozenset[int] = frozenset(),
    duration: int | None = None,
) -> None:
    """Set the outcome, move every client's quota share, recompute the costs."""
    process = sup_session.process
    old_status, old_shares = sup_session.status, _shares(sup_session)
    if not rules.counts_against_grant(
        old_status, sup_session.is_covision
    ) and rules.counts_against_grant(outcome, sup_session.is_covision):
        # a returned cancellation re-logged as held takes a granted session again
        others = [s for s in process.sessions if s is not sup_session]
        counted = sum(rules.counts_against_grant(s.status, s.is_covision) for s in others)
        rules.check_within_grant(counted, process.sessions_granted)
    is_group = _is_group(sup_session)
    for row in sup_session.attendance:
        row.attended = _attendance_for(outcome, is_group, row.user_id, attendees)
    sup_session.status = outcome
    _move_shares(process, old_shares, _shares(sup_session))
    count_supervisor_use(
        process,
        _uses_supervisor(outcome, sup_session.is_covision)
        - _uses_supervisor(old_status, sup_session.is_covision),
    )
    if duration is not None:
        sup_session.duration_minutes = duration
    sup_session.approval = ApprovalStatus.PENDING
    sup_session.logged_at = now
    sup_session.ical_sequence += 1
    db.session.flush()
    recompute_costs(sup_session)
    audit.record(actor, "session.logged", sup_session, status=str(outcome), was=str(old_status))
    if outcome in CANCELLATIONS and old_status == SessionStatus.PLANNED:
        notify_session_cancelled(sup_session)  # calendars drop the event (same UID)
    processes.close_if_all_used(actor, process, now)


def log_session(
    actor: User, sup_session: SupervisionSession, data: LogInput, now: datetime
) -> None:
    """The supervisor logs what happened; the administrator then approves it."""
    process = sup_session.process
    if not is_supervisor_of(actor, process):
        raise NotPermitted(N_("Only the process's supervisor can log its sessions."))
    rules.check_loggable(sup_session.status, sup_session.approval)
    rules.check_outcome(
        data.outcome, sup_session.is_covision, sup_session.starts_at, now, window_hours()
    )
    if not data.attendee_ids <= process.client_ids:
        raise DomainError(N_("Choose the attendees among the members."), field="attendees")
    rules.check_attendance(data.outcome, _is_group(sup_session), len(data.attendee_ids))
    _change_outcome(actor, sup_session, data.outcome, now, data.attendee_ids, data.duration_minutes)
    if data.outcome == SessionStatus.HELD:
        invite_feedback(sup_session)  # the clients who came may say how it went


def cancellation_is_late(sup_session: SupervisionSession, now: datetime) -> bool:
    return rules.is_late_cancellation(sup_session.starts_at, now, window_hours())


def check_client_can_cancel(actor: User, sup_session: SupervisionSession, now: datetime) -> None:
    process = sup_session.process
    if not is_client_of(actor, process):
        raise NotPermitted(N_("This is not your session."))
    if _is_group(sup_session):
        raise DomainError(
            N_(
                "A group session is cancelled by the supervisor; please tell them if you "
                "cannot come."
            )
        )
    if sup_session.status != SessionStatus.PLANNED or sup_session.starts_at <= now:
        raise InvalidTransition(N_("Only a coming planned session can be cancelled."))


def cancel_by_client(actor: User, sup_session: SupervisionSession, now: datetime) -> bool:
    """The client cancels a coming session; a late cancellation uses the session.

    Returns whether the cancellation was late.
    """
    check_client_can_cancel(actor, sup_session, now)
    late = cancellation_is_late(sup_session, now)
    outcome = SessionStatus.LATE_CANCELLED if late else SessionStatus.CANCELLED
    _change_outcome(actor, sup_session, outcome, now)
    return late


# --- The supervision practice --------------------------------------------------------


def set_goals(actor: User, process: SupervisionProcess, goals: str) -> None:
    """CONFIDENTIAL goals: written by the supervisor or a client; never logged."""
    if not can_see_goals(actor, process):
        raise NotPermitted(N_("Only the supervisor and the clients can write the goals."))
    process.goals = goals.strip()
    audit.record(actor, "process.goals_changed", process)  # who, not what
    db.session.flush()


def set_practice(
    actor: User,
    process: SupervisionProcess,
    midpoint_on: date | None,
    closing_on: date | None,
) -> None:
    """The mid-point review and the closing evaluation; the latter invites feedback."""
    if not is_supervisor_of(actor, process):
        raise NotPermitted(N_("Only the supervisor can record the reviews."))
    year = process.school_year
    for day, field in ((midpoint_on, "midpoint_on"), (closing_on, "closing_on")):
        if day is not None:
            check_date_in_year(day, year.starts_on, year.ends_on, field)
    if midpoint_on is not None and closing_on is not None and midpoint_on > closing_on:
        raise DomainError(
            N_("The mid-point review cannot be after the closing evaluation; check the dates."),
            field="midpoint_on",
        )
    invite = closing_on is not None and closing_on != process.closing_evaluated_on
    process.midpoint_reviewed_on = midpoint_on
    process.closing_evaluated_on = closing_on
    if invite:
        for user_id in sorted(process.client_ids):
            notify(user_id, FEEDBACK_INVITATION, process, closing_evaluation=True)
    audit.record(actor, "process.practice", process, invited=invite)
    db.session.flush()


def add_booked_session(
    process: SupervisionProcess,
    *,
    starts_at: datetime,
    on_date: date,
    duration_minutes: int,
    mode: str,
    client_id: int,
) -> SupervisionSession:
    """The planned session of a booked on-duty slot, at the process's frozen price (the
    booking has reserved the client's quota: slots/services/booking.py)."""
    sup_session = SupervisionSession(
        process_id=process.id,
        starts_at=starts_at,
        on_date=on_date,
        duration_minutes=duration_minutes,
        mode=mode,
        status=SessionStatus.PLANNED,
        price_cents=process.price_cents,
        attendance=[SessionAttendance(user_id=client_id)],
    )
    db.session.add(sup_session)
    db.session.flush()
    recompute_costs(sup_session)
    return sup_session
