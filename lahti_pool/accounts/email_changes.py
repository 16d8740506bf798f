"""An administrator's change of somebody else's e-mail address, and its safeguards.

The address decides where password links go. Were an administrator's change to take
effect at once, the administrator could change a supervisor's address to one of their
own, send a password link, set a password and read the supervisor's clients' confidential
answers. So an administrator's change:

1. is *pending* until the new address confirms it through a link e-mailed to it; until
   then messages and password links go to the old address;
2. is told to the old address at once, with a link to stop it; the link works while the
   change is pending and for ``EMAIL_CHANGE_HOLD_DAYS`` after it was confirmed (stopping
   a confirmed change puts the old address back and ends every session of the account);
3. holds back password links for ``EMAIL_CHANGE_HOLD_DAYS`` after the confirmation, for
   an account in use (one with a password, or a supervisor's): the administrator's "send
   a link" is refused and forgot-password sends nothing, so the old address has those days
   to stop the change before anybody at the new address can set a password.

A person changing their own address (re-authenticated with their password) is not held.
"""

import enum
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.core.mailer import absolute_url, queue_mail
from lahti_pool.core.models import UTCDateTime, utcnow
from lahti_pool.extensions import db

#: separates these tokens from every other use of SECRET_KEY
SALT = "lahti-pool.email-change"
#: how long the new address has to confirm
CONFIRM_DAYS = 7


class EmailChange(db.Model):
    """An administrator's change of a user's address: pending, confirmed or stopped."""

    __tablename__ = "email_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    old_email: Mapped[str] = mapped_column(String(254))
    new_email: Mapped[str] = mapped_column(String(254))
    #: the administrator who made it
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the new address confirmed; from then on it is the account's address
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the old address stopped it, or a newer change replaced it
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ChangeAction(enum.StrEnum):
    CONFIRM = "confirm"  #: the new address confirms
    STOP = "stop"  #: the old address stops the change


class ChangeLinkRefused(DomainError):
    """The link cannot be used; ``status`` is 400 (garbled) or 410 (expired or done)."""

    def __init__(self, msgid: str, status: int) -> None:
        super().__init__(msgid)
        self.status = status


GARBLED = N_("This link is not complete or not valid. Copy the whole link from the e-mail.")
GONE = N_("This link has expired, or the change has been confirmed or stopped already.")
HELD = N_(
    "The administrator changed this user's e-mail address less than %(days)s days ago. "
    "To protect the account, password links go to the new address only from %(date)s on."
)


def hold_days() -> int:
    return current_app.config["EMAIL_CHANGE_HOLD_DAYS"]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(change: EmailChange, action: ChangeAction) -> str:
    return _serializer().dumps({"c": change.id, "a": action.value})


def open_change(user: User) -> EmailChange | None:
    """The user's change that waits for the new address to confirm, if any."""
    return db.session.scalar(
        select(EmailChange).where(
            EmailChange.user_id == user.id,
            EmailChange.confirmed_at.is_(None),
            EmailChange.stopped_at.is_(None),
        )
    )


def start_email_change(actor: User, user: User, new_email: str) -> EmailChange:
    """Record an administrator's change as pending; mail the new address a link to
    confirm it and the old address a link to stop it. The account's address stays."""
    now = utcnow()
    db.session.execute(
        update(EmailChange)
        .where(
            EmailChange.user_id == user.id,
            EmailChange.confirmed_at.is_(None),
            EmailChange.stopped_at.is_(None),
        )
        .values(stopped_at=now)
        .execution_options(synchronize_session=False)
    )
    change = EmailChange(
        user=user,
        old_email=user.email,
        new_email=new_email,
        requested_by_id=actor.id,
        requested_at=now,
    )
    db.session.add(change)
    # The account's sessions end, and so do password links sent to the old address before
    # (their fingerprint holds the session version): a mistyped address's link, too.
    user.session_version += 1
    db.session.flush()
    queue_mail(
        user,
        "email_change_confirm",
        "accounts/email_change_confirm",
        _l("Confirm your e-mail address for the supervision pool"),
        to_address=new_email,
        new_address=new_email,
        link=absolute_url(
            "accounts.email_change", _fallback=None, token=make_token(change, ChangeAction.CONFIRM)
        ),
        days=CONFIRM_DAYS,
    )
    queue_mail(
        user,
        "email_changed",
        "accounts/email_changed",
        _l("The e-mail address of your account is being changed"),
        to_address=user.email,
        old_address=user.email,
        new_address=new_email,
        link=absolute_url(
            "accounts.email_change", _fallback=None, token=make_token(change, ChangeAction.STOP)
        ),
        days=hold_days(),
    )
    audit.record(actor, "user.email_change_requested", user, change=change.id)
    return change


def check_change_link(token: str, now: datetime | None = None) -> tuple[EmailChange, ChangeAction]:
    """The change and the action of a link that still works.

    :raises ChangeLinkRefused: 400 for a garbled token, 410 for an expired one or a change
        confirmed or stopped already (or, for a stop, confirmed more than the hold ago)
    """
    now = now or utcnow()
    max_age = timedelta(days=CONFIRM_DAYS + hold_days())
    try:
        data, issued = _serializer().loads(
            token, max_age=max_age.total_seconds(), return_timestamp=True
        )
    except SignatureExpired as error:
        raise ChangeLinkRefused(GONE, 410) from error
    except BadData as error:
        raise ChangeLinkRefused(GARBLED, 400) from error
    if not (
        isinstance(data, dict)
        and isinstance(data.get("c"), int)
        and data.get("a") in set(ChangeAction)
    ):
        raise ChangeLinkRefused(GARBLED, 400)
    action = ChangeAction(data["a"])
    change = db.session.get(EmailChange, data["c"])
    if change is None or change.stopped_at is not None:
        raise ChangeLinkRefused(GONE, 410)
    if action is ChangeAction.CONFIRM and (
        change.confirmed_at is not None or now - issued > timedelta(days=CONFIRM_DAYS)
    ):
        raise ChangeLinkRefused(GONE, 410)
    if (
        action is ChangeAction.STOP
        and change.confirmed_at is not None
        and now - change.confirmed_at > timedelta(days=hold_days())
    ):
        raise ChangeLinkRefused(GONE, 410)
    return change, action


def _address_taken(address: str, user: User) -> bool:
    other = db.session.scalar(select(User.id).where(User.email == address))
    return other is not None and other != user.id


def use_change_link(token: str, now: datetime | None = None) -> tuple[EmailChange, ChangeAction]:
    """Confirm or stop the change the link names.

    :raises ChangeLinkRefused: the link no longer works (also when a concurrent use won)
    :raises DomainError: the address is another user's by now
    """
    now = now or utcnow()
    change, action = check_change_link(token, now)
    user = change.user
    if action is ChangeAction.CONFIRM:
        if user.email != change.old_email or _address_taken(change.new_email, user):
            raise DomainError(N_("Another user already has this e-mail address."))
        if not _claim(change, EmailChange.confirmed_at, now):
            raise ChangeLinkRefused(GONE, 410)
        user.email = change.new_email
        audit.record(None, "user.email_change_confirmed", user, change=change.id)
        if user.password_hash is None and links_held_until(user, now) is None:
            # A new user whose mistyped address was corrected: the invitation follows.
            from lahti_pool.accounts.password_links import LinkPurpose, send_password_link

            db.session.flush()
            send_password_link(None, user, LinkPurpose.INVITATION)
    else:
        if not _claim(change, EmailChange.stopped_at, now):
            raise ChangeLinkRefused(GONE, 410)
        if change.confirmed_at is not None and user.email == change.new_email:
            if _address_taken(change.old_email, user):
                raise DomainError(N_("Another user already has this e-mail address."))
            user.email = change.old_email
        # Whoever logged in meanwhile is logged out; links made since stop working.
        user.session_version += 1
        audit.record(None, "user.email_change_stopped", user, change=change.id)
    db.session.flush()
    return change, action


def _claim(change: EmailChange, column, now: datetime) -> bool:
    """Set ``column`` on a change still open for it: of two uses at once only one counts."""
    done = db.session.execute(
        update(EmailChange)
        .where(EmailChange.id == change.id, EmailChange.stopped_at.is_(None), column.is_(None))
        .values({column.key: now})
        .execution_options(synchronize_session="fetch")
    )
    return done.rowcount == 1


def _in_use(user: User) -> bool:
    """An account somebody has used or whose use reads confidential answers."""
    from lahti_pool.supervisors.models import Supervisor

    return user.password_hash is not None or (
        db.session.scalar(select(Supervisor.id).where(Supervisor.user_id == user.id)) is not None
    )


def links_held_until(user: User, now: datetime | None = None) -> datetime | None:
    """Until when password links to ``user`` are held back after an administrator's
    change of their address, or None when they are not."""
    now = now or utcnow()
    confirmed = db.session.scalar(
        select(EmailChange.confirmed_at)
        .where(
            EmailChange.user_id == user.id,
            EmailChange.stopped_at.is_(None),
            EmailChange.confirmed_at > now - timedelta(days=hold_days()),
        )
        .order_by(EmailChange.confirmed_at.desc())
        .limit(1)
    )
    if confirmed is None or not _in_use(user):
        return None
    return confirmed + timedelta(days=hold_days())
