"""E-mail: what each message says and to whom, queued with the change that caused it.

Services call the ``notify_*`` helpers (or ``queue_mail``); they add rows to the current
transaction and never send; ``flask pool send-mail`` (core/jobs.py ``send_due``)
delivers committed rows with retries. An e-mail never carries confidential content —
no pre-question answers, goals or topics, and no client names to a supervisor's
mailbox — only what the recipient needs and a link to the app.
"""

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import uuid4

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_time, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from werkzeug.routing import BuildError

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core import audit
from lahti_pool.core.i18n import babel_locale
from lahti_pool.core.models import upsert, utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_DOMAIN = "lahti-pool.local"


# --- addressing ---------------------------------------------------------------------------


def mail_domain() -> str:
    return current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", DEFAULT_DOMAIN)


def recipient_locale(user: User) -> str:
    """The Babel locale of the user's chosen language, or of the pool's default."""
    config = current_app.config
    language = user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
    return babel_locale(language)


def absolute_url(endpoint: str, _fallback: str | None = "accounts.index", **values) -> str:
    """An absolute link into the app built from BASE_URL; works without a request.

    An endpoint another feature has not registered yet falls back to ``_fallback``.
    """
    base = urlsplit(current_app.config.get("BASE_URL") or DEFAULT_BASE_URL)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    try:
        return adapter.build(endpoint, values, force_external=True)
    except BuildError:
        if _fallback is None:
            raise
        return adapter.build(_fallback, {}, force_external=True)


def active(users) -> list[User]:
    """The recipients that still have an active account, each once, in a stable order."""
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active_account:
            seen.setdefault(user.id, user)
    return sorted(seen.values(), key=lambda u: u.id)


# --- queueing -----------------------------------------------------------------------------


def queue_mail(
    user: User,
    kind: str,
    template: str,
    subject,
    ics: str | None = None,
    ics_method: str = "",
    message_id: str | None = None,
    to_address: str | None = None,
    **context,
) -> MailMessage | None:
    """Render ``emails/<template>.txt`` and ``.html`` in the user's language and queue them.

    ``subject`` is a lazy string (``lazy_gettext``) so that it, too, is translated into
    the recipient's language. The row joins the current transaction (no commit): it is
    sent only if the change that caused it commits.

    ``to_address`` sends it elsewhere than the user's address (the old one, when it
    changes). A deterministic ``message_id`` makes the message idempotent: if one with the same id
    exists already, nothing is added and None is returned (e.g. reminders, once each).
    """
    if message_id is not None and db.session.scalar(
        select(MailMessage.id).where(MailMessage.message_id == message_id)
    ):
        # Sent or queued already: not rendered again (the budget guard passes here on every
        # booking once a threshold is crossed, holding the budget lock). A message queued
        # in another transaction meanwhile is still caught by the insert below.
        return None
    locale = recipient_locale(user)
    with force_locale(locale):
        subject = str(subject)[:300]
        context.update(
            recipient=user,
            locale=get_locale().language,  # for lang="…": "sv", not "sv_FI"
            subject=subject,
            settings_url=absolute_url("mail.notification_settings"),
            format_date=format_date,
            format_time=format_time,
        )
        values = {
            "kind": kind,
            "to_user_id": user.id,
            "to_address": to_address or user.email,
            "subject": subject,
            "body_text": render_template(f"emails/{template}.txt", **context),
            "body_html": render_template(f"emails/{template}.html", **context),
            "ics": ics or "",
            "ics_method": ics_method if ics else "",
        }
    if message_id is None:
        values["message_id"] = f"<{uuid4()}@{mail_domain()}>"
        message = MailMessage(**values)
        db.session.add(message)
    else:
        now = utcnow()
        db.session.flush()
        new_id = db.session.execute(
            upsert(MailMessage)
            .values(
                message_id=message_id,
                created_at=now,
                next_attempt_at=now,
                status=MailStatus.PENDING,
                attempts=0,
                last_error="",
                **values,
            )
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(MailMessage.id)
        ).scalar_one_or_none()
        if new_id is None:  # queued before: once is enough
            return None
        message = db.session.get(MailMessage, new_id)
    log.info("mail queued: kind=%s to_user=%s", kind, user.id)
    return message


# --- what other features call --------------------------------------------------------------


def notify_request_received(sup_request) -> None:
    """To the requester (the organiser of a group), after a request was submitted."""
    queue_mail(
        sup_request.requester,
        "request_received",
        "requests/request_received",
        _l("We received your supervision request"),
        sup_request=sup_request,
        link=absolute_url("requests.detail", request_id=sup_request.id),
    )


def notify_group_invitation(sup_request, member) -> None:
    """To a colleague named in a group request (a User or a RequestMember)."""
    user = getattr(member, "user", member)
    if not active([user]):
        return
    queue_mail(
        user,
        "group_invitation",
        "requests/group_invitation",
        _l("You were invited to group supervision"),
        organiser=sup_request.requester.name,
        sessions=sup_request.sessions_requested,
        link=absolute_url("requests.detail", request_id=sup_request.id),
    )


def notify_process_accepted(process) -> None:
    """To each client and to the supervisor, when a process was accepted."""
    link = absolute_url("sessions.process_detail", process_id=process.id)
    supervisor = process.supervisor
    for user in active(m.user for m in process.members):
        queue_mail(
            user,
            "process_accepted",
            "sessions/process_accepted_client",
            _l("Your supervisor has been chosen"),
            supervisor_name=supervisor.name,
            sessions=process.sessions_granted,
            link=link,
        )
    for user in active([supervisor.user]):
        # No client names: a contracted supervisor's mailbox is outside the city.
        queue_mail(
            user,
            "process_accepted",
            "sessions/process_accepted_supervisor",
            _l("You have a new supervision process"),
            process=process,
            clients=len(process.members),
            sessions=process.sessions_granted,
            link=link,
        )


def session_recipients(sup_session) -> list[User]:
    """Who a session concerns: its clients, and the supervisor unless it is covision."""
    from lahti_pool.core.calendar import session_clients

    users = list(session_clients(sup_session))
    if not sup_session.is_covision:
        users.append(sup_session.process.supervisor.user)
    return active(users)


def _notify_session(sup_session, kind: str, subject, method: str) -> None:
    from lahti_pool.core.calendar import session_ics

    link = absolute_url("sessions.process_detail", process_id=sup_session.process_id)
    for user in session_recipients(sup_session):
        with force_locale(recipient_locale(user)):
            ics = session_ics(sup_session, user, method=method)
        queue_mail(
            user,
            kind,
            f"sessions/{kind}",
            subject,
            ics=ics,
            ics_method=method,
            sup_session=sup_session,
            **session_context(sup_session, user),
            link=link,
        )


def session_context(sup_session, user: User) -> dict:
    supervisor = sup_session.process.supervisor
    return {
        "starts_at": sup_session.starts_at,
        "ends_at": sup_session.starts_at + timedelta(minutes=sup_session.duration_minutes),
        "mode": sup_session.mode,
        "place": sup_session.place,
        # The client learns their supervisor's name; the supervisor gets a reference only.
        "supervisor_name": "" if supervisor.user_id == user.id else supervisor.name,
        "reference": sup_session.process.reference if supervisor.user_id == user.id else "",
    }


def notify_session_planned(sup_session) -> None:
    """To the clients and the supervisor, with a calendar invitation (METHOD:REQUEST)."""
    _notify_session(sup_session, "session_planned", _l("Supervision session planned"), "REQUEST")


def notify_session_changed(sup_session) -> None:
    """After a time, place or mode change. Raise ``ical_sequence`` before calling."""
    _notify_session(sup_session, "session_changed", _l("Supervision session changed"), "REQUEST")


def notify_session_cancelled(sup_session) -> None:
    """After a cancellation (METHOD:CANCEL). Raise ``ical_sequence`` before calling."""
    _notify_session(sup_session, "session_cancelled", _l("Supervision session cancelled"), "CANCEL")


def notify_slot_booked(slot) -> None:
    """To the booker and the supervisor of an on-duty slot, with the session's invitation."""
    from lahti_pool.core.calendar import session_ics
    from lahti_pool.sessions.models import SupervisionSession

    # The booking is a conditional UPDATE: read the slot as the database has it now.
    db.session.flush()
    db.session.refresh(slot)
    sup_session = db.session.get(SupervisionSession, slot.session_id) if slot.session_id else None
    for user in active([slot.booked_by, slot.supervisor.user]):
        is_supervisor = user.id == slot.supervisor.user_id
        ics = ""
        if sup_session is not None:
            with force_locale(recipient_locale(user)):
                ics = session_ics(sup_session, user, method="REQUEST")
        queue_mail(
            user,
            "slot_booked",
            "sessions/slot_booked",
            _l("On-duty supervision booked"),
            ics=ics,
            ics_method="REQUEST",
            starts_at=slot.starts_at,
            ends_at=slot.starts_at + timedelta(minutes=slot.duration_minutes),
            mode=slot.mode,
            supervisor_name="" if is_supervisor else slot.supervisor.name,
            is_supervisor=is_supervisor,
            link=_session_link(sup_session),
        )


def _session_link(sup_session) -> str:
    if sup_session is None:
        return absolute_url("accounts.index")
    return absolute_url("sessions.process_detail", process_id=sup_session.process_id)


def notify_feedback_invitation(invitation) -> None:
    """To the client of a ``FeedbackInvitation``: a link to the form (never the answers)."""
    from lahti_pool.sessions.models import SupervisionSession

    user = db.session.get(User, invitation.user_id)
    sup_session = db.session.get(SupervisionSession, invitation.session_id)
    if not active([user]):
        return
    queue_mail(
        user,
        "feedback_invitation",
        "feedback/feedback_invitation",
        _l("How was your supervision session?"),
        starts_at=sup_session.starts_at,
        supervisor_name=sup_session.process.supervisor.name,
        link=absolute_url("feedback.give", invitation_id=invitation.id),
    )


def notify_budget_threshold(warning, fiscal_year: int, division_name: str = "") -> None:
    """To every pool administrator, once per budget, year and level (threshold, or over 100 %).

    ``warning`` is a ``budget.guard.BudgetWarning``; ``division_name`` is empty for the pool.
    """
    level = "over" if warning.percent >= 100 else "warn"
    budget_key = warning.division_id or "pool"
    admins = db.session.scalars(
        # IN (their ids), not a join: with the statistics of a city (a quarter of the
        # users per role, on average) SQLite chose to read every user for the join.
        select(User)
        .where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.ADMIN)))
        .order_by(User.id)
    ).all()
    for user in active(admins):
        queue_mail(
            user,
            "budget_threshold",
            "budget/budget_threshold",
            _l(
                "Supervision budget %(year)s: %(percent)s %% used",
                year=fiscal_year,
                percent=warning.percent,
            ),
            message_id=f"<budget-{fiscal_year}-{budget_key}-{level}-{user.id}@{mail_domain()}>",
            fiscal_year=fiscal_year,
            percent=warning.percent,
            division_name=division_name,
            link=absolute_url("budget.overview"),
        )


# --- the administrator's resend --------------------------------------------------------------


def failed_messages_query():
    """Dead messages and those waiting for a retry, newest first."""
    return (
        select(MailMessage)
        .where(
            or_(
                MailMessage.status == MailStatus.DEAD,
                and_(MailMessage.status == MailStatus.PENDING, MailMessage.attempts > 0),
            )
        )
        .order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
    )


def resend_message(actor: User, message: MailMessage, now: datetime) -> bool:
    """Put a failed message back in the queue, due now, with its attempts reset.

    A message already sent is not sent again (False): it arrived, and after
    ``MAIL_BODY_RETENTION_DAYS`` its text is gone.
    """
    if message.status == MailStatus.SENT:
        return False
    message.status = MailStatus.PENDING
    message.next_attempt_at = now
    message.attempts = 0
    message.locked_until = None
    audit.record(actor, "mail.resent", message, kind=message.kind)
    return True
