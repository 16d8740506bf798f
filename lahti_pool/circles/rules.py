"""The circles' rules: pure (no Flask, no database).

The meeting structure the host leads, the series of meeting times, and the check that an
upward theme names nobody.
"""

import re
from datetime import date, datetime, timedelta

from lahti_pool.core.errors import N_, DomainError

#: the simple structure a host leads a covision meeting with (Harju county practice)
STRUCTURE = ("topic", "case", "reflection", "round")

MAX_MEETINGS = 12
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
WORD = re.compile(r"\w+", re.UNICODE)


def meeting_days(first: date, count: int, every_weeks: int) -> list[date]:
    """The days of ``count`` meetings from ``first``, ``every_weeks`` apart."""
    if not 1 <= count <= MAX_MEETINGS:
        raise DomainError(
            N_("Plan 1 to %(max)s meetings at a time."), field="count", max=MAX_MEETINGS
        )
    if not 1 <= every_weeks <= 26:
        raise DomainError(N_("Meet every 1 to 26 weeks."), field="every_weeks")
    return [first + timedelta(weeks=every_weeks * n) for n in range(count)]


def check_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise DomainError(N_("Choose a time in the future."), field="on_date")


def check_members(member_ids: set[int]) -> None:
    if not member_ids:
        raise DomainError(
            N_("The circle has no members: a meeting needs at least one member to host it.")
        )


def check_host(host_id: int, member_ids: set[int]) -> None:
    if host_id not in member_ids:
        raise DomainError(N_("The host must be a member of the circle."), field="host")


def check_place(venue_id: int | None, video_url: str) -> None:
    if venue_id is None and not video_url:
        raise DomainError(N_("Choose a venue or give a video meeting link."), field="venue")


def check_topic(topic: str) -> str:
    topic = " ".join(topic.split())
    if len(topic) > 120:
        raise DomainError(N_("A topic is a short title: at most 120 characters."), field="topic")
    return topic


def _words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def named_in(text: str, names: list[str]) -> list[str]:
    """The names (of the group's members) that ``text`` mentions: the whole name, or any
    part of it of three letters or more (a first name, a surname), as a whole word."""
    words = _words(text)
    folded = " ".join(WORD.findall(text)).casefold()
    found = []
    for name in names:
        parts = [p for p in WORD.findall(name) if len(p) >= 3]
        whole = " ".join(WORD.findall(name)).casefold()
        if (whole and f" {whole} " in f" {folded} ") or any(p.casefold() in words for p in parts):
            found.append(name)
    return found


def check_theme_text(text: str, member_names: list[str]) -> str:
    """The theme's text, tidied; refused when empty, too long, or carrying a name or an
    e-mail address (management must not learn who raised it)."""
    text = text.strip()
    if not text:
        raise DomainError(N_("Write the theme."), field="text")
    if len(text) > 1000:
        raise DomainError(N_("At most 1,000 characters, please."), field="text")
    if EMAIL.search(text):
        raise DomainError(
            N_("Leave e-mail addresses out: the theme goes to management without names."),
            field="text",
        )
    if named_in(text, member_names):
        raise DomainError(
            N_(
                "The text names a member of the group. Leave names out: the theme goes to "
                "management without names."
            ),
            field="text",
        )
    return text


def month_of(day: date) -> date:
    return day.replace(day=1)
