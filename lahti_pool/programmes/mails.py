"""The programmes' e-mails: the organiser's decision, the certificate, and the calendar
invitation of a wider-network day's guest."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lahti_pool.core import ical
from lahti_pool.core.mailer import absolute_url, active, mail_domain, queue_mail, recipient_locale
from lahti_pool.programmes import when


def _link(programme) -> str:
    return absolute_url("programmes.detail", programme_id=programme.id)


def decision(member) -> None:
    """To the person: accepted, on the waiting list, or not taken (the organiser's
    message is in the app)."""
    if not active([member.user]):
        return
    queue_mail(
        member.user,
        "programme_decision",
        "programmes/decision",
        _l("Your place in a development programme"),
        programme_name=member.programme.name,
        status=member.status.value,
        link=_link(member.programme),
    )


def certificate(member) -> None:
    if not active([member.user]):
        return
    queue_mail(
        member.user,
        "programme_certificate",
        "programmes/certificate",
        _l("Your certificate of completion"),
        programme_name=member.programme.name,
        link=_link(member.programme),
    )


@dataclass(frozen=True)
class GuestRecipient:
    """A guest has no account: what the mailer reads of a recipient."""

    id: None
    name: str
    email: str
    locale: str
    is_active_account: bool = True


def day_event(guest, day, recipient) -> str:
    """The day's calendar invitation (METHOD:REQUEST) for the guest, in their language."""
    module = day.module
    starts_at: datetime = when.local_start(day)
    venue = module.venue
    location = f"{venue.name}, {venue.address}".strip(", ") if venue else ""
    cal = ical.calendar("REQUEST")
    cal.add_component(
        ical.event(
            ical.EventData(
                uid=f"programme-day-{day.id}-guest-{guest.id}@{mail_domain()}",
                sequence=0,
                starts_at=starts_at,
                minutes=day.minutes,
                summary=f"{module.programme.name}: {module.theme}",
                link=absolute_url("accounts.login"),
                description=_(
                    "A wider-network day of the programme %(name)s.", name=module.programme.name
                ),
                organizer_email=current_app.config["MAIL_DEFAULT_SENDER"],
                organizer_name=module.programme.issuer or _("Lahti supervision pool"),
                attendee_email=recipient.email,
                attendee_name=recipient.name,
                location=location,
            )
        )
    )
    return ical.to_text(cal)


def guest_invitation(guest) -> None:
    day = guest.day
    recipient = GuestRecipient(None, guest.name, guest.email, guest.locale)
    with force_locale(recipient_locale(recipient)):
        ics = day_event(guest, day, recipient)
    venue = day.module.venue
    queue_mail(
        recipient,
        "programme_guest_invitation",
        "programmes/guest_invitation",
        _l("Invitation to a wider-network day"),
        ics=ics,
        ics_method="REQUEST",
        programme_name=day.module.programme.name,
        theme=day.module.theme,
        starts_at=when.local_start(day),
        venue_name=venue.name if venue else "",
        venue_address=venue.address if venue else "",
        agenda=day.agenda,
    )
