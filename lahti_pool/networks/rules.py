"""The peer networks' rules, pure: who may join, what an event needs, a board post's size."""

from dataclasses import dataclass
from datetime import date, datetime, time

from lahti_pool.core.errors import N_, DomainError

MAX_POST = 5000
MAX_REASON = 500
#: an event's length and size within reason: a morning's webinar to a two-day workshop
MIN_MINUTES, MAX_MINUTES = 15, 16 * 60
MAX_CAPACITY = 1000


@dataclass(frozen=True)
class EventInput:
    kind: str
    title: str
    on_date: date
    at: time
    duration_minutes: int
    capacity: int
    venue_id: int | None = None
    video_url: str = ""
    description: str = ""


def check_event(data: EventInput, starts_at: datetime, now: datetime) -> None:
    """A new event starts in the future, has a sensible length and size, and a place."""
    if not data.title.strip():
        raise DomainError(N_("Give the event a title."), field="title")
    if starts_at <= now:
        raise DomainError(
            N_("An event is planned for a time that has not passed."), field="on_date"
        )
    if not MIN_MINUTES <= data.duration_minutes <= MAX_MINUTES:
        raise DomainError(
            N_("The duration is %(low)s to %(high)s minutes."),
            field="duration_minutes",
            low=MIN_MINUTES,
            high=MAX_MINUTES,
        )
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise DomainError(
            N_("The capacity is 1 to %(high)s people."), field="capacity", high=MAX_CAPACITY
        )
    if data.venue_id is None and not data.video_url.strip():
        raise DomainError(N_("Choose a venue or give a video link."), field="venue_id")
    if data.video_url.strip() and not data.video_url.strip().startswith("https://"):
        raise DomainError(N_("A video link starts with https://."), field="video_url")


def check_post(body: str) -> str:
    text = body.strip()
    if not text:
        raise DomainError(N_("Write something to post."), field="body")
    if len(text) > MAX_POST:
        raise DomainError(N_("A post is at most %(n)s characters."), field="body", n=MAX_POST)
    return text


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise DomainError(N_("Say why: the author and the members see the reason."), field="reason")
    return text[:MAX_REASON]


def may_join(org_id: int | None, organisations_taking_part: set[int]) -> bool:
    """The city's staff (no organisation) may join any themed network; a guest
    organisation's official one whose network of organisations their organisation is in."""
    return org_id is None or org_id in organisations_taking_part
