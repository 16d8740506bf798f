"""Account use cases: authenticate, create and change users."""

from dataclasses import dataclass

from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.passwords import hash_password, password_problem, verify_password
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


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
    password: str | None = None


def _apply(user: User, data: UserInput) -> None:
    email = data.email.strip().lower()
    other = find_user_by_email(email)
    if other is not None and other is not user:
        raise DomainError(N_("Another user already has this e-mail address."), field="email")
    if data.unit_id is not None and db.session.get(Unit, data.unit_id) is None:
        raise DomainError(N_("Choose a unit from the list."), field="unit")
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


def create_user(actor: User, data: UserInput) -> User:
    user = User(session_version=1)
    _apply(user, data)
    user.set_roles(set(data.roles))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, roles=sorted(r.value for r in data.roles))
    return user


def update_user(actor: User, user: User, data: UserInput) -> None:
    old_roles = user.roles
    if user.id == actor.id and Role.ADMIN in old_roles and Role.ADMIN not in data.roles:
        raise DomainError(N_("You cannot remove your own administrator role."), field="role_admin")
    _apply(user, data)
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
