"""Whose account a checked sign-in opens: the stable subject, the first link (by staff
number or verified address, as OIDC_LINK_BY says), roles from groups, and the log of use.
The protocol is in accounts/oidc.py; the README says why the link works as it does."""

import hashlib

from flask import current_app
from sqlalchemy import func, select

from lahti_pool.accounts.identities import ExternalIdentity
from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.oidc import OidcSettings, SignInRefused, settings
from lahti_pool.core import audit
from lahti_pool.core.errors import N_
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db


def _refuse(reason: str, message: str, status: int = 403) -> SignInRefused:
    return SignInRefused(reason, message, status)


def _verified_email(claims: dict) -> str | None:
    email = claims.get("email")
    # Entra ID sends no email_verified; its optional claim xms_edov says the address is
    # in a domain the tenant has verified.
    verified = claims.get("email_verified") is True or claims.get("xms_edov") in (True, "1", 1)
    return email.strip().lower() if isinstance(email, str) and email and verified else None


def _link_candidate(config: OidcSettings, claims: dict) -> User | None:
    if config.link_by == "staff_number":
        number = claims.get(config.staff_number_claim)
        if isinstance(number, int | str) and str(number).strip():
            return db.session.scalar(select(User).where(User.staff_number == str(number).strip()))
    elif config.link_by == "email":
        email = _verified_email(claims)
        if email:
            return db.session.scalar(select(User).where(func.lower(User.email) == email))
    return None


def _apply_group_roles(config: OidcSettings, user: User, claims: dict) -> None:
    if not config.group_roles:
        return
    groups = claims.get(config.groups_claim) or []
    groups = groups if isinstance(groups, list) else [groups]
    granted = set().union(*(config.group_roles.get(str(g), frozenset()) for g in groups))
    managed = set().union(*config.group_roles.values())
    roles = (user.roles - managed) | granted
    if Role.ADMIN in roles and Role.SUPERVISOR in roles:
        roles.discard(Role.ADMIN)  # never both on one account (accounts/services.check_roles)
    if roles != user.roles:
        audit.record(
            None,
            "user.roles_changed",
            user,
            roles=sorted(str(r) for r in roles),
            source="oidc_groups",
        )
        user.set_roles(roles)


def _subject_hash(subject: str) -> str:
    """Short, non-reversible: lets the log of use tie refusals together without the id."""
    return hashlib.sha256(subject.encode()).hexdigest()[:12]


def account_for(claims: dict) -> User:
    """The active account these checked claims sign in to, linking it on first sign-in.

    Raises SignInRefused (nothing written but the caller's refusal event).
    """
    config = settings()
    assert config is not None
    issuer, subject = claims["iss"], claims[config.subject_claim]
    identity = db.session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
        )
    )
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        user = _link_candidate(config, claims)
        if user is None:
            raise _refuse(
                "not_linked",
                N_(
                    "Your city account is not linked to an account in the pool. Ask the pool "
                    "administrator to check your staff number in the pool."
                ),
            )
        other = db.session.scalar(
            select(ExternalIdentity).where(
                ExternalIdentity.issuer == issuer, ExternalIdentity.user_id == user.id
            )
        )
        if other is not None:
            raise _refuse(
                "linked_to_other",
                N_(
                    "This pool account is already linked to another city account. "
                    "Ask the pool administrator."
                ),
            )
        identity = ExternalIdentity(user_id=user.id, issuer=issuer, subject=subject)
        db.session.add(identity)
        audit.record(None, "user.sso_linked", user, by=config.link_by)
    if user is None or not user.is_active:
        raise _refuse("inactive", N_("Your account in the pool has been deactivated."))
    identity.last_sign_in_at = utcnow()
    _apply_group_roles(config, user, claims)
    locale = claims.get("locale")
    if not user.locale and isinstance(locale, str):
        language = locale.split("-")[0].lower()
        if language in current_app.config["LANGUAGES"]:
            user.locale = language
    audit.record(user, "login.succeeded", user, method="oidc")
    db.session.flush()
    return user


def record_refusal(reason: str, claims: dict | None = None) -> None:
    """The refusal in the log of use: the reason and a hash of the subject, no claims."""
    config = settings()
    subject = (claims or {}).get(config.subject_claim if config else "sub")
    details = {"reason": reason}
    if isinstance(subject, str):
        details["subject_hash"] = _subject_hash(subject)
    audit.record_now(None, "login.sso_refused", **details)
