"""The networks in the surveys' populations and the mapping report's rows.

Registers the survey population "network" (core/populations.py: a themed network's
current members) and one ``MappingRow`` per network for a period (core/mapping.py):
members by job group and organisation, events held and attendance.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lahti_pool.accounts.models import User
from lahti_pool.core.mapping import MappingRow, register_mapping_subjects
from lahti_pool.core.models import utcnow
from lahti_pool.core.populations import register_population
from lahti_pool.extensions import db
from lahti_pool.networks.models import (
    EventRegistration,
    NetworkCoordinator,
    NetworkEvent,
    NetworkKind,
    NetworkMember,
    PeerNetwork,
)
from lahti_pool.organisation.job_groups import LABELS as JOB_GROUP_LABELS
from lahti_pool.organisation.orgs import organisation_ids, organisation_names
from lahti_pool.sessions.rules import local_to_utc
from lahti_pool.surveys.proposals import register_network_creator


def member_ids(network_id: int | None):
    """A select of the users.id of a themed network's current members."""
    return select(NetworkMember.user_id).where(
        NetworkMember.network_id == network_id, NetworkMember.left_at.is_(None)
    )


def network_choices() -> list[tuple[int, str]]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(PeerNetwork.id, PeerNetwork.name)
            .where(PeerNetwork.kind == NetworkKind.THEMED, PeerNetwork.is_active.is_(True))
            .order_by(PeerNetwork.name)
        )
    ]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return local_to_utc(start, time()), local_to_utc(end + timedelta(days=1), time())


def network_row(network: PeerNetwork, start: date, end: date) -> MappingRow:
    since, until = _bounds(start, end)
    members = db.session.execute(
        select(User.id, User.job_group)
        .join(NetworkMember, NetworkMember.user_id == User.id)
        .where(
            NetworkMember.network_id == network.id,
            NetworkMember.joined_at < until,
            or_(NetworkMember.left_at.is_(None), NetworkMember.left_at >= since),
        )
    ).all()
    roles = Counter(_(JOB_GROUP_LABELS[group]) for _id, group in members)
    orgs = organisation_ids([user_id for user_id, _group in members])
    names = organisation_names(set(orgs.values()))
    by_org = Counter(names[org] for org in orgs.values())
    in_period = (
        NetworkEvent.network_id == network.id,
        NetworkEvent.starts_at >= since,
        NetworkEvent.starts_at < min(until, utcnow()),  # held: started by now
    )
    held = db.session.scalar(select(func.count()).select_from(NetworkEvent).where(*in_period))
    present = db.session.scalar(
        select(func.count())
        .select_from(EventRegistration)
        .join(NetworkEvent)
        .where(*in_period, EventRegistration.attended.is_(True))
    )
    return MappingRow(
        kind="network",
        subject_id=network.id,
        name=network.name,
        members_by_role=dict(roles),
        members_by_organisation=dict(by_org),
        events_held=held,
        attendances=present,
    )


def mapping_rows(start: date, end: date) -> list[MappingRow]:
    networks = db.session.scalars(
        select(PeerNetwork).where(PeerNetwork.kind == NetworkKind.THEMED).order_by(PeerNetwork.name)
    ).all()
    return [network_row(network, start, end) for network in networks]


def coordinator_ids(network_id: int | None):
    """A select of the users.id of a network's coordinators: they may survey its members."""
    return select(NetworkCoordinator.user_id).where(NetworkCoordinator.network_id == network_id)


register_population(
    "network",
    _l("Members of a peer network"),
    member_ids,
    network_choices,
    organisers=coordinator_ids,
    subject_kind="network",
)
# a needs survey's options become themed networks from the administrator's networks page
register_network_creator("networks_admin.index", "theme")
register_mapping_subjects("network", _l("Peer networks"), mapping_rows)
