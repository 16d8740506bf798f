"""Guest organisations and their officials: add and change an organisation (with its
division, its cost centre, and its officials' unit, in one transaction), invite officials
to limited accounts by e-mail, send the link again, deactivate.

Services take the acting user, flush, and never commit.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from lahti_pool.accounts import services as account_services
from lahti_pool.accounts.addresses import normalise_email
from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Organisation, Unit, UnitKind


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    business_id: str
    contact_name: str
    contact_email: str
    contact_phone: str
    invoice_address: str
    is_active: bool = True
    #: the cost-centre code of its division; given once, when the organisation is added
    division_code: str = ""


@dataclass(frozen=True)
class OfficialInput:
    name: str
    email: str


def division_of(org: Organisation) -> Division:
    """The organisation's division (its cost centre): the first, and so far only, one."""
    return min(org.divisions, key=lambda d: d.id)


def unit_of(org: Organisation) -> Unit:
    """The unit its officials belong to."""
    return min(division_of(org).units, key=lambda u: u.id)


def _apply(org: Organisation, data: OrganisationInput) -> None:
    name = data.name.strip()
    if not name:
        raise DomainError(N_("Give the organisation's name."), field="name")
    same = db.session.scalar(
        select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    )
    if same is not None and same != org.id:
        raise DomainError(N_("Another organisation already has this name."), field="name")
    contact_email = data.contact_email.strip()
    if contact_email:
        try:
            contact_email = normalise_email(contact_email)
        except DomainError as error:
            raise DomainError(error.msgid, field="contact_email") from error
    org.name = name
    org.business_id = data.business_id.strip()
    org.contact_name = data.contact_name.strip()
    org.contact_email = contact_email
    org.contact_phone = data.contact_phone.strip()
    org.invoice_address = data.invoice_address.strip()
    org.is_active = data.is_active


def add_organisation(actor: User, data: OrganisationInput) -> Organisation:
    """Add a guest organisation with its division (cost centre, the code given) and one
    unit for its officials; refused, with nothing saved, on a name or code in use."""
    code = data.division_code.strip()
    if not code:
        raise DomainError(N_("Give the cost-centre code of its division."), field="division_code")
    taken = db.session.scalar(
        select(func.count()).select_from(Division).where(func.lower(Division.code) == code.lower())
    ) or db.session.scalar(
        select(func.count()).select_from(Unit).where(func.lower(Unit.code) == code.lower())
    )
    if taken:
        raise DomainError(
            N_("This cost-centre code is already in use. Give another code."),
            field="division_code",
        )
    org = Organisation()
    _apply(org, data)
    division = Division(code=code, name_fi=org.name, name_en=org.name, organisation=org)
    unit = Unit(code=code, name=org.name, kind=UnitKind.OFFICE, division=division)
    db.session.add_all([org, division, unit])
    db.session.flush()
    audit.record(actor, "organisation.added", org, division_code=code)
    return org


def update_organisation(actor: User, org: Organisation, data: OrganisationInput) -> None:
    """Change the organisation's details; its division's and unit's names follow."""
    _apply(org, data)
    division = division_of(org)
    division.name_fi = division.name_en = org.name
    unit_of(org).name = org.name
    db.session.flush()
    audit.record(actor, "organisation.updated", org)


def can_manage_officials(user: User, org: Organisation) -> bool:
    """The administrator, or the organisation's contact person: an active official of the
    organisation whose address is its contact address. The contact person invites, sends
    the link again and deactivates their colleagues; only the administrator changes the
    organisation and its budget."""
    if user.has_role(Role.ADMIN):
        return True
    return (
        user.has_role(Role.GUEST)
        and bool(org.contact_email)
        and user.email == org.contact_email
        and user.unit is not None
        and user.unit.division.organisation_id == org.id
    )


def officials(org: Organisation) -> list[User]:
    """The organisation's officials, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Unit, Unit.id == User.unit_id)
            .join(Division, Division.id == Unit.division_id)
            .where(Division.organisation_id == org.id)
            .order_by(User.name, User.id)
        )
    )


def invite_official(actor: User, org: Organisation, data: OfficialInput) -> User:
    """A limited account (only the guest role, the organisation's unit, no password) and
    an e-mail with a one-time link to set a password."""
    if not can_manage_officials(actor, org):
        raise NotPermitted(
            N_("Only the administrator or the organisation's contact person can do this.")
        )
    if not org.is_active:
        raise DomainError(N_("The organisation is not active. Activate it first."))
    try:
        email = normalise_email(data.email)
    except DomainError as error:
        raise DomainError(error.msgid, field="email") from error
    if account_services.find_user_by_email(email) is not None:
        raise DomainError(
            N_(
                "Somebody already has an account with this address. A city employee takes "
                "part with their own account; ask the administrator to change an existing one."
            ),
            field="email",
        )
    user = account_services.create_user(
        actor,
        account_services.UserInput(
            email=email,
            name=data.name,
            job_title="",
            unit_id=unit_of(org).id,
            roles=frozenset({Role.GUEST}),
        ),
        invite=True,
    )
    audit.record(actor, "organisation.official_invited", user, organisation_id=org.id)
    return user


def _official(actor: User, org: Organisation, user: User) -> User:
    if not can_manage_officials(actor, org):
        raise NotPermitted(
            N_("Only the administrator or the organisation's contact person can do this.")
        )
    if user not in officials(org) or user.roles != {Role.GUEST}:
        raise NotPermitted(N_("This person is not an official of the organisation."))
    return user


def resend_invitation(actor: User, org: Organisation, user: User) -> None:
    """The link again: an invitation while no password is set, else a reset."""
    _official(actor, org, user)
    if not user.is_active_account:
        raise DomainError(N_("The account is deactivated; no link is sent."))
    account_services.send_link_by_admin(actor, user)


def deactivate_official(actor: User, org: Organisation, user: User) -> None:
    """End the official's sessions at once and stop them logging in."""
    _official(actor, org, user)
    account_services.set_active(actor, user, False)
