"""Networks and membership: the administrator creates networks, adds the organisations
taking part and grants coordinators; staff and guest officials join and leave themselves."""

from datetime import datetime

from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.core.models import id_is, upsert
from lahti_pool.extensions import db
from lahti_pool.networks import rules
from lahti_pool.networks.models import (
    NetworkCoordinator,
    NetworkKind,
    NetworkMember,
    NetworkOrganisation,
    PeerNetwork,
)
from lahti_pool.organisation.models import Organisation
from lahti_pool.organisation.orgs import organisation_ids


def is_coordinator(user: User, network: PeerNetwork) -> bool:
    if not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            select(NetworkCoordinator.id).where(
                NetworkCoordinator.network_id == network.id,
                NetworkCoordinator.user_id == user.id,
            )
        )
        is not None
    )


def membership(user: User, network: PeerNetwork) -> NetworkMember | None:
    """The user's current membership, None when not (or no longer) a member."""
    return db.session.scalar(
        select(NetworkMember).where(
            NetworkMember.network_id == network.id,
            NetworkMember.user_id == user.id,
            NetworkMember.left_at.is_(None),
        )
    )


def is_member(user: User, network: PeerNetwork) -> bool:
    return user.is_authenticated and membership(user, network) is not None


def taking_part(network: PeerNetwork | None) -> set[int]:
    """The guest organisations of a network of organisations (the city always takes part)."""
    if network is None:
        return set()
    return {row.organisation_id for row in network.organisations}


def can_join(user: User, network: PeerNetwork) -> bool:
    """Active staff and guest officials whose organisation takes part, in an active
    themed network."""
    if not (network.is_themed and network.is_active and user.is_active):
        return False
    if not user.has_role(Role.STAFF, Role.GUEST):
        return False
    org_id = organisation_ids([user.id]).get(user.id)
    return rules.may_join(org_id, taking_part(network.parent))


def create_network(
    actor: User, name: str, kind: NetworkKind, description: str, parent_id: int | None
) -> PeerNetwork:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the pool administrator can create networks."))
    name = name.strip()
    if db.session.scalar(select(PeerNetwork.id).where(PeerNetwork.name == name)):
        raise DomainError(N_("A network with this name exists already."), field="name")
    parent = db.session.get(PeerNetwork, parent_id) if parent_id else None
    if parent_id and (parent is None or parent.kind != NetworkKind.ORGANISATIONS):
        raise DomainError(N_("Choose a network of organisations from the list."), field="parent_id")
    if kind == NetworkKind.ORGANISATIONS and parent is not None:
        raise DomainError(
            N_("A network of organisations belongs to no other network."), field="parent_id"
        )
    network = PeerNetwork(name=name, kind=kind, description=description.strip(), parent=parent)
    db.session.add(network)
    db.session.flush()
    audit.record(actor, "network.created", network)
    return network


def update_network(actor: User, network: PeerNetwork, description: str, board_url: str) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the pool administrator can change networks."))
    board_url = board_url.strip()
    if board_url and not board_url.startswith("https://"):
        raise DomainError(N_("The platform's address starts with https://."), field="board_url")
    network.description = description.strip()
    network.board_url = board_url
    db.session.flush()
    audit.record(actor, "network.updated", network)


def add_organisation(actor: User, network: PeerNetwork, organisation_id: int) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the pool administrator can change networks."))
    if network.kind != NetworkKind.ORGANISATIONS:
        raise DomainError(N_("Organisations take part in a network of organisations."))
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not organisation.is_active:
        raise DomainError(N_("Choose an organisation from the list."), field="organisation_id")
    if organisation_id in taking_part(network):
        raise DomainError(N_("The organisation takes part already."), field="organisation_id")
    network.organisations.append(NetworkOrganisation(organisation_id=organisation_id))
    db.session.flush()
    audit.record(actor, "network.organisation_added", network, organisation_id=organisation_id)


def grant_coordinator(actor: User, network: PeerNetwork, email: str) -> User:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the pool administrator can grant the coordinator's role."))
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        raise DomainError(N_("No active user has this e-mail address."), field="email")
    if is_coordinator(user, network):
        raise DomainError(N_("This person coordinates the network already."), field="email")
    db.session.add(NetworkCoordinator(network_id=network.id, user_id=user.id))
    db.session.flush()
    audit.record(actor, "network.coordinator_granted", network, user_id=user.id)
    return user


def revoke_coordinator(actor: User, network: PeerNetwork, user_id: int) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the pool administrator can grant the coordinator's role."))
    row = db.session.scalar(
        select(NetworkCoordinator).where(
            NetworkCoordinator.network_id == network.id, id_is(NetworkCoordinator.user_id, user_id)
        )
    )
    if row is None:
        raise DomainError(N_("This person does not coordinate the network."))
    db.session.delete(row)
    db.session.flush()
    audit.record(actor, "network.coordinator_revoked", network, user_id=user_id)


def join(actor: User, network: PeerNetwork, now: datetime) -> NetworkMember:
    if not can_join(actor, network):
        raise NotPermitted(N_("You cannot join this network."))
    # Inserted if missing, in one statement: a double click cannot insert the row twice.
    inserted = db.session.execute(
        upsert(NetworkMember)
        .values(network_id=network.id, user_id=actor.id, joined_at=now, left_at=None)
        .on_conflict_do_nothing(index_elements=["network_id", "user_id"])
        .returning(NetworkMember.id)
    ).first()
    row = db.session.scalar(
        select(NetworkMember)
        .where(NetworkMember.network_id == network.id, NetworkMember.user_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if row.left_at is None and inserted is None:
        raise DomainError(N_("You are a member already."))
    if row.left_at is not None:  # back after leaving: a new membership period
        row.joined_at, row.left_at = now, None
    db.session.flush()
    audit.record(actor, "network.joined", network)
    return row


def leave(actor: User, network: PeerNetwork, now: datetime) -> None:
    row = membership(actor, network)
    if row is None:
        raise DomainError(N_("You are not a member of this network."))
    row.left_at = now
    db.session.flush()
    audit.record(actor, "network.left", network)


def networks_list() -> list[PeerNetwork]:
    return list(
        db.session.scalars(
            select(PeerNetwork)
            .where(PeerNetwork.is_active.is_(True))
            .order_by(PeerNetwork.kind, PeerNetwork.name)
        )
    )


def member_count(network: PeerNetwork) -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count())
        .select_from(NetworkMember)
        .where(NetworkMember.network_id == network.id, NetworkMember.left_at.is_(None))
    )


def my_network_ids(user: User) -> set[int]:
    return set(
        db.session.scalars(
            select(NetworkMember.network_id).where(
                NetworkMember.user_id == user.id, NetworkMember.left_at.is_(None)
            )
        )
    )
