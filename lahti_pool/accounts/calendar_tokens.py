"""The secret in a user's calendar feed address: made, checked and revoked here.

Only the secret's SHA-256 is stored (``User.calendar_token``), so that a copy of the
database (a backup, a dump) opens nobody's calendar; the address is shown once, when made.
"""

import hashlib
import secrets

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.extensions import db


def token_hash(token: str) -> str:
    """What is stored of a feed token: its SHA-256 (the token has 256 random bits, so no
    salt or slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    """The active user whose feed token this is; None for an unknown or revoked token."""
    if not token or len(token) > 64:
        return None
    digest = token_hash(token)
    user = db.session.scalar(select(User).where(User.calendar_token == digest))
    if (
        user is None
        or not user.is_active_account
        or not secrets.compare_digest(user.calendar_token, digest)
    ):
        return None
    return user


def renew_calendar_token(user: User) -> str:
    """Make a new feed URL secret and return it (only its hash is kept, so it is shown
    once); the old URL stops working."""
    token = secrets.token_urlsafe(32)
    user.calendar_token = token_hash(token)
    audit.record(user, "calendar.token_created", user)
    return token


def revoke_calendar_token(user: User) -> None:
    """Turn the feed off: every URL made so far stops working."""
    user.calendar_token = None
    audit.record(user, "calendar.token_revoked", user)
