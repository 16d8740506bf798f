"""The network events' e-mails and calendar invitations (core/ical.py writes them).

An invitation names the event, its place (the venue's address or the video link) and a
link to the event's page; ATTENDEE is the recipient alone, so a calendar does not list
the other participants. UID ``network-event-<id>@<domain>`` is stable; SEQUENCE is the
event's ``ical_sequence``.
"""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lahti_pool.core import ical
from lahti_pool.core.mailer import absolute_url, mail_domain, queue_mail, recipient_locale

#: what each e-mail is about: (kind, subject)
SUBJECTS = {
    "registered": ("network_registration", _l("You are registered for a network event")),
    "waiting": ("network_waiting", _l("You are on the waiting list of a network event")),
    "place_freed": ("network_place_freed", _l("A place at a network event is now yours")),
    "cancelled": ("network_cancellation", _l("Your registration for a network event is cancelled")),
    "reminder": ("network_reminder", _l("Reminder: network event tomorrow")),
}


def event_uid(event) -> str:
    return f"network-event-{event.id}@{mail_domain()}"


def location_of(event) -> str:
    if event.venue is not None:
        return ", ".join(part for part in (event.venue.name, event.venue.address) if part)
    return event.video_url


def event_ics(event, user, method: str = "REQUEST") -> str:
    """An invitation (REQUEST) or its cancellation (CANCEL) for ``user``, in their language."""
    link = absolute_url("networks.event_detail", event_id=event.id)
    with force_locale(recipient_locale(user)):
        vevent = ical.event(
            ical.EventData(
                uid=event_uid(event),
                sequence=event.ical_sequence,
                starts_at=event.starts_at,
                minutes=event.duration_minutes,
                summary=f"{event.title} ({event.network.name})",
                location=location_of(event),
                link=event.video_url or link,
                description=_("Details in the supervision pool: %(link)s", link=link),
                organizer_email=current_app.config["MAIL_DEFAULT_SENDER"],
                organizer_name=_("Lahti supervision pool"),
                attendee_email=user.email,
                attendee_name=user.name,
                cancelled=method == "CANCEL",
            )
        )
    cal = ical.calendar(method)
    cal.add_component(vevent)
    return ical.to_text(cal)


def _send(row, what: str, method: str = "", message_id: str | None = None, **context):
    user, event = row.user, row.event
    if not user.is_active_account:
        return None
    kind, subject = SUBJECTS[what]
    return queue_mail(
        user,
        kind,
        "networks/event",
        subject,
        ics=event_ics(event, user, method) if method else None,
        ics_method=method,
        message_id=message_id,
        what=what,
        event=event,
        network_name=event.network.name,
        location=location_of(event),
        link=absolute_url("networks.event_detail", event_id=event.id),
        **context,
    )


def registration_mail(row) -> None:
    from lahti_pool.networks.events import waiting_position
    from lahti_pool.networks.models import RegistrationStatus

    if row.status == RegistrationStatus.REGISTERED:
        _send(row, "registered", "REQUEST")
    else:
        _send(row, "waiting", position=waiting_position(row))


def place_freed_mail(row) -> None:
    _send(row, "place_freed", "REQUEST")


def cancellation_mail(row) -> None:
    _send(row, "cancelled", "CANCEL")


def reminder_mail(row):
    """Once per event version and person (a deterministic Message-ID)."""
    event = row.event
    message_id = (
        f"<network-reminder-{event.id}-{event.ical_sequence}-{row.user_id}@{mail_domain()}>"
    )
    return _send(row, "reminder", message_id=message_id)
