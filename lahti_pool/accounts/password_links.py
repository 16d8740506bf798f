"""One-time links to set a password: a new user's invitation, and the reset.

The administrator never sets or learns a password; the person sets their own through a
link e-mailed to them. The link carries a signed, timed token with the user's id and a
fingerprint of their password hash, session version and e-mail address. Setting the
password changes the first two, so a link works once; a logout, a deactivation, a newer
password or a changed address also ends it.

The token is a secret like a password: it goes into the e-mail body only, never into a
log line, an audit record or a page the administrator sees (the outbox lists no bodies).
"""

import enum
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, or_, update

from lahti_pool.accounts.email_changes import HELD, hold_days, links_held_until
from lahti_pool.accounts.models import User
from lahti_pool.accounts.passwords import hash_password, password_problem
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.core.mailer import absolute_url, queue_mail
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db

#: separates these tokens from every other use of SECRET_KEY (sessions, CSRF)
SALT = "lahti-pool.password-link"


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"  #: a new user sets their first password
    RESET = "reset"  #: a forgotten password, or the administrator's "send a link"


#: how long a link works
MAX_AGE = {
    LinkPurpose.INVITATION: timedelta(days=7),
    LinkPurpose.RESET: timedelta(hours=24),
}

SUBJECTS = {
    LinkPurpose.INVITATION: _l("Set your password for the supervision pool"),
    LinkPurpose.RESET: _l("A link to set a new password"),
}


class LinkRefused(DomainError):
    """The link cannot be used; ``status`` is 400 (garbled), 410 (expired or used) or 409
    (another link opened in the same browser since)."""

    def __init__(self, msgid: str, status: int) -> None:
        super().__init__(msgid)
        self.status = status


GARBLED = N_("This link is not complete or not valid. Copy the whole link from the e-mail.")
GONE = N_("This link has expired or has been used already.")
REPLACED = N_(
    "Another password link was opened in this browser after this form, so nothing was set. "
    "Open the link of the account you want to set a password for again."
)


@dataclass(frozen=True)
class PasswordLink:
    user: User
    purpose: LinkPurpose


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    """Changes when the password, the session version or the e-mail address does (the
    hash is salted): a link sent to an address since corrected no longer works."""
    state = f"{user.password_hash or ''}\x00{user.session_version}\x00{user.email}".encode()
    return hashlib.sha256(state).hexdigest()[:24]


def make_token(user: User, purpose: LinkPurpose) -> str:
    return _serializer().dumps({"u": user.id, "p": purpose.value, "f": _fingerprint(user)})


def check_link(token: str, now: datetime | None = None) -> PasswordLink:
    """The user and purpose of a link that still works.

    :raises LinkRefused: 400 for a garbled token, 410 for an expired or used one, or
        one of a deactivated account
    """
    try:
        data, issued = _serializer().loads(
            token, max_age=max(MAX_AGE.values()).total_seconds(), return_timestamp=True
        )
    except SignatureExpired as error:
        raise LinkRefused(GONE, 410) from error
    except BadData as error:
        raise LinkRefused(GARBLED, 400) from error
    if not (
        isinstance(data, dict)
        and isinstance(data.get("u"), int)
        and data.get("p") in set(LinkPurpose)
        and isinstance(data.get("f"), str)
    ):
        raise LinkRefused(GARBLED, 400)
    purpose = LinkPurpose(data["p"])
    if (now or datetime.now(UTC)) - issued > MAX_AGE[purpose]:
        raise LinkRefused(GONE, 410)
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active_account or _fingerprint(user) != data["f"]:
        raise LinkRefused(GONE, 410)
    return PasswordLink(user, purpose)


def send_password_link(actor: User | None, user: User, purpose: LinkPurpose) -> None:
    """Queue an e-mail with a one-time link to ``user``; ``actor`` is None for a
    self-service reset. Audited without the token."""
    if not user.is_active_account:
        raise DomainError(N_("The account is deactivated. Reactivate it first."))
    held_until = links_held_until(user)
    if held_until is not None:
        # Refused to the administrator; forgot-password's caller sends nothing and says
        # nothing (accounts/services.request_password_reset).
        raise DomainError(HELD, days=hold_days(), date=held_until)
    queue_mail(
        user,
        f"password_{purpose.value}",
        f"accounts/password_{purpose.value}",
        SUBJECTS[purpose],
        link=absolute_url(
            "accounts.password_link", _fallback=None, token=make_token(user, purpose)
        ),
        hours=int(MAX_AGE[purpose].total_seconds() // 3600),
        days=MAX_AGE[purpose].days,
    )
    audit.record(actor, "user.password_link_sent", user, purpose=purpose.value)


def set_password_by_link(token: str, new_password: str, now: datetime | None = None) -> User:
    """Set the password the link allows; the link and every session of the user end.

    :raises LinkRefused: the link no longer works (also when a concurrent use won)
    :raises DomainError: the password breaks the rules (on ``new_password``)
    """
    link = check_link(token, now)
    user = link.user
    problem = password_problem(new_password, [user.email, user.name])
    if problem:
        raise DomainError(problem, field="new_password")
    old_hash, old_version = user.password_hash, user.session_version
    # Conditional, so that of two uses of one link at the same moment only one counts.
    done = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.session_version == old_version,
            User.password_hash.is_(None) if old_hash is None else User.password_hash == old_hash,
        )
        .values(password_hash=hash_password(new_password), session_version=old_version + 1)
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount != 1:
        raise LinkRefused(GONE, 410)
    audit.record(user, "user.password_set_by_link", user, purpose=link.purpose.value)
    # Every link sent to the person so far is dead now: their texts go.
    clear_link_mails(MailMessage.to_user_id == user.id)
    db.session.flush()
    return user


#: the outbox kinds of the link mails, by purpose
MAIL_KINDS = {purpose: f"password_{purpose.value}" for purpose in LinkPurpose}
#: what the outbox says of an unsent link mail whose link no longer works
NOT_SENT = "not sent: the link in it has been used or has expired"


def clear_link_mails(condition) -> int:
    """Clear the text of the link mails that ``condition`` selects (the link in them no
    longer works); one not sent yet is not sent at all. Returns how many were cleared."""
    selected = and_(
        condition,
        MailMessage.kind.in_(MAIL_KINDS.values()),
        or_(MailMessage.body_text != "", MailMessage.body_html != ""),
    )
    cleared = 0
    for unsent in (False, True):
        values = {"body_text": "", "body_html": ""}
        if unsent:
            values |= {"status": MailStatus.DEAD, "last_error": NOT_SENT, "locked_until": None}
        status = (
            MailMessage.status != MailStatus.SENT
            if unsent
            else MailMessage.status == MailStatus.SENT
        )
        cleared += db.session.execute(
            update(MailMessage)
            .where(selected, status)
            .values(values)
            .execution_options(synchronize_session=False)
        ).rowcount
    return cleared


def clear_expired_link_mails(now: datetime) -> int:
    """For daily-jobs: clear the text of link mails whose link has expired (24 hours for a
    reset, 7 days for an invitation) though it was never used."""
    return clear_link_mails(
        or_(
            *(
                and_(MailMessage.kind == kind, MailMessage.created_at < now - MAX_AGE[purpose])
                for purpose, kind in MAIL_KINDS.items()
            )
        )
    )
