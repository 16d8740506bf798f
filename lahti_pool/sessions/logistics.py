"""Where and how a session meets, as invitations, confirmations and reminders say it.

A video session's link is its own (``SupervisionSession.video_url``) or else the
supervisor's personal one (``Supervisor.video_url``). An on-site session's place is what
was typed, then the host unit's name and address (a group session rotates between the
members' units, and the host arranges the venue). Logistics only: no content, ever.
"""

from typing import NamedTuple

from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit


class Meeting(NamedTuple):
    #: the LOCATION of the invitation and the "Where" of the e-mails
    location: str
    #: the video-meeting link ("" unless the session meets by video and has one)
    video_url: str


def video_url_of(sup_session) -> str:
    if sup_session.mode != "video":
        return ""
    return sup_session.video_url or sup_session.process.supervisor.video_url or ""


def meeting_of(sup_session) -> Meeting:
    video_url = video_url_of(sup_session)
    if video_url:
        return Meeting(video_url, video_url)
    parts = [sup_session.place]
    if sup_session.host_unit_id is not None:
        unit = db.session.get(Unit, sup_session.host_unit_id)
        if unit is not None:
            parts += [unit.name, unit.address]
    return Meeting(", ".join(p for p in parts if p), "")
