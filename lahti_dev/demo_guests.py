"""The demo's guest organisations (Harju county practice, issue 18): a neighbouring
municipality and the wellbeing services county, each with an official among the demo
logins, their budgets, and one group request with members of all three organisations."""

from datetime import date, timedelta

from sqlalchemy import exists, func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget.services import BudgetInput, set_budget
from lahti_pool.extensions import db
from lahti_pool.guests import services as guest_services
from lahti_pool.guests.models import GroupOrganisation
from lahti_pool.guests.services import OrganisationInput
from lahti_pool.organisation.models import Organisation
from lahti_pool.requests.models import RequestMember, SupervisionRequest
from lahti_pool.requests.quota import school_year_for
from lahti_pool.requests.services import GroupRequestInput, submit_group_request

#: (login label, login, name, job title, organisation, division code, budget in euros);
#: the first official of each organisation is its contact person
GUEST_LOGINS = (
    (
        "guest official (Hollola)",
        "hollola",
        "Heli Virtanen",
        "Sivistysjohtaja",
        "Hollolan kunta",
        "HOL",
        6000,
    ),
    (
        "guest official (wellbeing county)",
        "hyvinvointialue",
        "Pekka Nieminen",
        "Opiskeluhuollon päällikkö",
        "Päijät-Hämeen hyvinvointialue",
        "PHHYKY",
        8000,
    ),
)

#: business ID (made up, with a valid check digit), invoice address, phone
ORGANISATION_DETAILS = {
    "Hollolan kunta": ("1634530-2", "Virastotie 3, 15870 Hollola", "+358 3 880 111"),
    "Päijät-Hämeen hyvinvointialue": (
        "3221327-0",
        "PL 4420, 00021 Laskutus",
        "+358 3 819 11",
    ),
}

GROUP_NAME = "Päijät-Hämeen opiskeluhuollon esihenkilöt"


def _organisation(admin: User, name: str, code: str, contact: tuple[str, str]) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is not None:
        return org
    business, invoice, phone = ORGANISATION_DETAILS[name]
    return guest_services.add_organisation(
        admin,
        OrganisationInput(
            name=name,
            business_id=business,
            contact_name=contact[0],
            contact_email=contact[1],
            contact_phone=phone,
            invoice_address=invoice,
            division_code=code,
        ),
    )


def _official(org: Organisation, email: str, name: str, title: str, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name,
            job_title=title,
            unit_id=guest_services.unit_of(org).id,
            password_hash=password_hash,
            locale="fi",
            session_version=1,
        )
        user.set_roles({Role.GUEST})
        db.session.add(user)
        db.session.flush()
    return user


def free_staff(n: int, leave_out: set[str]) -> list[User]:
    """City staff named in no request yet (their quota is whole), in a fixed order."""
    named = exists().where(RequestMember.user_id == User.id)
    asked = exists().where(SupervisionRequest.requester_id == User.id)
    people = db.session.scalars(
        select(User)
        .where(User.unit_id.is_not(None), ~named, ~asked, User.email.not_in(leave_out))
        .order_by(User.email)
    )
    return [u for u in people if u.roles == {Role.STAFF}][:n]


def ensure_guests(admin: User, today: date, password_hash: str, domain: str) -> int:
    """The guest organisations, their officials and budgets, and the cross-organisation
    group (idempotent); how many organisations were added."""
    before = db.session.scalar(select(func.count()).select_from(Organisation))
    officials = []
    for _label, login, name, title, org_name, code, euros in GUEST_LOGINS:
        email = f"{login}@{domain}"
        org = _organisation(admin, org_name, code, (name, email))
        officials.append(_official(org, email, name, title, password_hash))
        division = guest_services.division_of(org)
        set_budget(admin, BudgetInput(today.year, division.id, euros * 100))
    added = db.session.scalar(select(func.count()).select_from(Organisation)) - before
    if not db.session.scalar(select(func.count()).select_from(GroupOrganisation)):
        year = school_year_for(today)
        city = free_staff(3, {f"{login}@{domain}" for login in ("staff", "personal", "manager")})
        organiser, *members = city
        orgs = [o.unit.division.organisation_id for o in officials]
        submit_group_request(
            organiser,
            GroupRequestInput(
                school_year_id=year.id,
                sessions=6,
                modes=("on_site", "video"),
                language="fi",
                wanted_from=min(today + timedelta(days=21), year.ends_on),
                group_name=GROUP_NAME,
                member_emails=tuple(u.email for u in [*members, *officials]),
                organisation_ids=tuple(orgs),
                times_that_suit="Kuukauden ensimmäinen torstai; kokoontumispaikka kiertää",
            ),
            today,
        )
    db.session.flush()
    return added
