"""The circles' e-mails: an invitation to join a circle, and each meeting's calendar
invitation (or its cancellation). Never the topic: only when, where and who hosts."""

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lahti_pool.core import ical
from lahti_pool.core.mailer import absolute_url, active, mail_domain, queue_mail, recipient_locale


def notify_circle_invitation(circle, user, starter) -> None:
    queue_mail(
        user,
        "circle_invitation",
        "circles/circle_invitation",
        _l("You were invited to a covision circle"),
        circle=circle.name,
        starter=starter.name,
        link=absolute_url("circles.detail", circle_id=circle.id),
    )


def _location(meeting) -> str:
    if meeting.venue is not None:
        return ", ".join(p for p in (meeting.venue.name, meeting.venue.address) if p)
    return meeting.video_url


def meeting_ics(meeting, user, method: str) -> str:
    """The meeting's invitation for ``user`` (call inside the user's locale)."""
    link = absolute_url("circles.meeting", meeting_id=meeting.id)
    cal = ical.calendar(method)
    cal.add_component(
        ical.event(
            ical.EventData(
                uid=f"circle-meeting-{meeting.id}@{mail_domain()}",
                sequence=meeting.ical_sequence,
                starts_at=meeting.starts_at,
                minutes=meeting.duration_minutes,
                summary=_("Covision: %(circle)s", circle=meeting.circle.name),
                location=_location(meeting),
                link=meeting.video_url or link,
                description=_("Details in the supervision pool: %(link)s", link=link),
                organizer_email=current_app.config["MAIL_DEFAULT_SENDER"],
                organizer_name=_("Lahti supervision pool"),
                attendee_email=user.email,
                attendee_name=user.name,
                cancelled=method == "CANCEL",
            )
        )
    )
    return ical.to_text(cal)


SUBJECTS = {
    "circle_meeting": _l("Covision meeting planned"),
    "circle_meeting_changed": _l("Covision meeting changed"),
    "circle_meeting_cancelled": _l("Covision meeting cancelled"),
}


def notify_meeting(meeting, method: str = "REQUEST", changed: bool = False) -> None:
    """To every member: a meeting planned or ``changed`` (REQUEST; raise ``ical_sequence``
    first) or cancelled (CANCEL)."""
    if method == "CANCEL":
        kind = "circle_meeting_cancelled"
    else:
        kind = "circle_meeting_changed" if changed else "circle_meeting"
    subject = SUBJECTS[kind]
    venue = meeting.venue
    for user in active(m.user for m in meeting.circle.joined):
        with force_locale(recipient_locale(user)):
            ics = meeting_ics(meeting, user, method)
        queue_mail(
            user,
            kind,
            f"circles/{kind}",
            subject,
            ics=ics,
            ics_method=method,
            circle=meeting.circle.name,
            host=meeting.host.name,
            starts_at=meeting.starts_at,
            ends_at=meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
            place=", ".join(p for p in (venue.name, venue.address) if p) if venue else "",
            accessibility=venue.accessibility_note if venue else "",
            video_url=meeting.video_url,
            link=absolute_url("circles.meeting", meeting_id=meeting.id),
        )


def notify_theme_to_confirm(theme, members, actor) -> None:
    """To the group's other members: a theme (new or changed) waits for their word. The
    e-mail says only that; the text is read in the app."""
    link = absolute_url("circles.theme", theme_id=theme.id)
    for user in active(u for u in members if u.id != actor.id):
        queue_mail(
            user,
            "theme_to_confirm",
            "circles/theme_to_confirm",
            _l("A theme for management waits for your confirmation"),
            drafter=actor.name,
            link=link,
        )
