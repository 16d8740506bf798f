"""The programmes' use cases: they take the acting user, change rows, queue mail, flush;
never commit."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.programmes import mails, rules
from lahti_pool.programmes.models import (
    PENDING_STATUSES,
    DayAttendance,
    DayGuest,
    MemberStatus,
    ModuleDay,
    Programme,
    ProgrammeMember,
    ProgrammeModule,
    ProgrammeOrganiser,
)


def can_manage(user, programme: Programme) -> bool:
    """The administrator and the programme's organisers manage it."""
    return user.has_role(Role.ADMIN) or programme.is_organiser(user)


def _require_manager(actor, programme: Programme) -> None:
    if not can_manage(actor, programme):
        raise NotPermitted(N_("Only the programme's organisers may do this."))


def member_of(programme: Programme, user) -> ProgrammeMember | None:
    return next((m for m in programme.members if m.user_id == user.id), None)


def accepted_members(programme: Programme) -> list[ProgrammeMember]:
    return [m for m in programme.members if m.status == MemberStatus.ACCEPTED]


def find_user(email: str, field: str) -> User:
    """An active account by its e-mail address, or a message next to ``field``."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active_account:
        raise DomainError(N_("Nobody in the pool has that e-mail address."), field=field)
    return user


@dataclass(frozen=True)
class ProgrammeInput:
    name: str
    audience: str
    starts_on: date
    ends_on: date
    funding_source_id: int | None
    capacity: int
    modules_required: int
    issuer: str
    open_for_applications: bool


def create_programme(actor, data: ProgrammeInput) -> Programme:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the administrator may create programmes."))
    rules.check_programme(data.starts_on, data.ends_on, data.capacity, data.modules_required)
    programme = Programme(**data.__dict__)
    db.session.add(programme)
    db.session.flush()
    audit.record(actor, "programme.created", programme)
    return programme


def grant_organiser(actor, programme: Programme, user: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the administrator may grant the organiser role."))
    if programme.is_organiser(user):
        raise DomainError(N_("%(name)s is an organiser already."), field="email", name=user.name)
    programme.organisers.append(ProgrammeOrganiser(user_id=user.id))
    db.session.flush()
    audit.record(actor, "programme.organiser_granted", programme, user_id=user.id)


def apply(actor, programme: Programme, today: date) -> ProgrammeMember:
    """A staff member applies to the cohort; the organiser decides."""
    if not programme.open_for_applications or today > programme.ends_on:
        raise InvalidTransition(N_("This programme takes no applications."))
    return _join(actor, programme, actor, MemberStatus.APPLIED)


def can_nominate(actor, programme: Programme, person: User) -> bool:
    """Organisers and the administrator nominate anybody; a unit's manager their own
    unit's staff."""
    if can_manage(actor, programme):
        return True
    return actor.is_unit_manager and person.unit_id == actor.unit_id


def nominate(actor, programme: Programme, person: User) -> ProgrammeMember:
    if not can_nominate(actor, programme, person):
        raise NotPermitted(N_("You may nominate only the staff of your own unit."), field="email")
    return _join(actor, programme, person, MemberStatus.NOMINATED)


def _join(actor, programme: Programme, person: User, status: MemberStatus) -> ProgrammeMember:
    if member_of(programme, person) is not None:
        raise DomainError(
            N_("%(name)s has applied or been nominated already."), field="email", name=person.name
        )
    member = ProgrammeMember(
        user_id=person.id,
        status=status,
        nominated_by_id=actor.id if status == MemberStatus.NOMINATED else None,
    )
    programme.members.append(member)
    db.session.flush()
    if status == MemberStatus.APPLIED:
        audit.record(actor, "programme.applied", programme, member_id=member.id)
    else:
        audit.record(actor, "programme.nominated", programme, member_id=member.id)
    return member


class Decision:
    ACCEPT = "accept"
    WAIT = "wait"
    REFUSE = "refuse"


def decide(actor, member: ProgrammeMember, decision: str, message: str = "") -> None:
    """The organiser accepts (up to the capacity), puts on the waiting list or refuses
    (with a message to the person); the person is told by e-mail."""
    programme = member.programme
    _require_manager(actor, programme)
    if member.status not in PENDING_STATUSES:
        raise InvalidTransition(N_("This person has been decided on already."))
    if decision == Decision.ACCEPT:
        # the lock orders two organisers accepting the last place at the same time
        db.session.execute(
            select(Programme.id).where(Programme.id == programme.id).with_for_update()
        )
        accepted = db.session.scalar(
            select(func.count())
            .select_from(ProgrammeMember)
            .where(
                ProgrammeMember.programme_id == programme.id,
                ProgrammeMember.status == MemberStatus.ACCEPTED,
            )
        )
        rules.check_capacity(accepted, programme.capacity)
        member.status = MemberStatus.ACCEPTED
    elif decision == Decision.WAIT:
        member.status = MemberStatus.WAITING
    elif decision == Decision.REFUSE:
        if not message.strip():
            raise DomainError(N_("Say why in a message to the person."), field="message")
        member.status = MemberStatus.REFUSED
        member.message = message.strip()
    else:
        raise DomainError(N_("Choose a decision."))
    db.session.flush()
    audit.record(actor, "programme.decided", programme, member_id=member.id, decision=decision)
    mails.decision(member)


@dataclass(frozen=True)
class ModuleInput:
    theme: str
    venue_id: int | None
    supervisor_ids: tuple[int, ...]
    outside_facilitators: str


def add_module(actor, programme: Programme, data: ModuleInput) -> ProgrammeModule:
    from lahti_pool.supervisors.models import Supervisor

    _require_manager(actor, programme)
    module = ProgrammeModule(
        number=len(programme.modules) + 1,
        theme=data.theme,
        venue_id=data.venue_id,
        outside_facilitators=data.outside_facilitators,
    )
    if data.supervisor_ids:
        module.facilitators = list(
            db.session.scalars(select(Supervisor).where(Supervisor.id.in_(data.supervisor_ids)))
        )
    programme.modules.append(module)
    db.session.flush()
    audit.record(actor, "programme.module_added", programme, module_id=module.id)
    return module


@dataclass(frozen=True)
class DayInput:
    on_date: date
    starts_at: time
    minutes: int
    agenda: str
    wider_network: bool


def add_day(actor, module: ProgrammeModule, data: DayInput) -> ModuleDay:
    programme = module.programme
    _require_manager(actor, programme)
    if not programme.starts_on <= data.on_date <= programme.ends_on:
        raise DomainError(
            N_("The day must fall within the programme (%(start)s–%(end)s)."),
            field="on_date",
            start=programme.starts_on,
            end=programme.ends_on,
        )
    if any(d.on_date == data.on_date for d in module.days):
        raise DomainError(N_("The module has that day already."), field="on_date")
    day = ModuleDay(**data.__dict__)
    module.days.append(day)
    db.session.flush()
    audit.record(actor, "programme.day_added", programme, day_id=day.id)
    return day


def record_attendance(
    actor, day: ModuleDay, member_ids: set[int], guest_ids: set[int], now: datetime
) -> None:
    """Who was present on the day: accepted participants and invited guests."""
    programme = day.module.programme
    _require_manager(actor, programme)
    allowed = {m.id for m in accepted_members(programme)}
    if not member_ids <= allowed or not guest_ids <= {g.id for g in day.guests}:
        raise DomainError(N_("Only the cohort and the day's guests can be marked present."))
    day.attendance = [DayAttendance(member_id=i) for i in sorted(member_ids)]
    for guest in day.guests:
        guest.attended = guest.id in guest_ids
    day.attendance_recorded_at = now
    db.session.flush()
    audit.record(actor, "programme.attendance", programme, day_id=day.id, present=len(member_ids))


@dataclass(frozen=True)
class GuestInput:
    name: str
    email: str
    organisation: str
    locale: str


def invite_guest(actor, day: ModuleDay, data: GuestInput) -> DayGuest:
    """Invite a guest who is not a participant to a wider-network day, by e-mail with a
    calendar invitation."""
    _require_manager(actor, day.module.programme)
    if not day.wider_network:
        raise InvalidTransition(N_("Guests are invited only to a wider-network day."))
    email = data.email.strip().lower()
    if any(g.email == email for g in day.guests):
        raise DomainError(N_("That guest is invited already."), field="email")
    guest = DayGuest(
        name=data.name, email=email, organisation=data.organisation, locale=data.locale
    )
    day.guests.append(guest)
    db.session.flush()
    audit.record(actor, "programme.guest_invited", day.module.programme, guest_id=guest.id)
    mails.guest_invitation(guest)
    return guest


def attended_day_ids(member: ProgrammeMember) -> set[int]:
    return set(
        db.session.scalars(select(DayAttendance.day_id).where(DayAttendance.member_id == member.id))
    )


def completion(member: ProgrammeMember) -> rules.Completion:
    """How the participant stands against the completion rule."""
    present = attended_day_ids(member)
    modules = tuple(
        rules.ModuleAttendance(
            number=module.number,
            theme=module.theme,
            days=tuple((d.minutes, d.id in present) for d in module.days),
        )
        for module in member.programme.modules
    )
    return rules.Completion(modules, member.programme.modules_required)


def issue_certificates(actor, programme: Programme, today: date) -> list[ProgrammeMember]:
    """A certificate for each accepted participant who completed the programme and has
    none yet: an unguessable verification code and the day of issue."""
    _require_manager(actor, programme)
    issued = []
    for member in accepted_members(programme):
        if member.certificate_code is None and completion(member).completed:
            member.certificate_code = secrets.token_urlsafe(16)
            member.certificate_issued_on = today
            issued.append(member)
    db.session.flush()
    audit.record(actor, "programme.certificates", programme, issued=len(issued))
    for member in issued:
        mails.certificate(member)
    return issued


def set_continuation(actor, programme: Programme, continues: bool, responsible) -> None:
    """After the programme the cohort goes on as a group with a named responsible person
    (one of the cohort or an organiser)."""
    _require_manager(actor, programme)
    if continues:
        people = {m.user_id for m in accepted_members(programme)}
        people |= {o.user_id for o in programme.organisers}
        if responsible is None or responsible.id not in people:
            raise DomainError(
                N_("The responsible person must be a participant or an organiser."),
                field="email",
            )
    programme.continues_as_group = continues
    programme.group_responsible_id = responsible.id if continues else None
    db.session.flush()
    audit.record(actor, "programme.continuation", programme, continues=continues)
