"""One school year of history: requests, their fate, processes, then each supervisor's year."""

from datetime import timedelta

from lahti_dev.scale import current, known, names, params
from lahti_dev.scale.allocate import Allocator
from lahti_dev.scale.batch import SupervisorBatch
from lahti_dev.scale.context import Run, YearState
from lahti_dev.scale.demand import Req, make_requests
from lahti_dev.scale.sessions import Proc, Scheduler
from lahti_dev.scale.slots import publish, slot_times


def _matched_and_accepted(state: YearState, req: Req) -> tuple:
    """The request's MATCHED and ACCEPTED events; returns the acceptance moment."""
    accepted_at = max(state.office_time(req.decided), req.created + timedelta(hours=2))
    matched_at = max(accepted_at - timedelta(hours=state.rng.uniform(2, 72)), req.created)
    admin = state.run.admin()
    req.move(matched_at + timedelta(minutes=1), admin, "matched", "matching proposal")
    req.move(accepted_at, admin, "accepted")
    return accepted_at, admin


def _process(state, req, sup, rule, grounds, granted, accepted_at, admin, **extra) -> Proc:
    run, group = state.run, req.kind == "group"
    members = extra.pop("members", None) or req.participants
    proc = Proc(
        id=run.ids.take("supervision_processes"),
        kind=req.kind,
        sup=sup,
        members=members,
        member_requests=extra.pop("member_requests", None) or [req.id] * len(members),
        request_id=extra.pop("request_id", req.id),
        granted=granted,
        price=sup.price(group, state.year.index, len(run.city.years)),
        vat=sup.vat(accepted_at.date()),
        accepted_at=accepted_at,
        accepted_by=admin,
        rule=rule,
        grounds=grounds,
        modes=req.modes,
        covision=group and state.rng.random() < params.COVISION_GROUPS,
        **extra,
    )
    for member in members:
        run.previous[member] = sup.id
    return proc


def _no_supervisor(state: YearState, req: Req, open_requests: list[Req]) -> None:
    """Nobody could take it: waitlisted; in a finished year, withdrawn at the spring's end."""
    if state.year.is_current:
        req.outcome = "open"
        open_requests.append(req)
        return
    at = state.office_time(req.decided)
    req.move(at, state.run.admin(), "waitlisted", "no supervisor free")
    end = max(state.office_time(state.year.spring_end), at + timedelta(hours=1))
    req.move(end, req.requester, "withdrawn", names.WITHDRAW_REASONS[1])


def _accept(state, allocator, batches, req: Req, open_requests) -> None:
    rng = state.rng
    if req.fixed is not None:
        sup, granted = req.fixed
        state.free[sup.id] -= granted
        req.preferred, rule, grounds = sup.id, "preferred", []
    else:
        granted = req.sessions
        if granted > 1 and rng.random() < params.SMALLER_GRANT:
            granted = rng.randint(max(1, granted - 3), granted - 1)
        chosen = allocator.choose(req, req.kind == "group", granted)
        if chosen is None:
            _no_supervisor(state, req, open_requests)
            return
        sup, rule, grounds = chosen
    accepted_at, admin = _matched_and_accepted(state, req)
    proc = _process(state, req, sup, rule, grounds, granted, accepted_at, admin)
    if req.fixed is not None:
        proc.script = "known"
    batches[sup.id].procs.append(proc)


def _fallback_groups(state, allocator, batches, reqs: list[Req], open_requests) -> None:
    """The Lahti fallback: individual requests nobody took, formed into a group."""
    by_division: dict[int, list[Req]] = {}
    for req in reqs:
        by_division.setdefault(req.division, []).append(req)
    for division_reqs in by_division.values():
        while division_reqs:
            size = min(len(division_reqs), state.rng.randint(4, 8))
            chunk, division_reqs = division_reqs[:size], division_reqs[size:]
            group = _distinct(chunk)
            if len(group) < 3:
                group = []
            grouped = {id(r) for r in group}
            for req in chunk:
                if id(req) not in grouped:  # alone, or someone's second request: as usual
                    _accept(state, allocator, batches, req, open_requests)
            if group:
                _form_group(state, allocator, batches, group, open_requests)


def _distinct(reqs: list[Req]) -> list[Req]:
    """One request per person in a group (someone may have asked twice in a year)."""
    seen: set[int] = set()
    return [r for r in reqs if not (r.requester in seen or seen.add(r.requester))]


def _form_group(state, allocator, batches, chunk: list[Req], open_requests) -> None:
    run = state.run
    sessions = min(r.sessions for r in chunk)
    first = chunk[0]
    probe = Req(
        kind="group",
        requester=first.requester,
        members=[r.requester for r in chunk],
        sessions=sessions,
        created=first.created,
        wanted_from=first.wanted_from,
        language="fi",
        modes=("on_site", "video"),
        division=first.division,
        units=frozenset(u for r in chunk for u in r.units),
    )
    chosen = allocator.choose(probe, True, sessions)
    if chosen is None:
        for req in chunk:
            _no_supervisor(state, req, open_requests)
        return
    sup = chosen[0]
    decided = max(r.decided for r in chunk)
    offered_at = max(state.office_time(decided), max(r.created for r in chunk))
    formed_at = state.after(offered_at, (24, 24 * 7))
    admin = run.admin()
    offer_id = run.ids.take("group_offers")
    state.offers.append(
        (
            {
                "id": offer_id,
                "supervisor_id": sup.id,
                "school_year_id": state.year.id,
                "division_id": first.division,
                "language": "fi",
                "sessions": sessions,
                "status": "formed",
                "created_at": offered_at,
                "created_by_id": admin,
            },
            [(r.id, "accepted", state.after(offered_at, (2, 24))) for r in chunk],
        )
    )
    for req in chunk:
        req.move(offered_at - timedelta(hours=1), admin, "waitlisted", "no supervisor free")
        req.move(offered_at, admin, "group_offered", "group offered")
        req.move(formed_at, admin, "accepted", "group formed")
    batches[sup.id].procs.append(
        _process(
            state,
            probe,
            sup,
            "group_fallback",
            [],
            sessions,
            formed_at,
            admin,
            members=[r.requester for r in chunk],
            member_requests=[r.id for r in chunk],
            request_id=None,
            group_offer_id=offer_id,
        )
    )


def _enough_for_a_group(reqs: list[Req]) -> None:
    """Even a tiny city forms one fallback group a year: three requests of a division."""
    candidates: dict[int, list[Req]] = {}
    for req in reqs:
        if (
            req.kind == "individual"
            and req.fixed is None
            and req.outcome in ("fallback", "accepted")
        ):
            candidates.setdefault(req.division, []).append(req)
    for division_reqs in candidates.values():
        if sum(r.outcome == "fallback" for r in division_reqs) >= 3:
            return
    busiest = max(candidates.values(), key=len, default=[])
    if len(busiest) >= 3:
        for req in sorted(busiest, key=lambda r: r.outcome != "fallback")[:3]:
            req.outcome = "fallback"


def place(state: YearState, allocator, batches, reqs: list[Req]) -> list[Req]:
    """Seal every request's fate; returns the current year's still open ones."""
    run = state.run
    for req in reqs:
        req.id = run.ids.take("supervision_requests")
    open_requests, fallback = [], []
    if state.year.is_current:
        current.cap_queue(state, reqs)
    _enough_for_a_group(reqs)
    for req in reqs:
        if req.outcome == "open":
            open_requests.append(req)
        elif req.outcome == "withdrawn":
            at = state.office_time(req.decided)
            req.move(at, req.requester, "withdrawn", state.rng.choice(names.WITHDRAW_REASONS))
        elif req.outcome == "declined":
            at = state.office_time(req.decided)
            req.move(at, run.admin(), "declined", state.rng.choice(names.DECLINE_REASONS))
        elif req.outcome == "fallback":
            fallback.append(req)
        else:
            _accept(state, allocator, batches, req, open_requests)
    _fallback_groups(state, allocator, batches, fallback, open_requests)
    return open_requests


def simulate(run: Run, year, progress) -> YearState:
    """Generate and write one school year; returns its state (counters, batches)."""
    state = YearState(run, year)
    slots = {sup.id: slot_times(state, sup) for sup in run.city.supervisors}
    for sup in run.city.supervisors:
        if sup.first_year <= year.index <= sup.last_year:
            state.free[sup.id] = sup.capacity - len(slots[sup.id])
    batches = {sup.id: SupervisorBatch(state, sup) for sup in run.city.supervisors}
    state.batches = batches
    reqs = known.requests(state, batches) + make_requests(state)
    reqs.sort(key=lambda r: r.created)
    allocator = Allocator(state)
    open_requests = place(state, allocator, batches, reqs)
    current.write_requests(state, [r for r in reqs if r.outcome != "open"])
    scheduler = Scheduler(state, run.ids)
    pick = current.slot_picker(state)
    for sup in run.city.supervisors:
        batch = batches[sup.id]
        for proc in batch.procs:
            stop = known.schedule(scheduler, proc) if proc.script else scheduler.schedule(proc)
            batch.finish(proc, stop)
        if slots[sup.id]:
            publish(batch, slots[sup.id], pick, known.bookings(state, sup, slots[sup.id]))
        batch.emit()
        progress(1)
    if year.is_current:
        current.settle_queue(state, allocator, open_requests)
    current.write_accounts(state)
    return state
