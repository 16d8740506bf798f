"""One supervisor's school year: processes, sessions and all that hangs on them.

The batch is simulated in memory first, so that the month's invoice statements can
be written before the sessions that point at them; then every row goes to the writer
parents first. The counters the app keeps (quota, supervisor load, budget use) are
added up here from the very sessions written, by the rules of sessions/rules.py,
supervisors/capacity.py and budget/services.recompute_costs.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from lahti_dev.scale import billing, names, params
from lahti_dev.scale.city import Sup
from lahti_dev.scale.context import YearState
from lahti_dev.scale.params import Weighted
from lahti_dev.scale.sessions import USING, Occ, Proc
from lahti_pool.budget.rules import division_weights, split_cents

#: the session counts in the budget: planned (committed) or billable (spent or awaiting)
COSTED = USING | {"planned"}


@dataclass
class SupervisorBatch:
    state: YearState
    sup: Sup
    procs: list[Proc] = field(default_factory=list)
    #: on-duty requests made by booking a slot: (request row, event row, answer rows)
    requests: list[tuple[dict, dict, list[dict]]] = field(default_factory=list)
    slots: list[dict] = field(default_factory=list)
    granted: int = 0  #: supervisor_loads.sessions_granted
    used: int = 0  #: supervisor_loads.sessions_used
    active: int = 0  #: active processes holding a process place

    def finish(self, proc: Proc, stop: str) -> None:
        """Close the process if its story ended before today; count what it holds."""
        state, run = self.state, self.state.run
        regular = [o for o in proc.sessions if not o.covision]
        using = [o for o in regular if o.status in USING]
        planned = any(o.status == "planned" for o in regular)
        if not planned and proc.kind != "on_duty":
            closed_at = None
            if stop == "done" and using:
                closed_at = max(o.logged_at for o in using)  # logging the last one closes it
            elif stop == "early":
                last = max((o.logged_at for o in regular if o.logged_at), default=proc.accepted_at)
                closed_at = state.after(last, (24, 240))
            elif stop == "year_end":
                closed_at = state.office_time(state.year.spring_end) + timedelta(days=3)
            if closed_at is not None and closed_at < run.now:
                proc.status, proc.closed_at = "closed", closed_at
                proc.closed_by = self.sup.user_id
                if stop != "year_end":
                    proc.closing = max(o.day for o in regular) if regular else None
        half = (proc.granted + 1) // 2
        if len(using) >= half and proc.granted >= 4:
            proc.midpoint = sorted(o.day for o in using)[half - 1]
        self._count(proc, using)

    def _count(self, proc: Proc, using: list[Occ]) -> None:
        state = self.state
        active = proc.status == "active"
        for member in proc.members:
            shares = reserved = used = 0
            for occ in proc.sessions:
                share = occ.share(member)
                if share is not None:
                    shares += 1
                    reserved += share == "reserved"
                    used += share == "used"
            state.reserved[member] += reserved
            state.used[member] += used
            if active:
                state.pending[member] += proc.granted - shares
            state.touched[member] = 1
        self.granted += proc.granted if active else len(using)
        self.used += len(using)
        if active and proc.kind != "on_duty":
            self.active += 1
        for occ in proc.sessions:
            occ.costs = self._costs(occ)

    def _costs(self, occ: Occ) -> dict[int, int]:
        """budget/services.recompute_costs: the price split by the (attending) clients."""
        if occ.covision or occ.proc.price == 0 or occ.status not in COSTED:
            return {}
        division_of = self.state.run.city.division_of
        people = [m for m, came in occ.attended.items() if came]
        if occ.status == "planned" or not people:
            people = list(occ.attended)
        divisions = [division_of(m) for m in people]
        first = divisions[0]
        if all(d == first for d in divisions):
            costs = {first: occ.proc.price}
        else:
            costs = split_cents(occ.proc.price, division_weights(divisions))
        tally = self.state.run.costs
        for division, cents in costs.items():
            tally[(occ.day.year, division)] += cents
        return costs

    def emit(self) -> None:
        """Write the batch, parents first (see writer.BulkWriter)."""
        w, state = self.state.run.writer, self.state
        for request, event, answers in self.requests:
            w.add("supervision_requests", request)
            w.add("request_events", event)
            for answer in answers:
                w.add("pre_question_answers", answer)
        for proc in self.procs:
            _emit_process(w, state, proc)
        statements, lines = billing.statements(self)
        for row in statements:
            w.add("invoice_statements", row)
        for proc in self.procs:
            for occ in proc.sessions:
                _emit_session(w, state, occ)
        for row in lines:
            w.add("statement_lines", row)
        for proc in self.procs:
            for occ in proc.sessions:
                if occ.status == "held" and not occ.covision:
                    _emit_feedback(w, state, occ)
        for slot in self.slots:
            w.add("on_duty_slots", slot)
        if self.sup.first_year <= state.year.index <= self.sup.last_year:
            w.add(
                "supervisor_loads",
                {
                    "id": state.run.ids.take("supervisor_loads"),
                    "supervisor_id": self.sup.id,
                    "school_year_id": state.year.id,
                    "sessions_granted": self.granted,
                    "sessions_used": self.used,
                },
            )
        # Written: only the counters stay (memory stays flat however big the city).
        self.procs, self.requests, self.slots = [], [], []


def _emit_process(w, state: YearState, proc: Proc) -> None:
    w.add(
        "supervision_processes",
        {
            "id": proc.id,
            "request_id": proc.request_id,
            "group_offer_id": proc.group_offer_id,
            "supervisor_id": proc.sup.id,
            "school_year_id": state.year.id,
            "kind": proc.kind,
            "status": proc.status,
            "sessions_granted": proc.granted,
            "price_cents": proc.price,
            "vat_percent": proc.vat,
            "accepted_at": proc.accepted_at,
            "accepted_by_id": proc.accepted_by,
            "rule": proc.rule,
            "grounds": proc.grounds,
            "midpoint_reviewed_on": proc.midpoint,
            "closing_evaluated_on": proc.closing,
            "closed_at": proc.closed_at,
            "closed_by_id": proc.closed_by,
        },
    )
    ids = state.run.ids
    for member, request_id in zip(proc.members, proc.member_requests, strict=True):
        w.add(
            "process_members",
            {
                "id": ids.take("process_members"),
                "process_id": proc.id,
                "user_id": member,
                "request_id": request_id,
            },
        )


def _emit_session(w, state: YearState, occ: Occ) -> None:
    logged = occ.logged_at is not None
    w.add(
        "supervision_sessions",
        {
            "id": occ.id,
            "process_id": occ.proc.id,
            "starts_at": occ.starts_at,
            "on_date": occ.day,
            "duration_minutes": occ.duration,
            "mode": occ.mode,
            "place": occ.place,
            "status": occ.status,
            "is_covision": occ.covision,
            "host_user_id": occ.host_user,
            "venue_id": None,
            "price_cents": 0 if occ.covision else occ.proc.price,
            "approval": occ.approval,
            "logged_at": occ.logged_at,
            "approved_at": occ.approved_at,
            "approved_by_id": occ.approved_by,
            "return_reason": occ.return_reason,
            "statement_id": occ.statement_id,
            # planned: 0; logged: 1; a cancelled booking: cancelled and re-sent (2)
            "ical_sequence": 1 if logged else (0 if occ.status == "planned" else 2),
        },
    )
    ids = state.run.ids
    for member, came in occ.attended.items():
        w.add(
            "session_attendance",
            {
                "id": ids.take("session_attendance"),
                "session_id": occ.id,
                "user_id": member,
                "attended": came,
            },
        )
    for division, cents in occ.costs.items():
        w.add(
            "session_costs",
            {
                "id": ids.take("session_costs"),
                "session_id": occ.id,
                "division_id": division,
                "amount_cents": cents,
            },
        )


USEFULNESS = Weighted({5: 55, 4: 32, 3: 9, 2: 3, 1: 1})
ATMOSPHERE = Weighted({5: 62, 4: 28, 3: 7, 2: 2, 1: 1})
ARRANGEMENTS = Weighted({5: 45, 4: 35, 3: 14, 2: 4, 1: 2})


def _emit_feedback(w, state: YearState, occ: Occ) -> None:
    """feedback/services.invite_feedback, and the answers of those who gave them."""
    run, rng = state.run, state.rng
    for member, came in occ.attended.items():
        if came is False:
            continue
        answered = rng.random() < params.FEEDBACK_ANSWERED
        w.add(
            "feedback_invitations",
            {
                "id": run.ids.take("feedback_invitations"),
                "session_id": occ.id,
                "user_id": member,
                "created_at": occ.logged_at,
                "answered": answered,
            },
        )
        if answered:
            commented = rng.random() < params.FEEDBACK_COMMENTED
            w.add(
                "feedback_responses",
                {
                    "id": run.ids.take("feedback_responses"),
                    "supervisor_id": occ.proc.sup.id,
                    "division_id": run.city.division_of(member),
                    "month": occ.day.replace(day=1),
                    "kind": occ.proc.kind,
                    "usefulness": USEFULNESS(rng),
                    "atmosphere": ATMOSPHERE(rng),
                    "arrangements": ARRANGEMENTS(rng),
                    "comment": rng.choice(names.FEEDBACK_COMMENTS) if commented else "",
                },
            )
