"""Background jobs: delivering the outbox, reminders, and the weekly on-duty digest.

``flask pool send-mail`` sends committed outbox rows with retries and back-off; several
workers may run at once, each message is claimed first. ``flask pool daily-jobs`` queues
reminders and digests with a deterministic Message-ID, so running it twice (or in two
workers at once) queues each message once: the outbox's unique constraint decides.
"""

import logging
import smtplib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from flask_mail import Connection, Message
from sqlalchemy import and_, func, or_, select, update

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core.mailer import (
    absolute_url,
    active,
    mail_domain,
    queue_mail,
    session_context,
    session_recipients,
)
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db, mail

log = logging.getLogger(__name__)


@dataclass
class JobReport:
    reminders: int = 0
    digests: int = 0
    #: budget ledger changes folded into its sums (``budget/ledger.py``)
    ledger_changes: int = 0
    #: sent e-mails whose text was cleared after ``MAIL_BODY_RETENTION_DAYS``
    mail_bodies_cleared: int = 0
    #: what each job a feature registered with ``daily_job`` reports, by its name
    registered: dict[str, int] = field(default_factory=dict)


#: the features' daily jobs: (a line for the report with {n}, the job)
_DAILY_JOBS: dict[str, Callable[[date, datetime], int]] = {}


def daily_job(line: str):
    """Register ``job(today, now) -> count`` with ``flask pool daily-jobs``; ``line`` is
    what the command prints, with ``{n}`` for the count. A feature registers its own
    jobs, so that this module needs none of them."""

    def register(job: Callable[[date, datetime], int]):
        _DAILY_JOBS[line] = job
        return job

    return register


def clear_sent_mail_bodies(now: datetime) -> int:
    """Clear the text of e-mails sent more than ``MAIL_BODY_RETENTION_DAYS`` ago.

    The texts name people, dates and places of supervision; once delivered the app has no
    use for them. The row stays, with its recipient, subject and times, for the log of
    what was sent, and its Message-ID, which keeps a reminder from being queued twice.
    """
    days = current_app.config["MAIL_BODY_RETENTION_DAYS"]
    return db.session.execute(
        update(MailMessage)
        .where(
            MailMessage.status == MailStatus.SENT,
            MailMessage.sent_at < now - timedelta(days=days),
            or_(MailMessage.body_text != "", MailMessage.body_html != "", MailMessage.ics != ""),
        )
        .values(body_text="", body_html="", ics="")
        .execution_options(synchronize_session=False)
    ).rowcount


def queue_reminders(today: date) -> int:
    """A reminder to each client and the supervisor of every session planned for tomorrow."""
    from lahti_pool.sessions.models import SessionStatus, SupervisionSession

    sessions = db.session.scalars(
        select(SupervisionSession)
        .where(
            SupervisionSession.status == SessionStatus.PLANNED,
            SupervisionSession.on_date == today + timedelta(days=1),
        )
        .order_by(SupervisionSession.starts_at, SupervisionSession.id)
    ).all()
    queued = 0
    for sup_session in sessions:
        link = absolute_url("sessions.process_detail", process_id=sup_session.process_id)
        for user in session_recipients(sup_session):
            # One per session, version and person: a moved session is reminded of again.
            message_id = (
                f"<reminder-{sup_session.id}-{sup_session.ical_sequence}-{user.id}@{mail_domain()}>"
            )
            message = queue_mail(
                user,
                "reminder",
                "sessions/reminder",
                _l("Reminder: supervision session tomorrow"),
                message_id=message_id,
                **session_context(sup_session, user),
                link=link,
            )
            queued += message is not None
    return queued


def free_slots(now: datetime, days: int = 7) -> list:
    """Open on-duty slots in the coming ``days`` that nobody holds an offer on."""
    from lahti_pool.slots.models import OnDutySlot, SlotStatus
    from lahti_pool.supervisors.models import Supervisor

    return db.session.scalars(
        select(OnDutySlot)
        .join(Supervisor)
        .where(
            OnDutySlot.status == SlotStatus.OPEN,
            OnDutySlot.starts_at >= now,
            OnDutySlot.starts_at < now + timedelta(days=days),
            Supervisor.active.is_(True),
            or_(OnDutySlot.offered_to_id.is_(None), OnDutySlot.offer_expires_at < now),
        )
        .order_by(OnDutySlot.starts_at, OnDutySlot.id)
    ).all()


def digest_recipients(today: date) -> list[User]:
    """Active staff who want the digest and have sessions left this school year."""
    from lahti_pool.requests.models import QuotaAccount, SchoolYear

    year = db.session.scalar(
        select(SchoolYear).where(SchoolYear.starts_on <= today, SchoolYear.ends_on >= today)
    )
    query = (
        select(User)
        .join(UserRole)
        .where(
            UserRole.role == Role.STAFF,
            User.is_active_account.is_(True),
            User.weekly_digest.is_(True),
        )
        .order_by(User.id)
    )
    if year is None:
        if current_app.config["DEFAULT_QUOTA"] <= 0:
            return []
    else:
        # Without an account row a person still has the whole year's quota.
        available = func.coalesce(
            QuotaAccount.quota - QuotaAccount.used - QuotaAccount.reserved - QuotaAccount.pending,
            year.quota,
        )
        query = query.outerjoin(
            QuotaAccount,
            (QuotaAccount.user_id == User.id) & (QuotaAccount.school_year_id == year.id),
        ).where(available > 0)
    return active(db.session.scalars(query).all())


def queue_weekly_digest(today: date, now: datetime) -> int:
    """Once per ISO week: the free on-duty slots of the coming week, to staff with quota left.

    The first daily run of a week sends it (normally Monday's); nothing is sent in a
    week without free slots.
    """
    slots = free_slots(now)
    if not slots:
        return 0
    iso_year, week, _weekday = today.isocalendar()
    rows = [
        {
            "starts_at": slot.starts_at,
            "ends_at": slot.starts_at + timedelta(minutes=slot.duration_minutes),
            "mode": slot.mode,
            "supervisor_name": slot.supervisor.name,
        }
        for slot in slots
    ]
    link = absolute_url("slots.browse")
    queued = 0
    for user in digest_recipients(today):
        message = queue_mail(
            user,
            "weekly_digest",
            "sessions/weekly_digest",
            _l("Free on-duty supervision times this week"),
            message_id=f"<digest-{iso_year}-w{week:02d}-{user.id}@{mail_domain()}>",
            slots=rows,
            link=link,
        )
        queued += message is not None
    return queued


def run_daily_jobs(today: date, now: datetime) -> JobReport:
    """Queue the day's reminders and the week's digest; fold the budget ledger; clear the
    text of e-mails sent long enough ago (no commit)."""
    from lahti_pool.budget import ledger

    return JobReport(
        reminders=queue_reminders(today),
        digests=queue_weekly_digest(today, now),
        ledger_changes=ledger.fold(),
        mail_bodies_cleared=clear_sent_mail_bodies(now),
        registered={line: job(today, now) for line, job in _DAILY_JOBS.items()},
    )


def local_today(now: datetime) -> date:
    """Today in the pool's time zone (sessions' ``on_date`` is local)."""
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


# --- sending ------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0  #: claimed by another worker first
    errors: list[str] = field(default_factory=list)


class _Failure(Exception):
    def __init__(self, text: str, permanent: bool, connection: bool = False) -> None:
        super().__init__(text)
        self.text = text[:500]
        self.permanent = permanent
        #: the server could not be reached: the rest of the batch waits for the next run
        self.connection = connection


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout and a quit that cannot mask an error."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 30)
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def __exit__(self, exc_type, exc_value, tb) -> None:
        if self.host is not None:
            try:
                self.host.quit()
            except (smtplib.SMTPException, OSError):
                self.host.close()


def _smtp_text(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _classify(exc: Exception) -> _Failure:
    """Permanent (5xx) or temporary (4xx, unreachable, timeout); code and server text only."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _Failure(_smtp_text(code, text), permanent=500 <= code < 600)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Our credentials are wrong, not the message: keep it for when they are fixed.
        return _Failure(_smtp_text(exc.smtp_code, exc.smtp_error), False, connection=True)
    if isinstance(exc, smtplib.SMTPConnectError):
        return _Failure(_smtp_text(exc.smtp_code, exc.smtp_error), False, connection=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _Failure(_smtp_text(exc.smtp_code, exc.smtp_error), 500 <= exc.smtp_code < 600)
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return _Failure(f"{type(exc).__name__}: {reason}", False, connection=True)
    return _Failure(type(exc).__name__, permanent=False)


def _build(message: MailMessage) -> Message:
    msg = Message(
        subject=message.subject,
        recipients=[message.to_address],
        body=message.body_text,
        html=message.body_html or None,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    # The stored id, stable across retries. (extra_headers would add a second
    # Message-ID header next to the one Flask-Mail generates.)
    msg.msgId = message.message_id
    if message.ics:
        method = message.ics_method or "REQUEST"
        msg.attach(
            "invite.ics" if method != "CANCEL" else "cancel.ics",
            f"text/calendar; method={method}; charset=UTF-8",
            message.ics.encode("utf-8"),
        )
    return msg


def _deliver(message: MailMessage) -> None:
    config = current_app.config
    # Read the settings now rather than at start-up, so a running worker (and a test)
    # uses the configuration in force.
    state = mail.init_mail(config, current_app.debug, current_app.testing)
    with _TimedConnection(state) as connection:
        _build(message).send(connection)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, capped by MAIL_MAX_BACKOFF_MINUTES."""
    cap = current_app.config.get("MAIL_MAX_BACKOFF_MINUTES", 60)
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap))


def _claim(message_id: int, now: datetime) -> bool:
    """Take the message for this worker with one conditional UPDATE; False if another has it."""
    lock = timedelta(seconds=current_app.config.get("MAIL_LOCK_SECONDS", 300))
    result = db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, *_due(now))
        .values(locked_until=now + lock)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _due(now: datetime) -> list:
    return [
        MailMessage.status == MailStatus.PENDING,
        MailMessage.next_attempt_at <= now,
        or_(MailMessage.locked_until.is_(None), MailMessage.locked_until < now),
    ]


def send_due(now: datetime | None = None, limit: int = 100) -> SendReport:
    """Send the messages that are due, committing after each one.

    Safe to run in several workers at once: each message is claimed first.
    """
    now = now or utcnow()
    report = SendReport()
    ids = db.session.scalars(
        select(MailMessage.id)
        .where(and_(*_due(now)))
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 8)
    for message_id in ids:
        if not _claim(message_id, now):
            report.skipped += 1
            continue
        message = db.session.get(MailMessage, message_id, populate_existing=True)
        try:
            _deliver(message)
        except Exception as exc:  # every failure is recorded on the row
            failure = _classify(exc)
            message.attempts += 1
            message.last_error = failure.text
            message.locked_until = None
            if failure.permanent or message.attempts >= max_attempts:
                message.status = MailStatus.DEAD
                report.dead += 1
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                report.retrying += 1
            log.warning(
                "mail %s failed (attempt %s, %s): %s",
                message.id,
                message.attempts,
                message.status.value,
                failure.text,
            )
            db.session.commit()
            report.errors.append(failure.text)
            if failure.connection:
                break
            continue
        message.status = MailStatus.SENT
        message.sent_at = utcnow()
        message.locked_until = None
        message.last_error = ""
        db.session.commit()
        report.sent += 1
        log.info("mail %s sent: kind=%s", message.id, message.kind)
    return report


@click.command("daily-jobs")
@with_appcontext
def daily_jobs_command() -> None:
    """Queue today's reminders and this week's on-duty digest, fold the budget ledger's
    changes, clear the text of old sent e-mails (run once a day)."""
    now = utcnow()
    report = run_daily_jobs(local_today(now), now)
    db.session.commit()
    click.echo(
        f"Queued {report.reminders} reminders and {report.digests} digests; "
        f"folded {report.ledger_changes} budget ledger changes; "
        f"cleared the text of {report.mail_bodies_cleared} sent e-mails."
    )
    for line, n in report.registered.items():
        click.echo(line.format(n=n))


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running, sending what falls due.")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
@with_appcontext
def send_mail_command(loop: bool, interval: int) -> None:
    """Send the e-mail in the outbox that is due, with retries and back-off."""
    while True:
        report = send_due()
        db.session.remove()
        if report.sent or report.retrying or report.dead:
            click.echo(
                f"Sent {report.sent}, retrying {report.retrying}, failed {report.dead}.",
            )
        if not loop:
            return
        time.sleep(interval)
