"""The iCalendar (RFC 5545) writer: calendars and events, nothing about what they hold.

A feature decides what its events say (sessions/calendar.py); this module writes them.
``icalendar`` is imported when used, not in every worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icalendar import Calendar, Event

PRODID = "-//City of Lahti//Lahti Pool//EN"


@dataclass(frozen=True)
class EventData:
    """One VEVENT as its recipient sees it."""

    uid: str
    sequence: int
    starts_at: datetime
    minutes: int
    summary: str
    link: str
    description: str
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str
    location: str = ""
    cancelled: bool = False


def event(data: EventData) -> Event:
    from icalendar import Event, vCalAddress

    vevent = Event()
    vevent.add("uid", data.uid)
    vevent.add("sequence", data.sequence)
    vevent.add("dtstamp", datetime.now(UTC))
    starts_at = data.starts_at.astimezone(UTC)
    vevent.add("dtstart", starts_at)
    vevent.add("dtend", starts_at + timedelta(minutes=data.minutes))
    vevent.add("summary", data.summary)
    if data.location:
        vevent.add("location", data.location)
    vevent.add("description", data.description)
    vevent.add("url", data.link)
    organizer = vCalAddress(f"mailto:{data.organizer_email}")
    organizer.params["cn"] = data.organizer_name
    vevent.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{data.attendee_email}")
    attendee.params["cn"] = data.attendee_name
    attendee.params["role"] = "REQ-PARTICIPANT"
    vevent.add("attendee", attendee)
    vevent.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
    return vevent


def calendar(method: str = "", name: str = "") -> Calendar:
    """An empty VCALENDAR; ``method`` for an invitation (REQUEST) or cancellation (CANCEL),
    ``name`` for a feed."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def to_text(cal: Calendar) -> str:
    return cal.to_ical().decode("utf-8")
