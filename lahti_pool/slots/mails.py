"""The on-duty slots' e-mails."""

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lahti_pool.core.mailer import active, queue_mail, recipient_locale
from lahti_pool.extensions import db
from lahti_pool.sessions.calendar import session_ics
from lahti_pool.sessions.logistics import video_url_of
from lahti_pool.sessions.mails import session_link
from lahti_pool.sessions.models import SupervisionSession


def notify_slot_booked(slot) -> None:
    """To the booker and the supervisor of an on-duty slot, with the session's invitation."""
    # The booking is a conditional UPDATE: read the slot as the database has it now.
    db.session.flush()
    db.session.refresh(slot)
    sup_session = db.session.get(SupervisionSession, slot.session_id) if slot.session_id else None
    for user in active([slot.booked_by, slot.supervisor.user]):
        is_supervisor = user.id == slot.supervisor.user_id
        ics = ""
        if sup_session is not None:
            with force_locale(recipient_locale(user)):
                ics = session_ics(sup_session, user, method="REQUEST")
        queue_mail(
            user,
            "slot_booked",
            "sessions/slot_booked",
            _l("On-duty supervision booked"),
            ics=ics,
            ics_method="REQUEST",
            starts_at=slot.starts_at,
            ends_at=slot.starts_at + timedelta(minutes=slot.duration_minutes),
            mode=slot.mode,
            video_url=video_url_of(sup_session) if sup_session is not None else "",
            supervisor_name="" if is_supervisor else slot.supervisor.name,
            is_supervisor=is_supervisor,
            link=session_link(sup_session),
        )
