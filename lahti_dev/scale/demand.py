"""What staff ask for in a school year: individual and group requests.

Every request holds its sessions from each holder's quota when it is made
(README "How the quota is kept"); the generator never lets a person ask for more
than the ``room`` left to them that year, counting withdrawn and declined
requests too, so no moment of the history could have overdrawn anybody's quota.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lahti_dev.scale import names, params
from lahti_dev.scale.context import YearState
from lahti_dev.scale.params import Weighted

INDIVIDUAL_SESSIONS = Weighted(params.INDIVIDUAL_SESSIONS)
GROUP_SESSIONS = Weighted(params.GROUP_SESSIONS)
GROUP_SIZES = Weighted(params.GROUP_SIZES)
OUTCOMES = Weighted(params.REQUEST_OUTCOMES)
LANGUAGES = Weighted({"fi": 930, "sv": 30, "en": 35, "et": 5})
MODES = Weighted(
    {("video", "on_site"): 50, ("on_site",): 25, ("video",): 15, ("video", "phone"): 10}
)


@dataclass(slots=True)
class Req:
    """A request while the year is simulated; written once its fate is known."""

    kind: str
    requester: int
    #: the holders: the requester, or every member of a group (organiser first)
    members: list[int]
    sessions: int
    created: datetime
    wanted_from: date
    language: str
    modes: tuple[str, ...]
    division: int
    units: frozenset[int]
    group_name: str = ""
    declined: list[int] = field(default_factory=list)
    outcome: str = "accepted"  #: accepted, withdrawn, declined, fallback, open
    decided: date | None = None
    preferred: int | None = None
    continue_previous: bool = False
    id: int = 0
    #: the known logins' scenario: (supervisor, sessions granted), and kept open
    fixed: tuple | None = None
    keep_open: bool = False
    #: confidential pre-question answers are written (placeholders, current year only)
    answers: bool = False
    #: (at, actor id, from status, to status, reason)
    events: list[tuple] = field(default_factory=list)
    status: str | None = None

    @property
    def participants(self) -> list[int]:
        return [m for m in self.members if m not in self.declined]

    def move(self, at: datetime, actor: int | None, to: str, reason: str = "") -> None:
        self.events.append((at, actor, self.status, to, reason))
        self.status = to


class _Pool:
    """Staff a request may name: active in the year, never the known staff member."""

    def __init__(self, state: YearState) -> None:
        city = state.run.city
        current = state.year.is_current
        self.state = state
        self.people = [u for u in city.staff if city.active[u] or not current]
        self.by_unit = {
            unit: [
                u for u in members if u != city.known["staff"] and (city.active[u] or not current)
            ]
            for unit, members in city.staff_by_unit.items()
        }

    def pick(self, rng: random.Random, need: int, among: list[int] | None = None, tries=4):
        among = among or self.people
        for _ in range(tries):
            user_id = rng.choice(among)
            if self.state.room[user_id] >= need:
                return user_id
        return None


def _day_and_time(state: YearState) -> tuple[date, datetime] | None:
    """When a request is made; None when that day has not come yet (the current year)."""
    day = state.year.request_day(state.rng)
    if day >= state.run.today:
        return None
    return day, state.office_time(day)


def _decide(state: YearState, req: Req, day: date) -> None:
    """The request's fate and the day it is sealed (acceptance, withdrawal, decline)."""
    rng = state.rng
    outcome = OUTCOMES(rng)
    if outcome == "fallback" and req.kind != "individual":
        outcome = "accepted"
    decided = state.year.day_on_or_after(day + timedelta(days=rng.randint(3, 20)))
    if decided is None:  # asked too late in the spring: taken back
        outcome, decided = "withdrawn", min(day + timedelta(days=10), state.year.ends_on)
    if state.year.is_current and decided >= state.run.today:
        outcome = "open"
    req.outcome, req.decided = outcome, decided


def _group(state: YearState, pool: _Pool, n: int) -> Req | None:
    rng, city = state.rng, state.run.city
    sessions = GROUP_SESSIONS(rng)
    organiser = pool.pick(rng, sessions)
    if organiser is None:
        return None
    unit = city.user_unit[organiser]
    division = city.unit_division[unit]
    size = GROUP_SIZES(rng)
    roll = rng.random()
    if roll < params.CROSS_DIVISION_SHARE:
        among, label = pool.people, f"Poikkihallinnollinen ryhmä {n}"
    elif roll < params.CROSS_DIVISION_SHARE + params.CROSS_UNIT_SHARE:
        among = [u for unit_id in city.units_by_division[division] for u in pool.by_unit[unit_id]]
        label = f"{rng.choice(names.PLACES)} alueen {rng.choice(names.GROUP_NAMES)}"
    else:
        among = pool.by_unit[unit]
        label = f"{city.unit_names[unit]}: {rng.choice(names.GROUP_NAMES)}"
    members = [organiser]
    for _ in range(size * 3):
        if len(members) >= size or len(among) < 2:
            break
        user_id = pool.pick(rng, sessions, among, tries=1)
        if user_id is not None and user_id not in members:
            members.append(user_id)
    if len(members) < 3:
        return None
    picked = _day_and_time(state)
    if picked is None:
        return None
    day, created = picked
    req = Req(
        kind="group",
        requester=organiser,
        members=members,
        sessions=sessions,
        created=created,
        wanted_from=_wanted(state, day),
        language="fi",
        modes=("on_site",) if rng.random() < 0.8 else ("on_site", "video"),
        division=division,
        units=frozenset(city.user_unit[m] for m in members),
        group_name=label,
    )
    for member in members[1:]:
        if len(req.participants) > 3 and rng.random() < params.MEMBER_DECLINES:
            req.declined.append(member)
    _hold(state, req)
    return req


def _hold(state: YearState, req: Req) -> None:
    for member in req.members:
        state.take_room(member, req.sessions)


def _wanted(state: YearState, day: date) -> date:
    return min(day + timedelta(days=state.rng.randint(7, 30)), state.year.ends_on)


def _individual(state: YearState, pool: _Pool) -> Req | None:
    rng, city = state.rng, state.run.city
    sessions = INDIVIDUAL_SESSIONS(rng)
    requester = pool.pick(rng, 3)
    if requester is None:
        return None
    picked = _day_and_time(state)
    if picked is None:
        return None
    day, created = picked
    unit = city.user_unit[requester]
    req = Req(
        kind="individual",
        requester=requester,
        members=[requester],
        sessions=min(sessions, state.room[requester]),
        created=created,
        wanted_from=_wanted(state, day),
        language=LANGUAGES(rng),
        modes=MODES(rng),
        division=city.unit_division[unit],
        units=frozenset((unit,)),
        # Answers of finished years are purged (requests/retention.py); these wait.
        answers=state.year.is_current and rng.random() < 0.5,
    )
    _hold(state, req)
    return req


def make_requests(state: YearState) -> list[Req]:
    """The year's group and individual requests, oldest first, each with its fate drawn."""
    pool = _Pool(state)
    made: list[Req] = []
    target = round(len(pool.people) * params.GROUP_MEMBER_RATE)
    named, attempts = 0, 0
    while named < target and attempts < target:
        attempts += 1
        req = _group(state, pool, len(made) + 1)
        if req is not None:
            named += len(req.members)
            made.append(req)
    for _ in range(round(len(pool.people) * params.INDIVIDUAL_RATE)):
        req = _individual(state, pool)
        if req is not None:
            made.append(req)
    for req in made:
        _decide(state, req, req.created.date())
        req.move(req.created, req.requester, "submitted")
    made.sort(key=lambda r: r.created)
    return made
