"""Who may be in a group across organisations: the city's staff, and the active officials
of the guest organisations the group names (the organiser's own among them).

The requests feature asks here when a group is submitted (``requests.services``); this
module knows nothing of requests' services, so the arrow runs one way.
"""

from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.guests.models import GroupOrganisation
from lahti_pool.organisation.models import Organisation
from lahti_pool.organisation.orgs import organisation_ids, organisation_names


def own_organisation_id(user: User) -> int | None:
    """The guest organisation a user works for; None for the city's staff."""
    return organisation_ids([user.id]).get(user.id)


def taking_part(actor: User, chosen_ids) -> list[int]:
    """The guest organisations of a new group: the organiser's own (a guest official's)
    and the chosen ones, each an active organisation; refused otherwise."""
    wanted = set(chosen_ids)
    own = own_organisation_id(actor) if actor.has_role(Role.GUEST) else None
    if own is not None:
        wanted.add(own)
    if not wanted:
        return []
    active = set(
        db.session.scalars(
            select(Organisation.id).where(
                Organisation.id.in_(wanted), Organisation.is_active.is_(True)
            )
        )
    )
    if wanted - active:
        raise DomainError(N_("Choose the organisations from the list."), field="organisations")
    return sorted(wanted)


def check_members(people: list[User], org_ids: list[int]) -> None:
    """Every guest official among ``people`` works for one of ``org_ids``; refused with
    their names and organisations otherwise."""
    guests = [p for p in people if p.has_role(Role.GUEST)]
    if not guests:
        return
    orgs = organisation_ids(p.id for p in guests)
    outside = [p for p in guests if orgs.get(p.id) is None or orgs[p.id] not in org_ids]
    if outside:
        names = organisation_names(orgs.get(p.id) for p in outside)
        raise DomainError(
            N_(
                "%(people)s work for an organisation that is not taking part in this group: "
                "%(organisations)s. Choose it among the group's organisations, or leave "
                "them out."
            ),
            field="members",
            people=", ".join(p.name for p in outside),
            organisations=", ".join(sorted({names[orgs.get(p.id)] for p in outside})),
        )


def record(request_id: int, org_ids: list[int]) -> None:
    """Keep the group's guest organisations with the request."""
    for org_id in org_ids:
        db.session.add(GroupOrganisation(request_id=request_id, organisation_id=org_id))


def group_organisations(request_id: int) -> list[Organisation]:
    """The guest organisations taking part in a group request, by name."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(GroupOrganisation, GroupOrganisation.organisation_id == Organisation.id)
            .where(GroupOrganisation.request_id == request_id)
            .order_by(Organisation.name)
        )
    )


def active_organisations() -> list[Organisation]:
    """The guest organisations a group may name, by name."""
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)
        )
    )
