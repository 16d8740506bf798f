"""The client addresses an account has signed in from, so that an attacker elsewhere
cannot keep the account locked out.

The per-account login limit (``LOGIN_LIMIT_PER_ACCOUNT``) counts failures in one bucket
for all unknown addresses, and in a bucket of its own for each address the account has
signed in from within ``KNOWN_ADDRESS_DAYS``. Five wrong passwords from elsewhere block
only elsewhere: the person at their usual address still gets in (and is still throttled
there if somebody guesses from that very address). The per-address limit applies to all.

Addresses are kept as a keyed hash (HMAC with SECRET_KEY), never in clear text.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.accounts.models import User
from lahti_pool.core.models import UTCDateTime, upsert, utcnow
from lahti_pool.extensions import db

#: an address counts as the person's for this long after their last login from it
KNOWN_ADDRESS_DAYS = 90


class KnownLoginAddress(db.Model):
    """A client address a user has signed in from (hashed), and when last."""

    __tablename__ = "known_login_addresses"
    __table_args__ = (UniqueConstraint("user_id", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address_hash: Mapped[str] = mapped_column(String(64))
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def address_hash(address: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"login-address:{address}".encode(), hashlib.sha256).hexdigest()


def remember(user: User, address: str | None, now: datetime | None = None) -> None:
    """Note a successful login of ``user`` from ``address``."""
    if not address:
        return
    now = now or utcnow()
    statement = upsert(KnownLoginAddress).values(
        user_id=user.id, address_hash=address_hash(address), last_login_at=now
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "address_hash"], set_={"last_login_at": now}
        )
    )


def is_known(email: str, address: str | None, now: datetime | None = None) -> bool:
    """Whether the account with this (normalised) address has signed in from ``address``
    within KNOWN_ADDRESS_DAYS."""
    if not address or not email:
        return False
    since = (now or utcnow()) - timedelta(days=KNOWN_ADDRESS_DAYS)
    return (
        db.session.scalar(
            select(KnownLoginAddress.id)
            .join(User, User.id == KnownLoginAddress.user_id)
            .where(
                User.email == email,
                KnownLoginAddress.address_hash == address_hash(address),
                KnownLoginAddress.last_login_at >= since,
            )
            .limit(1)
        )
        is not None
    )
