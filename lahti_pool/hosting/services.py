"""Use cases of hosting: venues, and the rotation plan of a group process's hosts.

Services take the acting user, change models, flush, and never commit: the view commits
once, or rolls back on a DomainError so nothing is half-saved.
"""

from dataclasses import dataclass

from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.hosting.rules import default_venue
from lahti_pool.organisation.models import Organisation, Venue
from lahti_pool.organisation.orgs import organisation_ids
from lahti_pool.organisation.rotation import fair_rotation
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.logistics import check_host
from lahti_pool.sessions.mails import notify_session_changed
from lahti_pool.sessions.models import (
    ProcessStatus,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.sessions.processes import is_client_of, is_supervisor_of

# --- Venues ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VenueInput:
    name: str
    address: str
    accessibility_note: str = ""
    organisation_id: int | None = None
    is_active: bool = True


def save_venue(actor: User, venue: Venue | None, data: VenueInput) -> Venue:
    """Add a venue (``venue`` None) or change one; the administrator's."""
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(N_("Only the administrator can change venues."))
    name = data.name.strip()
    if not name:
        raise DomainError(N_("Give the venue a name."), field="name")
    org_id = data.organisation_id
    if org_id is not None and db.session.get(Organisation, org_id) is None:
        raise DomainError(N_("Choose one of the organisations in the list."), field="organisation")
    created = venue is None
    if venue is None:
        venue = Venue()
        db.session.add(venue)
    venue.name = name
    venue.address = data.address.strip()
    venue.accessibility_note = data.accessibility_note.strip()
    venue.organisation_id = data.organisation_id
    venue.is_active = data.is_active
    db.session.flush()
    audit.record(actor, "venue.created" if created else "venue.changed", venue)
    return venue


# --- The rotation plan ----------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """One meeting's host and venue (ids; None when not named)."""

    session_id: int
    host_user_id: int | None
    venue_id: int | None


def can_see_plan(user: User, process: SupervisionProcess) -> bool:
    """The supervisor, the administrator and the group's members see the plan."""
    return can_edit_plan(user, process) or is_client_of(user, process)


def can_edit_plan(user: User, process: SupervisionProcess) -> bool:
    """The process's supervisor and the administrator make the plan."""
    return is_supervisor_of(user, process) or user.has_role(Role.ADMIN)


def planned_sessions(process: SupervisionProcess) -> list[SupervisionSession]:
    """The meetings a plan covers: the group's planned sessions, in time order."""
    return sorted(
        (s for s in process.sessions if s.status == SessionStatus.PLANNED),
        key=lambda s: (s.starts_at, s.id),
    )


def propose_plan(process: SupervisionProcess) -> list[PlanRow]:
    """A fair rotation of hosts across the members' organisations over the planned
    sessions (organisation/rotation.py), counting who hosted the meetings already held;
    each row keeps its venue, or gets one of its host's organisation."""
    members = sorted(process.members, key=lambda m: (m.user.name, m.user_id))
    orgs = organisation_ids(m.user_id for m in members)
    candidates = [(m.user_id, orgs.get(m.user_id)) for m in members]
    hosted_before: dict[int, int] = {}
    for s in process.sessions:
        if s.status != SessionStatus.PLANNED and s.host_user_id in orgs:
            hosted_before[s.host_user_id] = hosted_before.get(s.host_user_id, 0) + 1
    sessions = planned_sessions(process)
    hosts = fair_rotation(candidates, len(sessions), hosted_before)
    venues_by_org: dict[int, list[int]] = {}
    for venue in db.session.scalars(
        select(Venue).where(Venue.is_active.is_(True)).order_by(Venue.name, Venue.id)
    ):
        if venue.organisation_id is not None:
            venues_by_org.setdefault(venue.organisation_id, []).append(venue.id)
    return [
        PlanRow(s.id, host, default_venue(s.venue_id, orgs.get(host), venues_by_org))
        for s, host in zip(sessions, hosts, strict=False)
    ]


def save_plan(actor: User, process: SupervisionProcess, rows: list[PlanRow]) -> int:
    """Set each planned session's host and venue; the members of a changed session get the
    changed invitation. Returns how many sessions changed.

    :raises DomainError: a host who is not a member or an unknown venue (nothing saved)
    """
    if not can_edit_plan(actor, process):
        raise NotPermitted(N_("Only the supervisor and the administrator can plan the hosts."))
    if process.kind != RequestKind.GROUP or process.status != ProcessStatus.ACTIVE:
        raise InvalidTransition(N_("Only an active group process has a plan of hosts."))
    sessions = {s.id: s for s in planned_sessions(process)}
    changed = []
    for row in rows:
        sup_session = sessions.get(row.session_id)
        if sup_session is None:
            raise InvalidTransition(N_("This session is no longer planned; reload the page."))
        if (sup_session.host_user_id, sup_session.venue_id) == (row.host_user_id, row.venue_id):
            continue
        try:  # a venue taken out of use stays on the sessions it had
            new_venue = row.venue_id if row.venue_id != sup_session.venue_id else None
            check_host(process, row.host_user_id, new_venue)
        except DomainError as error:
            raise DomainError(
                N_("The session of %(when)s: %(reason)s"),
                field=error.field,
                when=sup_session.starts_at,
                reason=error.message,
            ) from error
        changed.append((sup_session, row))
    for sup_session, row in changed:
        sup_session.host_user_id, sup_session.venue_id = row.host_user_id, row.venue_id
        sup_session.ical_sequence += 1
    db.session.flush()
    for sup_session, _row in changed:
        db.session.expire(sup_session, ["host", "venue"])
        notify_session_changed(sup_session)  # invitations carry the venue
    audit.record(actor, "hosting.plan_saved", process, changed=len(changed))
    return len(changed)
