"""Request rows, quota accounts, and the current year's queue and matching proposal.

The queue is bounded (``params.OPEN_REQUESTS`` at factor 1): older waiting requests
are taken as decided in the days before today. The newest wait: submitted after the
last matching run, or matched (proposed in the open run, with capacity kept free so
that "accept all" works) or waitlisted by it, and a few offered a Lahti-fallback
group. The run's snapshot is the supervisors' final counters, so it is fresh.
"""

from datetime import timedelta

from lahti_dev.scale import names
from lahti_dev.scale.context import YearState
from lahti_dev.scale.demand import Req
from lahti_dev.scale.params import QUOTA


def cap_queue(state: YearState, reqs: list[Req]) -> None:
    """Keep the newest waiting requests open; the older ones were decided before today."""
    rng, year, today = state.rng, state.year, state.run.today
    waiting = [r for r in reqs if r.outcome == "open" and not r.keep_open]
    waiting.sort(key=lambda r: r.created)
    for req in waiting[: max(0, len(waiting) - state.run.scale.open_requests)]:
        decided = year.day_on_or_before(today - timedelta(days=rng.randint(1, 6)))
        req.decided = max(decided or req.created.date(), req.created.date())
        req.outcome = "accepted"


def slot_picker(state: YearState):
    """Who books a slot: staff with a session left, not in the supervisor's conflicts."""
    city, rng = state.run.city, state.rng
    people = [u for u in city.staff if city.active[u] or not state.year.is_current]

    def pick(sup) -> int | None:
        for _ in range(4):
            user_id = rng.choice(people)
            if state.room[user_id] >= 1 and city.user_unit[user_id] not in sup.conflicts:
                return user_id
        return None

    return pick


def write_requests(state: YearState, reqs: list[Req]) -> None:
    """Request rows with their members, history, answers and group offers."""
    run = state.run
    w, ids = run.writer, run.ids
    for req in reqs:
        w.add(
            "supervision_requests",
            {
                "id": req.id,
                "kind": req.kind,
                "status": req.status,
                "requester_id": req.requester,
                "school_year_id": state.year.id,
                "sessions_requested": req.sessions,
                "modes": list(req.modes),
                "language": req.language,
                "preferred_supervisor_id": req.preferred,
                "continue_previous": req.continue_previous,
                "times_that_suit": "",
                "wanted_from": req.wanted_from,
                "group_name": req.group_name,
                "created_at": req.created,
                "updated_at": req.events[-1][0],
            },
        )
        if req.kind == "group":
            for n, member in enumerate(req.members):
                declined = member in req.declined
                w.add(
                    "request_members",
                    {
                        "id": ids.take("request_members"),
                        "request_id": req.id,
                        "user_id": member,
                        "status": "organiser"
                        if n == 0
                        else ("declined" if declined else "invited"),
                        "responded_at": state.after(req.created, (2, 60)) if declined else None,
                    },
                )
        for at, actor, old, new, reason in req.events:
            w.add(
                "request_events",
                {
                    "id": ids.take("request_events"),
                    "request_id": req.id,
                    "at": at,
                    "actor_id": actor,
                    "from_status": old,
                    "to_status": new,
                    "reason": reason,
                },
            )
        if req.answers and state.year.is_current:
            for position, text in run.city.questions:
                w.add(
                    "pre_question_answers",
                    {
                        "id": ids.take("pre_question_answers"),
                        "request_id": req.id,
                        "position": position,
                        "question": text,
                        "answer": names.ANSWER_PLACEHOLDER,
                    },
                )
    for offer, members in state.offers:
        w.add("group_offers", offer)
        for request_id, response, responded_at in members:
            w.add(
                "group_offer_members",
                {
                    "id": ids.take("group_offer_members"),
                    "offer_id": offer["id"],
                    "request_id": request_id,
                    "response": response,
                    "responded_at": responded_at,
                },
            )
    state.offers.clear()


def write_accounts(state: YearState) -> None:
    """Each person's quota counters for the year, as the sessions and requests left them."""
    ids, w, year_id = state.run.ids, state.run.writer, state.year.id
    pending, reserved, used = state.pending, state.reserved, state.used
    for user_id, touched in enumerate(state.touched):
        if touched:
            w.add(
                "quota_accounts",
                {
                    "id": ids.take("quota_accounts"),
                    "user_id": user_id,
                    "school_year_id": year_id,
                    "quota": QUOTA,
                    "pending": pending[user_id],
                    "reserved": reserved[user_id],
                    "used": used[user_id],
                },
            )


def settle_queue(state: YearState, allocator, open_requests: list[Req]) -> None:
    """The waiting requests, the open matching run with its proposal, a group offer."""
    run, rng = state.run, state.rng
    run_at = state.office_time(run.today - timedelta(days=2))
    admin = run.admin()
    batches = state.batches
    allocator.places = {
        s.id: max(0, s.capacity_processes - batches[s.id].active) for s in run.city.supervisors
    }
    assignments = []  # (request, supervisor, status, rule, grounds, cost, group number)
    waitlisted = []
    for req in sorted(open_requests, key=lambda r: r.created):
        if req.keep_open or req.created >= run_at:
            continue
        group = req.kind == "group"
        # A quarter wait for capacity (after the first match, so every queue shows both).
        wait = run.proposed.total() > 0 and rng.random() < 0.25
        chosen = None if wait else allocator.choose(req, group, req.sessions)
        if chosen is None:
            req.move(run_at, admin, "waitlisted", "no supervisor free")
            unmatched = [{"reason": "capacity", "count": 1}]
            assignments.append((req, None, "unmatched", "", unmatched, 0, None))
            if req.kind == "individual":
                waitlisted.append(req)
            continue
        sup, rule, grounds = chosen
        req.move(run_at, admin, "matched", "matching proposal")
        cost = req.sessions * sup.price(group, state.year.index, len(run.city.years))
        assignments.append((req, sup, "proposed", rule, grounds, cost, None))
        run.queue_cents += cost
        run.proposed[sup.id] += 1
    offer = _offer_group(state, allocator, waitlisted, run_at, admin)
    for req in open_requests:
        for member in req.participants:
            state.pending[member] += req.sessions
            state.touched[member] = 1
    write_requests(state, open_requests)
    _write_run(state, run_at, admin, assignments, offer)
    _watches(state)


def _distinct(reqs: list[Req]) -> list[Req]:
    seen: set[int] = set()
    return [r for r in reqs if not (r.requester in seen or seen.add(r.requester))]


def _offer_group(state: YearState, allocator, waitlisted: list[Req], run_at, admin):
    """One Lahti-fallback offer to waitlisted individuals of a division, if three wait."""
    by_division: dict[int, list[Req]] = {}
    for req in waitlisted:
        by_division.setdefault(req.division, []).append(req)
    chunk = next((r[:6] for r in map(_distinct, by_division.values()) if len(r) >= 3), None)
    if chunk is None:
        return None
    sessions = min(r.sessions for r in chunk)
    probe = Req(
        kind="group",
        requester=chunk[0].requester,
        members=[r.requester for r in chunk],
        sessions=sessions,
        created=chunk[0].created,
        wanted_from=chunk[0].wanted_from,
        language="fi",
        modes=("on_site", "video"),
        division=chunk[0].division,
        units=frozenset(u for r in chunk for u in r.units),
    )
    chosen = allocator.choose(probe, True, sessions)
    if chosen is None:
        return None
    sup = chosen[0]
    state.free[sup.id] += sessions  # an offer holds no capacity until the group is formed
    allocator.places[sup.id] += 1
    offered_at = run_at + timedelta(hours=1)
    for req in chunk:
        req.move(offered_at, admin, "group_offered", "group offered")
    return sup, sessions, chunk, offered_at


def _write_run(state: YearState, run_at, admin, assignments, offer) -> None:
    """The open matching run: its proposal, snapshot and the group it offered."""
    run = state.run
    w, ids, batches = run.writer, run.ids, state.batches
    run_id = ids.take("matching_runs")
    offered = {}
    if offer is not None:
        sup, sessions, chunk, _ = offer
        price = sessions * sup.price(True, state.year.index, len(run.city.years))
        offered = {r.id: (sup, price) for r in chunk}
    rows = []
    for req, sup, status, rule, grounds, cost, _group in assignments:
        if req.id in offered:
            sup, cost = offered[req.id]
            status, rule, grounds, group_no = "group_offered", "group_fallback", [], 1
        else:
            group_no = None
        rows.append(
            {
                "id": ids.take("proposed_assignments"),
                "run_id": run_id,
                "request_id": req.id,
                "supervisor_id": sup.id if sup else None,
                "status": status,
                "rule": rule,
                "grounds": grounds,
                "cost_cents": cost,
                "group_no": group_no,
            }
        )
    w.add(
        "matching_runs",
        {
            "id": run_id,
            "created_at": run_at,
            "created_by_id": admin,
            "school_year_id": state.year.id,
            "policy": "ranking",
            "status": "proposed",
            "stats": {
                "served": sum(r["status"] == "proposed" for r in rows),
                "total": len(rows),
                "status": "optimal",
                "gap": 0.0,
                "seconds": 0.4,
            },
            "snapshot": {
                "supervisors": {
                    str(s.id): [batches[s.id].granted, batches[s.id].active]
                    for s in run.city.supervisors
                },
                "requests": {
                    str(req.id): [req.sessions, len(req.participants) if req.kind == "group" else 0]
                    for req, *_ in assignments
                },
            },
        },
    )
    for row in rows:
        w.add("proposed_assignments", row)
    if offer is not None:
        sup, sessions, chunk, offered_at = offer
        offer_id = ids.take("group_offers")
        w.add(
            "group_offers",
            {
                "id": offer_id,
                "supervisor_id": sup.id,
                "school_year_id": state.year.id,
                "division_id": chunk[0].division,
                "language": "fi",
                "sessions": sessions,
                "status": "open",
                "created_at": offered_at,
                "created_by_id": admin,
                "matching_run_id": run_id,
            },
        )
        for n, req in enumerate(chunk):
            w.add(
                "group_offer_members",
                {
                    "id": ids.take("group_offer_members"),
                    "offer_id": offer_id,
                    "request_id": req.id,
                    "response": "accepted" if n == 0 else "pending",
                    "responded_at": state.after(offered_at, (1, 20)) if n == 0 else None,
                },
            )


def _watches(state: YearState) -> None:
    """A few staff members waiting for an on-duty slot to free up."""
    run, rng = state.run, state.rng
    on_duty = [s for s in run.city.supervisors if s.on_duty and s.last_year == state.year.index]
    people = [u for u in run.city.staff if run.city.active[u]]
    for _ in range(max(1, len(people) // 500)):
        day = run.today + timedelta(days=rng.randint(1, 20))
        run.writer.add(
            "slot_watches",
            {
                "id": run.ids.take("slot_watches"),
                "user_id": rng.choice(people),
                "created_at": state.office_time(run.today - timedelta(days=rng.randint(1, 10))),
                "on_date": day if rng.random() < 0.6 else None,
                "supervisor_id": rng.choice(on_duty).id if on_duty and rng.random() < 0.4 else None,
                "status": "waiting",
            },
        )
