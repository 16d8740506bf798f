"""On-duty slots (the Vantaa model): published weekly, booked by staff, partly unused.

A booking is what sessions/slot_services.book_slot makes of it: an on-duty request
(accepted at once, with the three pre-question answers in the current year only; the
answers of finished years are purged), its one-session process with the frozen
price, and a planned session that reserves one session of the booker's quota and of
the supervisor's capacity (no process place). Cancellations follow cancel_booking.
"""

from datetime import datetime, timedelta

from lahti_dev.scale import names, params
from lahti_dev.scale.batch import SupervisorBatch
from lahti_dev.scale.calendar import local
from lahti_dev.scale.context import YearState
from lahti_dev.scale.params import Weighted
from lahti_dev.scale.sessions import Occ, Proc, log
from lahti_pool.sessions.rules import local_date

OUTCOMES = Weighted(params.SLOT_OUTCOMES)


def slot_times(state: YearState, sup) -> list[datetime]:
    """The supervisor's slots in the year: the weekly pattern on term days, minus absences.

    The pattern is published in a share of the weeks (``Sup.slot_weeks``), drawn per week.
    """
    if sup.on_duty is None or not sup.first_year <= state.year.index <= sup.last_year:
        return []
    weekdays, hours, _mode = sup.on_duty
    last = state.year.spring_end
    if state.year.is_current:
        last = min(last, state.run.today + timedelta(weeks=params.SLOT_WEEKS_AHEAD))
    first = state.year.days[0] + timedelta(days=7)  # from the second week of the term
    weeks: dict[int, bool] = {}
    times = []
    for day in state.year.days:
        if not first <= day <= last or day.weekday() not in weekdays:
            continue
        week = day.toordinal() // 7
        if week not in weeks:
            weeks[week] = state.rng.random() < sup.slot_weeks
        if weeks[week] and not any(start <= day <= end for start, end in sup.absences):
            times.extend(local(day, hour) for hour in hours)
    return times


def _booked_at(state: YearState, created: datetime, starts: datetime) -> datetime:
    lead = timedelta(hours=state.rng.uniform(2, 24 * 14))
    moment = max(starts - lead, created + timedelta(minutes=10))
    return min(moment, state.run.now - timedelta(minutes=state.rng.randint(5, 600)))


def _publish_time(state: YearState, starts: datetime) -> datetime:
    """Slots are published on the Monday about four weeks ahead (never after now)."""
    day = starts.date() - timedelta(days=28)
    monday = day - timedelta(days=day.weekday())
    return min(local(monday, 9), state.run.now - timedelta(hours=state.rng.randint(2, 48)))


def publish(batch: SupervisorBatch, times: list[datetime], pick, forced=None) -> None:
    """Publish the slots and book some: ``pick(sup)`` finds a booker with a session left.

    ``forced`` maps a slot's start to (booker, outcome) for the known logins.
    """
    state, sup = batch.state, batch.sup
    rng, run = state.rng, state.run
    mode = sup.on_duty[2]
    forced = forced or {}
    for starts in times:
        created = _publish_time(state, starts)
        slot = {
            "id": run.ids.take("on_duty_slots"),
            "supervisor_id": sup.id,
            "starts_at": starts,
            "on_date": local_date(starts),
            "duration_minutes": 60,
            "mode": mode,
            "status": "open",
            "created_at": created,
        }
        batch.slots.append(slot)
        past = starts < run.now
        if starts in forced:
            booker, outcome = forced[starts]
        else:
            days_ahead = (slot["on_date"] - run.today).days
            chance = params.SLOT_BOOKED * (1 if past else max(0.15, 1 - days_ahead / 28))
            if rng.random() >= chance:
                continue
            booker = pick(sup)
            if booker is None:
                continue
            outcome = OUTCOMES(rng) if past else "planned"
            if past and (run.today - slot["on_date"]).days < 7 and rng.random() < 0.3:
                outcome = "planned"  # held last week, not logged yet
        state.take_room(booker, 1)
        _book(batch, slot, booker, outcome, _booked_at(state, created, starts))


def _book(batch: SupervisorBatch, slot: dict, booker: int, outcome: str, booked_at) -> None:
    state, sup, run = batch.state, batch.sup, batch.state.run
    rng = state.rng
    request_id = run.ids.take("supervision_requests")
    answers = []
    if state.year.is_current:
        answers = [
            {
                "id": run.ids.take("pre_question_answers"),
                "request_id": request_id,
                "position": position,
                "question": text,
                "answer": names.ANSWER_PLACEHOLDER,
            }
            for position, text in run.city.questions
        ]
    batch.requests.append(
        (
            {
                "id": request_id,
                "kind": "on_duty",
                "status": "accepted",
                "requester_id": booker,
                "school_year_id": state.year.id,
                "sessions_requested": 1,
                "modes": [slot["mode"]],
                "language": "fi",
                "preferred_supervisor_id": sup.id,
                "continue_previous": False,
                "times_that_suit": "",
                "wanted_from": slot["on_date"],
                "group_name": "",
                "created_at": booked_at,
                "updated_at": booked_at,
            },
            {
                "id": run.ids.take("request_events"),
                "request_id": request_id,
                "at": booked_at,
                "actor_id": booker,
                "from_status": None,
                "to_status": "accepted",
                "reason": "on-duty slot booked",
            },
            answers,
        )
    )
    proc = Proc(
        id=run.ids.take("supervision_processes"),
        kind="on_duty",
        sup=sup,
        members=[booker],
        member_requests=[request_id],
        request_id=request_id,
        granted=1,
        price=sup.price(False, state.year.index, len(run.city.years)),
        vat=sup.vat(booked_at.date()),
        accepted_at=booked_at,
        accepted_by=booker,
        rule="on_duty",
        grounds=[],
        modes=(slot["mode"],),
    )
    came = {"held": True, "no_show": False, "late_cancelled": False}.get(outcome)
    occ = Occ(
        id=run.ids.take("supervision_sessions"),
        proc=proc,
        day=slot["on_date"],
        starts_at=slot["starts_at"],
        duration=60,
        mode=slot["mode"],
        place="",
        status=outcome,
        covision=False,
        host_user=None,
        attended={booker: came},
    )
    proc.sessions.append(occ)
    if outcome in ("held", "no_show", "late_cancelled"):
        log(state, occ)  # logged by the supervisor, or (late) at the booker's cancellation
        proc.status, proc.closed_at = "closed", occ.logged_at
        proc.closed_by = booker if outcome == "late_cancelled" else sup.user_id
    elif outcome != "planned":
        cancelled_at = max(
            occ.starts_at - timedelta(hours=rng.uniform(26, 120)), booked_at + timedelta(hours=1)
        )
        proc.status, proc.closed_at = "closed", min(cancelled_at, run.now)
        proc.closed_by = booker if outcome == "cancelled" else sup.user_id
    batch.procs.append(proc)
    batch.finish(proc, "on_duty")
    if outcome == "cancelled":  # in time: the slot is free again
        return
    if outcome == "cancelled_by_supervisor":
        slot["status"] = "withdrawn"
        return
    slot |= {
        "status": "booked",
        "booked_by_id": booker,
        "booked_at": booked_at,
        "session_id": occ.id,
    }
