"""Links from a person's account to their identity at the city's OpenID provider, and the
administrator's sign-in policy (accounts/oidc.py uses both)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.core.models import UTCDateTime, utcnow
from lahti_pool.extensions import db


class ExternalIdentity(db.Model):
    """One account's subject at one issuer; a subject opens exactly one account."""

    __tablename__ = "external_identities"
    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        # an account is linked to at most one person at each provider
        UniqueConstraint("issuer", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the provider's issuer URL as in its ID tokens
    issuer: Mapped[str] = mapped_column(String(255))
    #: the stable subject (Entra ID: the object id ``oid``), never a display name
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInPolicy(db.Model):
    """The administrator's sign-in settings: one row (id 1), absent until first changed."""

    __tablename__ = "sign_in_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: False: only external (contracted) supervisors may sign in with a password
    local_passwords: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def current_policy() -> SignInPolicy:
    """The policy row, or an unsaved default (local passwords on) when none is stored."""
    policy = db.session.scalar(select(SignInPolicy).where(SignInPolicy.id == 1))
    return policy if policy is not None else SignInPolicy(id=1, local_passwords=True)
