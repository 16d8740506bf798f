"""E-mail machinery: a message rendered in its recipient's language and queued with the
change that caused it.

Each feature says what its e-mails say and to whom (its ``mails.py``) and queues them
here with ``queue_mail``; the rows join the current transaction and are never sent from
it; ``flask pool send-mail`` (core/jobs.py ``send_due``)
delivers committed rows with retries. An e-mail never carries confidential content —
no pre-question answers, goals or topics, and no client names to a supervisor's
mailbox — only what the recipient needs and a link to the app.
"""

import logging
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit
from uuid import uuid4

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale, format_date, format_time, get_locale
from sqlalchemy import select
from werkzeug.routing import BuildError

from lahti_pool.core import audit
from lahti_pool.core.i18n import babel_locale
from lahti_pool.core.models import upsert, utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_DOMAIN = "lahti-pool.local"


class User(Protocol):
    """A recipient: what this module reads of an account (accounts.models.User)."""

    id: int
    email: str
    locale: str
    is_active_account: bool


# --- addressing ---------------------------------------------------------------------------


def mail_domain() -> str:
    return current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", DEFAULT_DOMAIN)


def recipient_locale(user: User) -> str:
    """The Babel locale of the user's chosen language, or of the pool's default."""
    config = current_app.config
    language = user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
    return babel_locale(language)


def base_url() -> str:
    """Where links in e-mails and calendar addresses point.

    A configured ``BASE_URL`` wins. Without one, outside production, the address the app
    is served on right now (``make run PORT=5301`` gives port 5301); production never
    trusts the request's Host header for links (a forged one would poison password
    links), and jobs outside a request fall back to the development default.
    """
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured
    if current_app.config.get("ENV_NAME") != "production" and has_request_context():
        return request.url_root
    return DEFAULT_BASE_URL


def absolute_url(endpoint: str, _fallback: str | None = "accounts.index", **values) -> str:
    """An absolute link into the app built from ``base_url()``; works without a request.

    An endpoint another feature has not registered yet falls back to ``_fallback``.
    """
    base = urlsplit(base_url())
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


# --- the administrator's resend --------------------------------------------------------------


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
