"""Account use cases: authenticate, create and change users."""

from dataclasses import dataclass

from sqlalchemy import func, select

from lahti_pool.accounts.addresses import lookup_form, normalise_email
from lahti_pool.accounts.email_changes import links_held_until, start_email_change
from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.password_links import LinkPurpose, send_password_link
from lahti_pool.accounts.passwords import hash_password, password_problem, verify_password
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit
from lahti_pool.supervisors.models import Supervisor


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == lookup_form(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; same work either way."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        audit.record(user, "login.failed")
        return None
    audit.record(user, "login.succeeded", user)
    return user


@dataclass(frozen=True)
class UserInput:
    email: str
    name: str
    job_title: str
    unit_id: int | None
    roles: frozenset[Role]
    #: only from ``flask pool create-admin``: the administrator's web form has no password
    password: str | None = None


def check_roles(user: User, roles: frozenset[Role] | set[Role]) -> None:
    """The pool administrator is never a supervisor, on one account.

    A supervisor reads the confidential pre-question answers and goals of their clients;
    the administrator assigns supervisors and so could assign themself. The supervisor
    profile counts too: it, not the role, decides whose answers a user reads.
    """
    if Role.ADMIN not in roles:
        return
    if Role.SUPERVISOR in roles:
        raise DomainError(
            N_(
                "One account cannot be both the pool administrator and a supervisor: "
                "a supervisor reads confidential answers the administrator may not see."
            ),
            field="role_admin",
        )
    if user.id is not None and db.session.scalar(
        select(Supervisor.id).where(Supervisor.user_id == user.id)
    ):
        raise DomainError(
            N_(
                "This user has a supervisor profile and so cannot be the pool administrator: "
                "a supervisor reads confidential answers the administrator may not see."
            ),
            field="role_admin",
        )


def _apply(actor: User | None, user: User, data: UserInput) -> None:
    email = normalise_email(data.email)
    other = find_user_by_email(email)
    if other is not None and other is not user:
        raise DomainError(N_("Another user already has this e-mail address."), field="email")
    if data.unit_id is not None and db.session.get(Unit, data.unit_id) is None:
        raise DomainError(N_("Choose a unit from the list."), field="unit")
    if user.email and user.email != email:
        if actor is not None and actor.id != user.id:
            # Somebody else's address: pending until the new address confirms and held
            # against password links for days after (accounts/email_changes.py).
            start_email_change(actor, user, email)
        else:
            audit.record(actor, "user.email_changed", user)
            user.email = email
    else:
        user.email = email
    user.name = data.name.strip()
    user.job_title = data.job_title.strip()
    user.unit_id = data.unit_id
    if data.password:
        problem = password_problem(data.password, [email, data.name])
        if problem:
            raise DomainError(problem, field="password")
        user.password_hash = hash_password(data.password)
        user.session_version = (user.session_version or 1) + 1


def create_user(actor: User | None, data: UserInput, invite: bool = False) -> User:
    """Create a user; with ``invite`` they get an e-mail with a link to set a password."""
    user = User(session_version=1)
    check_roles(user, data.roles)
    _apply(actor, user, data)
    user.set_roles(set(data.roles))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, roles=sorted(r.value for r in data.roles))
    if invite:
        send_password_link(actor, user, LinkPurpose.INVITATION)
    return user


def update_user(actor: User, user: User, data: UserInput) -> None:
    old_roles = user.roles
    if user.id == actor.id and Role.ADMIN in old_roles and Role.ADMIN not in data.roles:
        raise DomainError(N_("You cannot remove your own administrator role."), field="role_admin")
    check_roles(user, data.roles)
    _apply(actor, user, data)
    user.set_roles(set(data.roles))
    if old_roles != set(data.roles):
        audit.record(
            actor,
            "user.roles_changed",
            user,
            old=sorted(r.value for r in old_roles),
            new=sorted(r.value for r in data.roles),
        )
    audit.record(actor, "user.updated", user)
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (ending every session of theirs at once) or reactivate a user."""
    if user.id == actor.id and not active:
        raise DomainError(N_("You cannot deactivate your own account."))
    user.is_active_account = active
    user.session_version += 1
    audit.record(actor, "user.activated" if active else "user.deactivated", user)
    db.session.flush()


def send_link_by_admin(actor: User, user: User) -> None:
    """The administrator's "send a password link": an invitation while the user has no
    password yet, otherwise a reset. The administrator never sees the link."""
    purpose = LinkPurpose.RESET if user.password_hash else LinkPurpose.INVITATION
    send_password_link(actor, user, purpose)


def request_password_reset(email: str) -> None:
    """Forgot-password: a link to an active account with this address; else nothing.

    The caller answers the same either way, so the page does not tell who has an account.
    """
    from lahti_pool.accounts.oidc import may_use_local_password

    user = find_user_by_email(email[:254])
    if (
        user is None
        or not user.is_active_account
        or not may_use_local_password(user)  # with staff passwords off: the city account
        or links_held_until(user) is not None  # an address changed by an administrator
    ):
        return
    send_password_link(None, user, LinkPurpose.RESET)
