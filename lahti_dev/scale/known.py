"""The known logins' story, so that a person (or the benchmark) sees every page filled.

The staff member (staff@…) had an individual process last year; this year they have
an active process with the known supervisor (sessions held, one planned), an on-duty
session held and one booked, and an open invitation to a colleague's group. The
supervisor (supervisor@…) is first in the agreement's ranking, serves every division
and publishes on-duty slots, so they get many processes of every kind.
"""

from datetime import datetime, timedelta

from lahti_dev.scale.context import YearState
from lahti_dev.scale.demand import Req
from lahti_dev.scale.sessions import Proc, Scheduler


def _req(state: YearState, kind, requester, members, sessions, day, **extra) -> Req:
    city = state.run.city
    req = Req(
        kind=kind,
        requester=requester,
        members=members,
        sessions=sessions,
        created=state.office_time(day),
        wanted_from=min(day + timedelta(days=14), state.year.ends_on),
        language="fi",
        modes=("video", "on_site"),
        division=city.division_of(requester),
        units=frozenset(city.user_unit[m] for m in members),
        **extra,
    )
    for member in members:
        state.take_room(member, sessions)
    req.move(req.created, requester, "submitted")
    return req


def _other_supervisor(state: YearState, staff: int, sessions: int):
    city = state.run.city
    division, unit = city.division_of(staff), city.user_unit[staff]
    for sup in city.supervisors[1:]:
        if (
            sup.first_year <= state.year.index <= sup.last_year
            and division in sup.divisions
            and unit not in sup.conflicts
            and state.free.get(sup.id, 0) >= sessions
        ):
            return sup
    return None


def requests(state: YearState, batches) -> list[Req]:
    """The staff member's requests of the year (made before the city's others)."""
    city, year, today = state.run.city, state.year, state.run.today
    staff, sup = city.known["staff"], city.supervisors[0]
    made = []
    if year.index == len(city.years) - 2:
        other = _other_supervisor(state, staff, 6)
        day = year.day_on_or_after(year.starts_on.replace(month=9, day=15))
        if other is not None:
            req = _req(state, "individual", staff, [staff], 6, day, fixed=(other, 6))
            req.outcome, req.decided = "accepted", year.day_on_or_after(day + timedelta(days=5))
            made.append(req)
    if not year.is_current:
        return made
    start = year.day_on_or_after(max(year.days[0], today - timedelta(days=47)))
    if start is not None and start < today - timedelta(days=10):
        req = _req(state, "individual", staff, [staff], 5, start, fixed=(sup, 4), answers=True)
        req.outcome, req.decided = "accepted", year.day_on_or_after(start + timedelta(days=2))
    else:  # the school year has only just begun: the request waits
        req = _req(state, "individual", staff, [staff], 5, today - timedelta(days=1))
        req.outcome, req.keep_open, req.answers = "open", True, True
    made.append(req)
    colleagues = [
        u
        for u in city.staff_by_unit[city.user_unit[staff]]
        if u != staff and city.active[u] and state.room[u] >= 3
    ][:4]
    if len(colleagues) >= 2:
        members = [colleagues[0], staff] + colleagues[1:]
        group = _req(
            state,
            "group",
            colleagues[0],
            members,
            3,
            today - timedelta(days=2),
            group_name=f"{city.unit_names[city.user_unit[staff]]}: opettajat",
        )
        group.outcome, group.keep_open = "open", True
        made.append(group)
    return made


def schedule(scheduler: Scheduler, proc: Proc) -> str:
    """This year's process: fortnightly at 14:00, held until today, the next one planned."""
    state = scheduler.state
    if not state.year.is_current:
        return scheduler.schedule(proc)
    year, today = state.year, state.run.today
    day = year.day_on_or_after(proc.accepted_at.date() + timedelta(days=5))
    counted = ahead = 0
    while counted < proc.granted:
        if day is None:
            return "year_end"
        if day < today:
            status = "held"
        elif ahead < 2 and day <= today + timedelta(days=42):
            status, ahead = "planned", ahead + 1
        else:
            return "future"
        scheduler.occ(proc, day, 14, 0, status)
        counted += 1
        day = year.day_on_or_after(day + timedelta(days=14))
    return "done"


def bookings(state: YearState, sup, times: list[datetime]) -> dict:
    """The staff member's on-duty sessions with the known supervisor: one held, one coming."""
    city, run = state.run.city, state.run
    if sup is not city.supervisors[0] or not state.year.is_current:
        return {}
    staff = city.known["staff"]
    past = [t for t in times if t < run.now - timedelta(days=10)]
    coming = [t for t in times if t > run.now + timedelta(days=2)]
    forced = {}
    if past and state.room[staff] >= 1:
        forced[past[-1]] = (staff, "held")
    if coming and state.room[staff] >= 1 + len(forced):
        forced[coming[0]] = (staff, "planned")
    return forced
