"""Units with low uptake, and the administrator's prepared message to their managers."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from lahti_pool.accounts.models import MANAGER_JOB_GROUPS, Role, User, UserRole
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.core.i18n import babel_locale
from lahti_pool.core.mailer import absolute_url
from lahti_pool.extensions import db
from lahti_pool.nudges.models import NudgeKind
from lahti_pool.nudges.services import Refusal, refusal, send_nudge
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.models import QuotaAccount, SchoolYear

MAX_SUBJECT = 150
MAX_BODY = 5000


@dataclass(frozen=True)
class UnitUptake:
    unit_id: int
    unit_name: str
    division_fi: str
    division_en: str
    staff: int
    #: staff who have used, planned or asked for a session this school year
    reached: int

    @property
    def percent(self) -> int:
        return round(100 * self.reached / self.staff) if self.staff else 0


def low_uptake_units(year: SchoolYear) -> list[UnitUptake]:
    """Units of at least ``LOW_UPTAKE_MIN_STAFF`` active staff where fewer than
    ``LOW_UPTAKE_PERCENT`` % were reached this school year, lowest share first (one
    aggregate statement)."""
    config = current_app.config
    engaged = (QuotaAccount.used + QuotaAccount.reserved + QuotaAccount.pending) > 0
    rows = db.session.execute(
        select(
            Unit.id,
            Unit.name,
            Division.name_fi,
            Division.name_en,
            func.count(User.id),
            func.sum(case((engaged, 1), else_=0)),
        )
        .select_from(User)
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.STAFF))
        .join(Unit, Unit.id == User.unit_id)
        .join(Division, Division.id == Unit.division_id)
        .outerjoin(
            QuotaAccount,
            (QuotaAccount.user_id == User.id) & (QuotaAccount.school_year_id == year.id),
        )
        .where(User.is_active_account.is_(True))
        .group_by(Unit.id, Unit.name, Division.name_fi, Division.name_en)
    ).all()
    units = [
        UnitUptake(unit_id, name, div_fi, div_en, staff, int(reached or 0))
        for unit_id, name, div_fi, div_en, staff, reached in rows
    ]
    low = [
        u
        for u in units
        if u.staff >= config["LOW_UPTAKE_MIN_STAFF"]
        and 100 * u.reached < config["LOW_UPTAKE_PERCENT"] * u.staff
    ]
    return sorted(low, key=lambda u: (u.reached / u.staff, u.unit_name))


def unit_managers(unit: Unit) -> list[User]:
    """The active managers of the unit: granted the role, or principals and managers by HR."""
    granted = select(UserRole.user_id).where(UserRole.role == Role.MANAGER)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.unit_id == unit.id,
                User.is_active_account.is_(True),
                User.id.in_(granted) | User.job_group.in_(MANAGER_JOB_GROUPS),
            )
            .order_by(User.name, User.id)
        )
    )


def message_key(year: SchoolYear, unit: Unit) -> str:
    """Once a school year a unit's managers may get the message (the same nudge)."""
    return f"uptake-{year.id}-{unit.id}"


def prepared_message(unit: Unit, year: SchoolYear, managers: list[User]) -> tuple[str, str]:
    """The subject and text the administrator starts from, in the managers' language when
    they share one, else the pool's."""
    languages = {m.locale for m in managers if m.locale in current_app.config["LANGUAGES"]}
    language = (
        languages.pop() if len(languages) == 1 else current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    with force_locale(babel_locale(language)):
        subject = _("Work supervision for the staff of %(unit)s", unit=unit.name)
        body = _(
            "Every member of staff in %(unit)s may have up to %(n)s sessions of work supervision "
            "in school year %(year)s, individually or in a group. Few in your unit have used "
            "the opportunity so far.\n\n"
            "Could you remind your team of it? Wanting supervision is enough: nobody assesses "
            "the need, and what is said stays between the person and the supervisor.\n\n"
            "As the unit's manager you can also order group supervision for members of your "
            "team in the app; it does not use your own sessions.",
            unit=unit.name,
            n=year.quota,
            year=year.label,
        )
    return subject, body


@dataclass(frozen=True)
class MessageResult:
    sent: list[User]
    #: the managers not sent to, by reason
    refused: dict[Refusal, list[User]]


def send_unit_message(
    actor: User, unit: Unit, year: SchoolYear, subject: str, body: str, now: datetime
) -> MessageResult:
    """Queue the administrator's text to each manager of the unit, within the nudge limits."""
    subject, body = subject.strip(), body.strip()
    if not subject or len(subject) > MAX_SUBJECT:
        raise DomainError(
            N_("Give a subject of at most %(n)s characters."), field="subject", n=MAX_SUBJECT
        )
    if not body or len(body) > MAX_BODY:
        raise DomainError(
            N_("Write a message of at most %(n)s characters."), field="body", n=MAX_BODY
        )
    managers = unit_managers(unit)
    if not managers:
        raise DomainError(
            N_(
                "%(unit)s has no manager in the pool. Grant the unit manager role to its "
                "head on the Users page first."
            ),
            unit=unit.name,
        )
    key = message_key(year, unit)
    sent: list[User] = []
    refused: dict[Refusal, list[User]] = {}
    link = absolute_url("requests.dashboard")
    for manager in managers:
        why = refusal(manager, NudgeKind.UNIT_UPTAKE, key, now)
        if why is None and send_nudge(
            manager,
            NudgeKind.UNIT_UPTAKE,
            key,
            now,
            "nudges/unit_uptake",
            subject,
            text=body,
            link=link,
        ):
            sent.append(manager)
        else:
            refused.setdefault(why or Refusal.ALREADY_SENT, []).append(manager)
    audit.record(
        actor,
        "nudge.unit_message",
        unit,
        sent=len(sent),
        refused={str(k): len(v) for k, v in refused.items()},
    )
    return MessageResult(sent, refused)
