"""Inputs, outputs and eligibility of the matching engine (DOMAIN.md, "Supervisors and matching").

Pure: plain frozen dataclasses in, values out; no Flask and no database.

Eligibility answers with the *first* failing check in the fixed order of ``ELIGIBILITY_ORDER``.
Capacity comes last because it is the only check that depends on the rest of the allocation;
everything before it is *static* for a request–supervisor pair.

``SupervisorTable`` runs the same checks on numpy arrays, one request profile against every
supervisor at once, because the solver needs millions of them; a test keeps both in step.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

MODES = ("on_site", "video", "phone")
KINDS = ("individual", "group")


class Reason(enum.StrEnum):
    """Why a supervisor could not take a request; the first eight are eligibility checks."""

    INACTIVE = "inactive"
    CONTRACT_PERIOD = "contract_period"  #: the request's start date is outside the contract
    DIVISION = "division"
    KIND = "kind"
    LANGUAGE = "language"
    MODE = "mode"  #: no mode in common
    CONFLICT = "conflict"  #: the requester's unit is the supervisor's own or a listed conflict
    CAPACITY = "capacity"  #: too few free sessions or processes before this matching run
    #: the capacity was used up in this proposal by requests older than this one
    OLDER_REQUEST = "older_request"
    #: the capacity this request needed went, in this proposal, to younger requests that the
    #: optimum placed there (to serve more requests, older requests, or keep their wishes);
    #: said only where every stage of the proposal is proven optimal
    OPTIMISATION = "optimisation"
    CLIENT_CHOICE = "client_choice"  #: the client chose another supervisor
    CONTINUITY = "continuity"  #: kept with the previous supervisor, as the client asked
    PREFERRED = "preferred"  #: placed with the supervisor the client preferred
    BALANCED = "balanced"  #: this supervisor would have been more utilised
    #: the capacity went to younger requests in a proposal not proven optimal: no younger
    #: request's place there would have fitted this one (the exchange pass checks that)
    YOUNGER_REQUEST = "younger_request"
    #: the supervisor still has room, and the proposal is not proven optimal: the solver
    #: stopped before it could show whether a better placement exists
    NOT_PROVEN = "not_proven"


ELIGIBILITY_ORDER = (
    Reason.INACTIVE,
    Reason.CONTRACT_PERIOD,
    Reason.DIVISION,
    Reason.KIND,
    Reason.LANGUAGE,
    Reason.MODE,
    Reason.CONFLICT,
    Reason.CAPACITY,
)


class Policy(enum.StrEnum):
    RANKING = "ranking"
    BALANCED = "balanced"
    CLIENT_CHOICE = "client_choice"
    STRICT_RANKING = "strict_ranking"


class Rule(enum.StrEnum):
    """The ground an assignment was made on."""

    RANKING = "ranking"
    BALANCED = "balanced"
    CLIENT_CHOICE = "client_choice"
    STRICT_RANKING = "strict_ranking"
    CONTINUITY = "continuity"
    PREFERRED = "preferred"
    #: placed to serve the most requests, older first, before the allocation rule was applied
    MOST_SERVED = "most_served"


@dataclass(frozen=True)
class RequestIn:
    """A waiting request; ``created_at`` (a datetime or an integer key) orders by age."""

    id: int
    created_at: datetime | int
    sessions: int
    kind: str
    division_id: int
    unit_id: int
    language: str
    modes: frozenset[str]
    start_date: date
    preferred_supervisor_id: int | None = None
    previous_supervisor_id: int | None = None
    continue_previous: bool = False
    area: str = ""  #: only the group fallback uses it
    #: the units of a group's other members: a supervisor in conflict with any is out
    other_unit_ids: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.sessions < 1:
            raise ValueError(f"request {self.id}: sessions must be at least 1")
        if self.kind not in KINDS:
            raise ValueError(f"request {self.id}: unknown kind {self.kind!r}")

    @property
    def continuity_id(self) -> int | None:
        """The previous supervisor when the client asked to continue with them."""
        return self.previous_supervisor_id if self.continue_previous else None


@dataclass(frozen=True)
class SupervisorIn:
    """A supervisor with the capacity left this school year; ``rank`` 1 is the best."""

    id: int
    rank: int
    active: bool
    contract_start: date
    contract_end: date
    divisions: frozenset[int]
    languages: frozenset[str]
    modes: frozenset[str]
    kinds: frozenset[str]
    unit_id: int | None  #: own unit (internal supervisors); never supervises it
    conflict_unit_ids: frozenset[int]
    free_sessions: int
    free_processes: int
    price_individual_cents: int
    price_group_cents: int
    capacity_sessions: int  #: contracted sessions per school year, for utilisation
    used_sessions: int  #: reserved and used already, for the balanced rule

    def price_cents(self, kind: str) -> int:
        return self.price_group_cents if kind == "group" else self.price_individual_cents


@dataclass(frozen=True)
class Assignment:
    request_id: int
    supervisor_id: int
    rule: Rule
    #: every supervisor ranked strictly better than the chosen one, with the true reason
    passed_over: tuple[tuple[int, Reason], ...]
    cost_cents: int
    sessions: int = 0  #: the sessions the request asked for, taken from the supervisor


@dataclass(frozen=True)
class Unmatched:
    request_id: int
    reasons: dict[Reason, int]  #: how many supervisors failed for each reason
    by_supervisor: tuple[tuple[int, Reason], ...]  #: in ranking order


@dataclass(frozen=True)
class StageReport:
    """One objective of the lexicographic order, measured on the proposal made."""

    name: str  #: "serve", "age", "wish", "rank" or "balanced", "cost"
    proven: bool  #: this and every earlier stage are optimal: a bound meets the value
    value: float  #: minimised: -served, sum of positions, -wishes kept, ranks, excess, cents
    bound: float | None  #: the best lower bound that holds for this proposal, or None
    gap: float  #: (value - bound) / max(1, |value|); 0 when proven, inf without a bound
    #: what produced the proposal as it stood after this stage: a heuristic
    #: ("strict_ranking", "restricted_flow", "best_fit", "smallest_first", "relaxation", with
    #: "+exchange" when the pass moved anything), "milp:<stage>", "+local" for the final passes
    source: str
    limit: str = ""  #: "time_limit" or "work_limit" when a limit stopped this stage
    seconds: float = 0.0  #: inside HiGHS for this stage


@dataclass(frozen=True)
class Stats:
    policy: Policy
    served: int
    total: int
    #: "optimal" when every stage is proven; "greedy" for strict ranking (no solver: the rule
    #: itself is the procedure); "greedy_fallback" when nothing better than the strict-ranking
    #: proposal was found, which is then the proposal; else "work_limit" or "time_limit",
    #: whichever stopped the first unproven stage's solver (the proposal is the best found,
    #: never worse than strict ranking)
    status: str
    #: the gap of the first unproven stage (see ``StageReport.gap``); 0.0 when all are proven
    mip_gap: float
    seconds: float  #: wall time of the whole call, explanations included
    solve_seconds: float  #: time spent inside HiGHS
    solves: int  #: number of stages given to HiGHS
    #: the objectives proven optimal, a prefix of "serve", "age", "wish", "rank"/"balanced",
    #: "cost"
    proven_stages: tuple[str, ...] = ()
    stages: tuple[StageReport, ...] = ()  #: every stage with its value, bound, gap and source
    heuristic_seconds: float = 0.0  #: feasible proposals and bounds, before the solver stages


@dataclass(frozen=True)
class Proposal:
    assignments: list[Assignment]
    unmatched: list[Unmatched]
    stats: Stats
    by_request: dict[int, int] = field(default_factory=dict, repr=False)  #: request → supervisor


def static_reason(req: RequestIn, sup: SupervisorIn) -> Reason | None:
    """The first failing check other than capacity, or None."""
    if not sup.active:
        return Reason.INACTIVE
    if not sup.contract_start <= req.start_date <= sup.contract_end:
        return Reason.CONTRACT_PERIOD
    if req.division_id not in sup.divisions:
        return Reason.DIVISION
    if req.kind not in sup.kinds:
        return Reason.KIND
    if req.language not in sup.languages:
        return Reason.LANGUAGE
    if not req.modes & sup.modes:
        return Reason.MODE
    units = {req.unit_id, *req.other_unit_ids}
    if sup.unit_id in units or units & sup.conflict_unit_ids:
        return Reason.CONFLICT
    return None


def check_eligibility(
    req: RequestIn,
    sup: SupervisorIn,
    free_sessions: int | None = None,
    free_processes: int | None = None,
) -> Reason | None:
    """None when eligible, else the first failing reason of ``ELIGIBILITY_ORDER``.

    Capacity is checked against ``free_sessions``/``free_processes`` when given (what is
    left during an allocation), else against the supervisor's own free capacity.
    """
    reason = static_reason(req, sup)
    if reason is not None:
        return reason
    fs = sup.free_sessions if free_sessions is None else free_sessions
    fp = sup.free_processes if free_processes is None else free_processes
    if fs < req.sessions or fp < 1:
        return Reason.CAPACITY
    return None


def age_key(req: RequestIn) -> tuple:
    """Oldest first; the id breaks ties so that the order is total."""
    return (req.created_at, req.id)


def profile_key(req: RequestIn) -> tuple:
    """The request fields static eligibility depends on."""
    return (
        req.start_date,
        req.division_id,
        req.kind,
        req.language,
        req.modes,
        req.unit_id,
        req.other_unit_ids,
    )


class SupervisorTable:
    """Supervisors in ranking order (rank, id) as arrays, for vectorised eligibility."""

    def __init__(self, supervisors: Sequence[SupervisorIn]) -> None:
        self.sups = sorted(supervisors, key=lambda s: (s.rank, s.id))
        if len({s.id for s in self.sups}) != len(self.sups):
            raise ValueError("duplicate supervisor id")
        sups = self.sups
        self.ids = np.array([s.id for s in sups], dtype=np.int64)
        self.pos = {s.id: i for i, s in enumerate(sups)}
        self.rank = np.array([s.rank for s in sups], dtype=np.int64)
        # Negative free capacity (more granted than the contract allows) is no capacity.
        self.free_sessions = np.maximum(np.array([s.free_sessions for s in sups], np.int64), 0)
        self.free_processes = np.maximum(np.array([s.free_processes for s in sups], np.int64), 0)
        self._active = np.array([s.active for s in sups], dtype=bool)
        self._start = np.array([s.contract_start.toordinal() for s in sups], dtype=np.int64)
        self._end = np.array([s.contract_end.toordinal() for s in sups], dtype=np.int64)
        self._masks: dict[tuple, np.ndarray] = {}
        self._codes: dict[tuple, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.sups)

    def _mask(self, attr: str, value: object) -> np.ndarray:
        key = (attr, value)
        if key not in self._masks:
            if attr == "conflict":
                hits = [value == s.unit_id or value in s.conflict_unit_ids for s in self.sups]
            else:
                hits = [value in getattr(s, attr) for s in self.sups]
            self._masks[key] = np.array(hits, dtype=bool)
        return self._masks[key]

    def static_codes(self, req: RequestIn) -> np.ndarray:
        """Per supervisor the index in ``ELIGIBILITY_ORDER`` of the first static failure, or -1."""
        key = profile_key(req)
        if key not in self._codes:
            day = req.start_date.toordinal()
            modes = np.zeros(len(self.sups), dtype=bool)
            for mode in req.modes:
                modes |= self._mask("modes", mode)
            conflict = self._mask("conflict", req.unit_id).copy()
            for unit in req.other_unit_ids:
                conflict |= self._mask("conflict", unit)
            failures = (
                ~self._active,
                (day < self._start) | (day > self._end),
                ~self._mask("divisions", req.division_id),
                ~self._mask("kinds", req.kind),
                ~self._mask("languages", req.language),
                ~modes,
                conflict,
            )
            codes = np.full(len(self.sups), -1, dtype=np.int8)
            # The earliest check must win, so apply them last to first.
            for index in range(len(failures) - 1, -1, -1):
                codes[failures[index]] = index
            self._codes[key] = codes
        return self._codes[key]

    def codes(self, req: RequestIn) -> np.ndarray:
        """Like ``static_codes`` with the capacity check (index 7) before this run added."""
        codes = self.static_codes(req).copy()
        short = (self.free_sessions < req.sessions) | (self.free_processes < 1)
        codes[(codes < 0) & short] = ELIGIBILITY_ORDER.index(Reason.CAPACITY)
        return codes
