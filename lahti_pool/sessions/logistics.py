"""Where and how a session meets, as invitations, confirmations and reminders say it.

A video session's link is its own (``SupervisionSession.video_url``) or else the
supervisor's personal one (``Supervisor.video_url``). An on-site session's place is what
was typed, then the venue's name and address (a group session rotates between its
members, and the host arranges the venue). Logistics only: no content, ever.
"""

from typing import NamedTuple

from sqlalchemy import select

from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Venue
from lahti_pool.requests.models import RequestKind


class Meeting(NamedTuple):
    #: the LOCATION of the invitation and the "Where" of the e-mails
    location: str
    #: the video-meeting link ("" unless the session meets by video and has one)
    video_url: str


def video_url_of(sup_session) -> str:
    if sup_session.mode != "video":
        return ""
    return sup_session.video_url or sup_session.process.supervisor.video_url or ""


def venue_of(sup_session) -> Venue | None:
    if sup_session.venue_id is None:
        return None
    return db.session.get(Venue, sup_session.venue_id)


def meeting_of(sup_session) -> Meeting:
    video_url = video_url_of(sup_session)
    if video_url:
        return Meeting(video_url, video_url)
    parts = [sup_session.place]
    venue = venue_of(sup_session)
    if venue is not None:
        parts += [venue.name, venue.address]
    return Meeting(", ".join(p for p in parts if p), "")


def check_host(process, host_user_id: int | None, venue_id: int | None) -> None:
    """A group session's host is one of the process's members, its venue an active venue.

    :raises DomainError: on the field at fault, so the view shows it and saves nothing
    """
    is_group = process.kind == RequestKind.GROUP
    if host_user_id is not None and (not is_group or host_user_id not in process.client_ids):
        raise DomainError(N_("Choose the host among the group's members."), field="host")
    if venue_id is not None:
        venue = db.session.get(Venue, venue_id)
        if not is_group or venue is None or not venue.is_active:
            raise DomainError(N_("Choose one of the venues in the list."), field="venue")


def active_venues() -> list[Venue]:
    return list(
        db.session.scalars(
            select(Venue).where(Venue.is_active.is_(True)).order_by(Venue.name, Venue.id)
        )
    )


def host_choices(process, none_label: str) -> tuple[list[tuple], list[tuple]]:
    """The choices of a group session's host (its members) and venue (the active venues),
    each led by ``(0, none_label)``."""
    members = sorted((m.user for m in process.members), key=lambda u: (u.name, u.id))
    hosts = [(0, none_label)] + [(u.id, u.name) for u in members]
    venues = [(0, none_label)] + [(v.id, v.name) for v in active_venues()]
    return hosts, venues
