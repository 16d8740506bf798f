"""The job runner: delivering the outbox, and the daily jobs the features register.

``flask pool send-mail`` sends committed outbox rows with retries and back-off; several
workers may run at once, each message is claimed first. ``flask pool daily-jobs`` runs
every job registered with ``daily_job``; a job that queues mail gives each message a
deterministic Message-ID, so running it twice (or in two workers at once) queues each
message once: the outbox's unique constraint decides.
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
from flask_mail import Connection, Message
from sqlalchemy import and_, or_, select, update

from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db, mail

log = logging.getLogger(__name__)


#: the daily jobs, by name: (what the command prints, with {n} for the count; the job)
_DAILY_JOBS: dict[str, tuple[str, Callable[[date, datetime], int]]] = {}


def daily_job(name: str, line: str):
    """Register ``job(today, now) -> count`` with ``flask pool daily-jobs`` under ``name``;
    ``line`` is what the command prints. Each feature registers its own jobs (its
    ``jobs.py``, imported by the app's wiring), so this module knows none of them."""

    def register(job: Callable[[date, datetime], int]):
        _DAILY_JOBS[name] = (line, job)
        return job

    return register


@daily_job("mail_bodies_cleared", "Cleared the text of {n} sent e-mails.")
def clear_sent_mail_bodies(today: date, now: datetime) -> int:
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


def run_daily_jobs(today: date, now: datetime) -> dict[str, int]:
    """Run every registered daily job (no commit); what each did, by its name."""
    return {name: job(today, now) for name, (_line, job) in _DAILY_JOBS.items()}


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
    """Run the daily jobs: reminders, the on-duty digest, the budget ledger's fold, expired
    group offers, clearing old e-mail texts... (run once a day)."""
    now = utcnow()
    report = run_daily_jobs(local_today(now), now)
    db.session.commit()
    for name, n in report.items():
        click.echo(_DAILY_JOBS[name][0].format(n=n))


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
