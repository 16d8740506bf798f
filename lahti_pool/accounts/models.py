"""Users, their roles and their login state."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.organisation.models import Unit


class Role(enum.StrEnum):
    STAFF = "staff"  #: may request supervision
    SUPERVISOR = "supervisor"  #: holds sessions
    ADMIN = "admin"  #: the pool administrator
    REPORTS = "reports"  #: development services: aggregates only
    #: a unit's manager, granted by the administrator; HR's principals and managers are
    #: unit managers without it (User.is_unit_manager)
    MANAGER = "manager"
    #: an official of a guest organisation (organisation.models.Organisation), invited by
    #: e-mail to a limited account: sees only their own groups and sessions
    GUEST = "guest"


#: the job groups HR marks as heads of their unit (organisation/job_groups.py)
MANAGER_JOB_GROUPS = frozenset({JobGroup.PRINCIPAL, JobGroup.MANAGER})


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role"),
        # a city's few administrators, found without reading its 50,000 users
        Index("ix_user_roles_role_user_id", "role", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case; the login name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: indexed: the users list is ordered by name, fifty at a time
    name: Mapped[str] = mapped_column(String(200), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active_account: Mapped[bool] = mapped_column("active", Boolean, default=True)
    job_title: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: preferred language for the UI and e-mail ("fi", "sv" or "en"); empty follows the browser
    locale: Mapped[str] = mapped_column(String(5), default="")
    #: bumped on logout-everywhere, password change and deactivation; a session
    #: cookie carrying an older version is no longer accepted
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the SHA-256 (hex) of the private calendar feed URL's secret, never the secret
    #: itself (core/calendar.py); None when revoked or never made
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: a weekly e-mail listing free on-duty slots, for staff with quota left
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the HR system's employee number: the key of the HR sync and of a first single
    #: sign-on (accounts/oidc.py); empty for people HR does not know (supervisors)
    staff_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    #: mapped from the job title by the HR sync (organisation/job_groups.py)
    job_group: Mapped[JobGroup] = mapped_column(
        str_enum(JobGroup), default=JobGroup.OTHER, server_default=JobGroup.OTHER.value
    )

    unit: Mapped[Unit | None] = relationship()
    #: loaded with the logged-in user (web.load_user) and where a page lists roles; not
    #: with every user a page names, which cost a query per list
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self) -> set[Role]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_unit_manager(self) -> bool:
        """Manages the unit they belong to: a role the administrator granted, or a principal
        or manager by HR's job title (the HR sync keeps the job group)."""
        return self.unit_id is not None and (
            self.has_role(Role.MANAGER) or self.job_group in MANAGER_JOB_GROUPS
        )

    def set_roles(self, roles: set[Role]) -> None:
        keep = [r for r in self.role_rows if r.role in roles]
        have = {r.role for r in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(roles - have)]

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"
