"""The outbox as the administrator sees it: what waits and since when, and resending."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select

from lahti_pool.core.mailer import resend_message
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db

#: pending messages that have failed at least once
_RETRYING = and_(MailMessage.status == MailStatus.PENDING, MailMessage.attempts > 0)
_WAITING = and_(MailMessage.status == MailStatus.PENDING, MailMessage.attempts == 0)


@dataclass(frozen=True)
class OutboxState:
    waiting: int  #: never tried yet
    retrying: int  #: failed for now, tried again later
    failed: int  #: given up; resend by hand
    oldest_unsent_at: datetime | None  #: when the oldest message not yet sent was queued
    last_sent_at: datetime | None
    #: since when the oldest message that is due has waited, when that is longer than
    #: MAIL_STALL_MINUTES (no worker sends mail); None while mail moves
    stalled_since: datetime | None

    @property
    def unsent(self) -> int:
        return self.waiting + self.retrying + self.failed


def _stall_limit(now: datetime) -> datetime:
    return now - timedelta(minutes=current_app.config.get("MAIL_STALL_MINUTES", 15))


def outbox_state(now: datetime) -> OutboxState:
    """The outbox's counts and times, in one statement."""
    unsent = MailMessage.status != MailStatus.SENT
    due = and_(MailMessage.status == MailStatus.PENDING, MailMessage.next_attempt_at <= now)
    row = db.session.execute(
        select(
            func.count().filter(_WAITING),
            func.count().filter(_RETRYING),
            func.count().filter(MailMessage.status == MailStatus.DEAD),
            func.min(case((unsent, MailMessage.created_at))),
            func.max(MailMessage.sent_at),
            func.min(case((due, MailMessage.next_attempt_at))),
        )
    ).one()
    oldest_due = row[5]
    stalled = oldest_due is not None and oldest_due < _stall_limit(now)
    return OutboxState(
        waiting=row[0],
        retrying=row[1],
        failed=row[2],
        oldest_unsent_at=row[3],
        last_sent_at=row[4],
        stalled_since=oldest_due if stalled else None,
    )


@dataclass(frozen=True)
class Stall:
    count: int  #: messages waiting to be sent
    since: datetime  #: the oldest of them has been due since


def mail_stall(now: datetime) -> Stall | None:
    """Mail that has not moved for MAIL_STALL_MINUTES: how many wait, and since when.

    One indexed statement, for the warning on the administrators' pages.
    """
    count, oldest = db.session.execute(
        select(func.count(), func.min(MailMessage.next_attempt_at)).where(
            MailMessage.status == MailStatus.PENDING, MailMessage.next_attempt_at <= now
        )
    ).one()
    if not count or oldest is None or oldest >= _stall_limit(now):
        return None
    return Stall(count=count, since=oldest)


def unsent_messages_query():
    """Every message not sent yet (waiting, retrying, failed), the oldest first."""
    return (
        select(MailMessage)
        .where(MailMessage.status != MailStatus.SENT)
        .order_by(MailMessage.created_at, MailMessage.id)
    )


def resend_failed(actor, now: datetime) -> int:
    """Put every failed message back in the queue at once; how many (each audited)."""
    messages = db.session.scalars(
        select(MailMessage).where(MailMessage.status == MailStatus.DEAD).order_by(MailMessage.id)
    ).all()
    return sum(resend_message(actor, message, now) for message in messages)
