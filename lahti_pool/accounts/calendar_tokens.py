"""The secret in a user's calendar feed address: made, checked and revoked here."""

import secrets

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.extensions import db


def user_for_token(token: str) -> User | None:
    """The active user whose feed token this is; None for an unknown or revoked token."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if (
        user is None
        or not user.is_active_account
        or not secrets.compare_digest(user.calendar_token, token)
    ):
        return None
    return user


def renew_calendar_token(user: User) -> str:
    """Make a new feed URL secret; the old URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    audit.record(user, "calendar.token_created", user)
    return user.calendar_token


def revoke_calendar_token(user: User) -> None:
    """Turn the feed off: every URL made so far stops working."""
    user.calendar_token = None
    audit.record(user, "calendar.token_revoked", user)
