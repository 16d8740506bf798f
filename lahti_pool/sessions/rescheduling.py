"""Moving a planned session to another time (the supervisor; an on-duty booking moves
with its slot: slots/services/moving.py).

A move keeps the session, so its quota share, costs' process and calendar UID stay; the
invitation is sent again with a higher SEQUENCE, so every client's and the supervisor's
calendar replaces the event in place.
"""

from datetime import date, datetime, time

from sqlalchemy.exc import IntegrityError

from lahti_pool.accounts.models import User
from lahti_pool.budget.guard import check_budget
from lahti_pool.budget.services import recompute_costs
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind
from lahti_pool.requests.rules import check_date_in_year
from lahti_pool.sessions import overlaps, rules
from lahti_pool.sessions.calendar import session_clients
from lahti_pool.sessions.mails import notify_session_changed
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.sessions.processes import is_supervisor_of


def can_move(actor: User, sup_session: SupervisionSession, now: datetime) -> bool:
    """The process's supervisor, a coming planned session, not an on-duty booking (its
    booker moves it to another free slot) and not covision (the host's)."""
    process = sup_session.process
    return (
        is_supervisor_of(actor, process)
        and sup_session.status == SessionStatus.PLANNED
        and sup_session.starts_at > now
        and process.kind != RequestKind.ON_DUTY
        and not sup_session.is_covision
    )


def guard_new_year(actor: User, sup_session: SupervisionSession, starts_at: datetime) -> None:
    """A move into another fiscal year passes that year's budget guard (no override:
    cancel and plan instead). Called before the supervisor's lock, as planning does."""
    new_year = rules.local_date(starts_at).year
    if new_year != sup_session.on_date.year:
        costs = {c.division_id: c.amount_cents for c in sup_session.costs}
        check_budget(actor, new_year, costs, "", subject=sup_session)


def apply_move(
    actor: User, sup_session: SupervisionSession, starts_at: datetime, minutes: int, **details
) -> None:
    """Put the session at ``starts_at``: costs, calendar sequence, log of use, e-mails.

    The caller has checked the time, the budget and holds the supervisor's lock.
    """
    was = sup_session.starts_at
    sup_session.starts_at, sup_session.on_date = starts_at, rules.local_date(starts_at)
    sup_session.duration_minutes = minutes
    sup_session.ical_sequence += 1
    try:
        db.session.flush()
    except IntegrityError as error:  # the process has a session at that time already
        raise DomainError(
            N_("This process already has a session at that time."), field="at"
        ) from error
    recompute_costs(sup_session)
    audit.record(
        actor,
        "session.moved",
        sup_session,
        process_id=sup_session.process_id,
        was=was.isoformat(),
        to=starts_at.isoformat(),
        **details,
    )
    notify_session_changed(sup_session)  # every client and the supervisor, same UID
    told = {u.id for u in session_clients(sup_session)} | {sup_session.process.supervisor.user_id}
    for user_id in sorted(told - {actor.id}):  # in the app too, each member of a group
        notify(
            user_id,
            NotificationKind.SESSION_MOVED,
            sup_session.process,
            who=actor.name,
            was=was.isoformat(),
            starts_at=starts_at.isoformat(),
        )


def move_session(
    actor: User, sup_session: SupervisionSession, on_date: date, at: time, now: datetime
) -> None:
    """The supervisor moves a coming planned session; refused over their other sessions."""
    process = sup_session.process
    if not is_supervisor_of(actor, process):
        raise NotPermitted(N_("Only the process's supervisor can move its sessions."))
    if process.kind == RequestKind.ON_DUTY:
        raise InvalidTransition(
            N_("An on-duty booking moves with its slot; cancel it if the time does not suit.")
        )
    if not can_move(actor, sup_session, now):
        raise InvalidTransition(N_("Only a coming planned session can be moved."))
    year = process.school_year
    check_date_in_year(on_date, year.starts_on, year.ends_on, "on_date")
    starts_at = rules.local_to_utc(on_date, at)
    if starts_at <= now:
        raise DomainError(N_("Choose a time in the future."), field="on_date")
    if starts_at == sup_session.starts_at:
        raise DomainError(N_("The session is at that time already."), field="at")
    guard_new_year(actor, sup_session, starts_at)
    overlaps.lock_supervisor(process.supervisor_id)
    overlaps.refuse_clashes(
        process.supervisor_id, starts_at, sup_session.duration_minutes, [sup_session.id]
    )
    apply_move(actor, sup_session, starts_at, sup_session.duration_minutes)
