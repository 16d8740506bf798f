"""The transactional mail outbox: messages are rows written with the change that caused them.

A page never waits on SMTP; ``flask pool send-mail`` delivers them with retries.
"""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class MailStatus(enum.StrEnum):
    PENDING = "pending"  #: waiting to be sent (again, after a temporary failure)
    SENT = "sent"
    DEAD = "dead"  #: failed permanently (e.g. 550) or too many times; resend by hand


class MailMessage(db.Model):
    """One e-mail. Never carries confidential content: a link to the app instead."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: what caused it, e.g. "slot_booked", "reminder"
    kind: Mapped[str] = mapped_column(String(40))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: an iCalendar attachment (RFC 5545), with its METHOD (REQUEST or CANCEL)
    ics: Mapped[str] = mapped_column(Text, default="")
    ics_method: Mapped[str] = mapped_column(String(10), default="")
    #: stable across retries, so a receiving server can drop duplicates
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus), default=MailStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the SMTP answer of the last failure (code and server text, never the message)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a worker that took the message for sending, until it finishes
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
