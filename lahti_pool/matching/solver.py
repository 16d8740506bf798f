"""The matching engine: waiting requests to supervisors (DOMAIN.md, "Supervisors and matching").

Pure: frozen dataclasses in (``eligibility.py``), a ``Proposal`` out; no Flask, no database.

``propose(requests, supervisors, policy)`` with policy ranking, balanced or client_choice solves
an integer programme with ``scipy.optimize.milp`` (HiGHS). A pair (request, supervisor) is a
candidate when every eligibility check passes against the supervisor's free capacity before
the run. Each request gets at most one supervisor; per supervisor the sessions placed stay
within ``free_sessions`` and the processes within ``free_processes``. The objectives are
strictly lexicographic, solved one after the other, each stage keeping the previous optimum
as a constraint (no big-M weights, so no floating-point doubt):

1. serve as many requests as possible;
2. older first: among those solutions, minimise the sum of the age positions of the served
   requests (0 = oldest), i.e. maximise sum(n - position). Exactly what this guarantees:
   (a) no request stays unserved while a younger one is served whose place it could take:
   for any unserved R and served younger Y, serving R instead of Y is infeasible however the
   others are rearranged (otherwise the sum would fall); more generally no exchange of k served
   requests for k unserved ones lowers the total age position; (b) hence among interchangeable
   requests (same sessions, same candidate supervisors) the oldest are served. It is not the
   full lexicographic order by age: serving the oldest and the youngest can lose to serving two
   middle-aged requests of the same total position. The strict lexicographic order needs one
   solve per refused request to prove it, which 5,000 requests cannot afford in seconds;
3. wishes: maximise the number of requests placed with a supervisor they asked for (the
   previous one when ``continue_previous``, or the preferred one);
4. the allocation rule. ranking: minimise the sum of the ranks of the chosen supervisors, and
   among interchangeable requests the older gets the better rank. balanced: minimise
   sum over supervisors of phi(utilisation after the run), phi convex piecewise linear with a
   breakpoint every 10 % (slope k between k*10 % and (k+1)*10 %), utilisation =
   (used_sessions + sessions placed) / capacity_sessions. Minimising a convex function of each
   utilisation evens the utilisations out, the least-utilised filling first. client_choice: a
   request with a choice (preferred, else previous to continue) may only go to that supervisor
   and is unmatched if it cannot; a request without one falls back to ranking order;
5. the lowest cost, price of the kind times sessions, in cents.

``strict_ranking`` is the cautious procurement reading: requests oldest first, each to the
best-ranked eligible supervisor with capacity left; wishes are not considered.

Requests with the same candidates, kind, sessions, wishes and choice form one class; within a
class the oldest members are served and get the better-ranked supervisors, which is what
objectives 2 and 4 choose among equals anyway. See ``_Model`` for where integrality sits.

The guarantees above hold for the stages listed in ``Stats.proven_stages``. The stages share
``time_limit``; one that runs out keeps its best solution (status "time_limit", its gap, or
inf when it found none). If the first stage finds nothing, the proposal is the strict-ranking
one with status "greedy_fallback". HiGHS may overrun the limit while it solves the root LP.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import inf

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix

from lahti_pool.matching.eligibility import (
    Policy,
    Proposal,
    RequestIn,
    Stats,
    SupervisorIn,
    SupervisorTable,
    age_key,
)
from lahti_pool.matching.explain import client_choice_of, explain
from lahti_pool.matching.groups import GroupProposal, propose_groups

__all__ = ["GroupProposal", "propose", "propose_groups"]

BREAKPOINTS = np.linspace(0.0, 1.0, 11)  # balanced: utilisation breakpoints of phi


@dataclass
class _Class:
    """Interchangeable requests: same profile, sessions, wishes and choice."""

    sessions: int
    columns: np.ndarray  # candidate supervisor positions
    wishes: frozenset[int]  # positions the members asked for
    members: list[RequestIn]  # oldest first


def propose(
    requests: Sequence[RequestIn],
    supervisors: Sequence[SupervisorIn],
    policy: Policy | str = Policy.RANKING,
    *,
    time_limit: float = 10.0,
) -> Proposal:
    """A proposal under ``policy``.

    ``time_limit`` (seconds) is shared by the solver stages; a stage that runs out keeps its
    best solution and the proposal reports status "time_limit" with the stage's relative gap.
    """
    started = time.perf_counter()
    policy = Policy(policy)
    by_age = sorted(requests, key=age_key)
    if len({req.id for req in by_age}) != len(by_age):
        raise ValueError("duplicate request id")
    table = SupervisorTable(supervisors)
    if policy is Policy.STRICT_RANKING:
        chosen, run = _strict_ranking(by_age, table), _Run(status="greedy")
    else:
        chosen, run = _solve(by_age, table, policy, time_limit)
        if chosen is None:
            # No solution within the time limit: propose the greedy allocation rather than
            # nothing, and say so; nothing about it is proven.
            chosen, run.status, run.gap = _strict_ranking(by_age, table), "greedy_fallback", inf
    assignments, unmatched = explain(by_age, table, chosen, policy)
    stats = Stats(
        policy=policy,
        served=len(assignments),
        total=len(by_age),
        status=run.status,
        mip_gap=run.gap,
        seconds=time.perf_counter() - started,
        solve_seconds=run.seconds,
        solves=run.solves,
        proven_stages=tuple(run.proven),
    )
    by_request = {a.request_id: a.supervisor_id for a in assignments}
    return Proposal(assignments, unmatched, stats, by_request)


def _strict_ranking(by_age: Sequence[RequestIn], table: SupervisorTable) -> dict[int, int]:
    """Oldest first, each to the best-ranked eligible supervisor with capacity left."""
    free_s = table.free_sessions.copy()
    free_p = table.free_processes.copy()
    chosen: dict[int, int] = {}
    for req in by_age:
        ok = (table.static_codes(req) < 0) & (free_s >= req.sessions) & (free_p >= 1)
        hits = np.flatnonzero(ok)
        if hits.size:
            pos = int(hits[0])
            chosen[req.id] = pos
            free_s[pos] -= req.sessions
            free_p[pos] -= 1
    return chosen


@dataclass
class _Run:
    status: str = "optimal"
    gap: float = 0.0
    proven: list[str] = field(default_factory=list)
    seconds: float = 0.0
    solves: int = 0


def _classes(by_age: Sequence[RequestIn], table: SupervisorTable, policy: Policy) -> list[_Class]:
    classes: dict[tuple, _Class] = {}
    for req in by_age:
        columns = np.flatnonzero(table.codes(req) < 0)
        choice = client_choice_of(req) if policy is Policy.CLIENT_CHOICE else None
        if choice is not None:
            columns = columns[table.ids[columns] == choice]
            wishes: frozenset[int] = frozenset()  # one candidate: nothing left to wish for
        else:
            wanted = {req.continuity_id, req.preferred_supervisor_id} - {None}
            wishes = frozenset(
                table.pos[sid] for sid in wanted if sid in table.pos and table.pos[sid] in columns
            )
        if not columns.size:
            continue
        # Requests with the same candidates are interchangeable whatever their other fields.
        key = (columns.tobytes(), req.kind, req.sessions, wishes, choice)
        if key not in classes:
            classes[key] = _Class(req.sessions, columns, wishes, [])
        classes[key].members.append(req)
    return list(classes.values())


def _solve(
    by_age: Sequence[RequestIn], table: SupervisorTable, policy: Policy, time_limit: float
) -> tuple[dict[int, int] | None, "_Run"]:
    classes = _classes(by_age, table, policy)
    run = _Run()
    if not classes:
        return {}, run
    model = _Model(classes, table, policy)
    stages = model.stages(by_age, policy)
    deadline = time.perf_counter() + time_limit
    x = model.lexicographic(stages, run, deadline)
    if x is None:
        return None, run
    if not model.is_integral(x):
        # A vertex of the flow part is integral, but the rows that keep earlier optima can
        # leave a fractional one. With z fixed the rest is a flow problem: solve it again
        # with integral y, which reaches the same optima.
        x = model.lexicographic(stages[1:], run, deadline + 1.0, fix_z=x)
        if not model.is_integral(x):
            return None, run
    return model.disaggregate(x), run


class _Model:
    """The integer programme, with integrality only where capacity needs it.

    Columns: y[class, supervisor] how many of the class go to the supervisor (continuous),
    u[member] the share of each member served (continuous), z[supervisor, size] how many
    requests of that many sessions the supervisor takes (integer), and for the balanced rule
    L[supervisor] the load and e[supervisor, breakpoint] the utilisation above it.

    Capacity only sees z. For integral z, the y and u that carry the classes to the
    (supervisor, size) slots form a transportation problem, whose vertices are integral, so
    y needs no integrality: branching happens on a few thousand z instead of a million y.
    """

    def __init__(self, classes: list[_Class], table: SupervisorTable, policy: Policy) -> None:
        self.classes, self.table = classes, table
        n_sup = len(table)
        self.col_class = np.repeat(np.arange(len(classes)), [c.columns.size for c in classes])
        self.col_sup = np.concatenate([c.columns for c in classes])
        self.n_y = n_y = self.col_sup.size
        self.sess = np.array([c.sessions for c in classes])[self.col_class]
        counts = np.array([len(c.members) for c in classes])
        n_members = int(counts.sum())
        self.u_slice = slice(n_y, n_y + n_members)
        # One z per (supervisor, size) that some class can use.
        slot_key = self.col_sup * (int(self.sess.max()) + 1) + self.sess
        slot_keys, self.col_slot = np.unique(slot_key, return_inverse=True)
        self.slot_sup = slot_keys // (int(self.sess.max()) + 1)
        self.slot_size = slot_keys % (int(self.sess.max()) + 1)
        n_z = slot_keys.size
        self.z_slice = slice(n_y + n_members, n_y + n_members + n_z)
        z_cols = np.arange(self.z_slice.start, self.z_slice.stop)
        balanced = policy is Policy.BALANCED
        self.n_cols = self.z_slice.stop + (n_sup * (1 + BREAKPOINTS.size) if balanced else 0)
        upper = np.full(self.n_cols, np.inf)
        upper[:n_y] = np.minimum.reduce(
            [
                counts[self.col_class],
                table.free_processes[self.col_sup],
                table.free_sessions[self.col_sup] // self.sess,
            ]
        )
        upper[self.u_slice] = 1.0
        upper[self.z_slice] = np.minimum(
            table.free_processes[self.slot_sup],
            table.free_sessions[self.slot_sup] // self.slot_size,
        )
        self.upper = upper
        self.integrality = np.zeros(self.n_cols)
        self.integrality[self.z_slice] = 1
        self._rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._lo: list[np.ndarray] = []
        self._hi: list[np.ndarray] = []
        y_cols = np.arange(n_y)
        # Per class: sum_s y[c, s] = sum of its members' u.
        member_class = np.repeat(np.arange(len(classes)), counts)
        self._add(
            np.concatenate([self.col_class, member_class]),
            np.concatenate([y_cols, np.arange(self.u_slice.start, self.u_slice.stop)]),
            np.concatenate([np.ones(n_y), -np.ones(n_members)]),
            0.0,
            0.0,
            len(classes),
        )
        # Per (supervisor, size): the classes sent there = z.
        self._add(
            np.concatenate([self.col_slot, np.arange(n_z)]),
            np.concatenate([y_cols, z_cols]),
            np.concatenate([np.ones(n_y), -np.ones(n_z)]),
            0.0,
            0.0,
            n_z,
        )
        # Per supervisor: sessions and processes within what is free.
        size = self.slot_size.astype(float)
        self._add(self.slot_sup, z_cols, size, -np.inf, table.free_sessions, n_sup)
        self._add(self.slot_sup, z_cols, np.ones(n_z), -np.inf, table.free_processes, n_sup)
        if balanced:
            self._balanced_rows(z_cols)
        rows, cols, vals = (np.concatenate(part) for part in zip(*self._rows, strict=True))
        lo, hi = np.concatenate(self._lo), np.concatenate(self._hi)
        matrix = coo_matrix((vals, (rows, cols)), shape=(lo.size, self.n_cols)).tocsr()
        self.base = LinearConstraint(matrix, lo, hi)

    def _add(self, rows, cols, vals, low, high, n_rows: int) -> None:
        offset = sum(lo.size for lo in self._lo)
        self._rows.append((rows + offset, cols, np.asarray(vals, dtype=float)))
        self._lo.append(np.broadcast_to(np.asarray(low, dtype=float), (n_rows,)))
        self._hi.append(np.broadcast_to(np.asarray(high, dtype=float), (n_rows,)))

    def _balanced_rows(self, z_cols: np.ndarray) -> None:
        table, n_sup = self.table, len(self.table)
        first = self.z_slice.stop
        self.load = np.arange(first, first + n_sup)
        self.excess = np.arange(first + n_sup, self.n_cols).reshape(n_sup, BREAKPOINTS.size)
        # L[s] - sum_k k * z[s, k] = 0
        self._add(
            np.concatenate([self.slot_sup, np.arange(n_sup)]),
            np.concatenate([z_cols, self.load]),
            np.concatenate([-self.slot_size.astype(float), np.ones(n_sup)]),
            0.0,
            0.0,
            n_sup,
        )
        # e[s, b] - L[s] / cap[s] >= used[s] / cap[s] - b
        cap = np.array([max(s.capacity_sessions, 1) for s in table.sups], dtype=float)
        used = np.array([s.used_sessions for s in table.sups], dtype=float)
        k = BREAKPOINTS.size
        rows = np.repeat(np.arange(n_sup * k), 2)
        cols = np.column_stack([self.excess.ravel(), np.repeat(self.load, k)]).ravel()
        vals = np.column_stack([np.ones(n_sup * k), -np.repeat(1 / cap, k)]).ravel()
        low = (used / cap)[:, None] - BREAKPOINTS[None, :]
        self._add(rows, cols, vals, low.ravel(), np.inf, n_sup * k)

    def stages(self, by_age: Sequence[RequestIn], policy: Policy) -> list[tuple]:
        """(name, objective to minimise, depends on z only?) in lexicographic order."""
        classes, n_y = self.classes, self.n_y
        position = {req.id: i for i, req in enumerate(by_age)}
        serve = np.zeros(self.n_cols)
        serve[self.z_slice] = -1.0
        age = np.zeros(self.n_cols)
        age[self.u_slice] = [-(len(by_age) - position[r.id]) for c in classes for r in c.members]
        stages = [("serve", serve, True), ("age", age, False)]
        if any(c.wishes for c in classes):
            wish = np.zeros(self.n_cols)
            wish[:n_y] = [
                -1.0 if s in classes[c].wishes else 0.0
                for c, s in zip(self.col_class.tolist(), self.col_sup.tolist(), strict=True)
            ]
            stages.append(("wish", wish, False))
        if policy is Policy.BALANCED:
            objective = np.zeros(self.n_cols)
            objective[self.excess.ravel()] = 1.0
            stages.append(("balanced", objective, True))
        elif any(c.columns.size > 1 for c in classes):
            rank = np.zeros(self.n_cols)
            rank[:n_y] = self.table.rank[self.col_sup]
            stages.append(("rank", rank, False))
        stages.append(("cost", self._cost_objective(), False))
        return stages

    def _cost_objective(self) -> np.ndarray:
        kinds = sorted({c.members[0].kind for c in self.classes})
        price = np.array([[s.price_cents(kind) for s in self.table.sups] for kind in kinds])
        class_kind = np.array([kinds.index(c.members[0].kind) for c in self.classes])
        objective = np.zeros(self.n_cols)
        objective[: self.n_y] = price[class_kind[self.col_class], self.col_sup] * self.sess
        return objective

    def lexicographic(self, stages, run: "_Run", deadline: float, fix_z=None) -> np.ndarray:
        """Solve the stages in order, each keeping the optimum of those before it."""
        lower, upper = np.zeros(self.n_cols), self.upper.copy()
        integrality = self.integrality.copy()
        if fix_z is not None:
            lower[self.z_slice] = upper[self.z_slice] = np.rint(fix_z[self.z_slice])
            integrality[: self.n_y] = 1
        demand = sum(len(c.members) for c in self.classes)
        fixed: list[LinearConstraint] = []
        x = fix_z
        for name, objective, z_only in stages:
            # Earlier stages matter more: each may use all that is left, later ones a moment.
            time_limit = max(0.5, deadline - time.perf_counter())
            if name == "age" and x is not None and x[self.z_slice].sum() > demand - 0.5:
                continue  # everybody who can be served is: the age order has nothing to choose
            if fix_z is not None and z_only:
                continue  # fixed with z
            started = time.perf_counter()
            res = milp(
                objective,
                integrality=integrality,
                bounds=Bounds(lower, upper),
                constraints=[self.base, *fixed],
                options={"time_limit": time_limit, "mip_rel_gap": 0.0, "presolve": True},
            )
            run.solves += 1
            run.seconds += time.perf_counter() - started
            if res.x is None:
                run.status, run.gap = "time_limit", inf  # this stage is not even started
                break
            x = res.x
            if res.status == 0:
                run.proven.append(name)
            else:
                run.status = "time_limit"
                run.gap = max(run.gap, float(res.mip_gap or 0.0))
            value = float(objective @ x)
            # Objectives that are integral at every feasible point keep their optimum with half a
            # unit to spare; the others may be fractional until y is integral, so keep them tight
            # lest a later stage buy its gain with a fraction of an earlier objective.
            integral = fix_z is not None or name == "serve"
            slack = 0.5 if integral else 1e-6 + 1e-9 * abs(value)
            fixed.append(LinearConstraint(csr_matrix(objective), -np.inf, value + slack))
        return x

    def is_integral(self, x: np.ndarray) -> bool:
        y = x[: self.n_y]
        return bool(np.all(np.abs(y - np.rint(y)) < 1e-6))

    def disaggregate(self, x: np.ndarray) -> dict[int, int]:
        """Request id → supervisor position; the oldest members get the best-ranked ones."""
        counts = np.rint(x[: self.n_y]).astype(np.int64)
        chosen: dict[int, int] = {}
        ends = np.cumsum([c.columns.size for c in self.classes])
        for cls, end in zip(self.classes, ends.tolist(), strict=True):
            picks = slice(end - cls.columns.size, end)
            # A class's columns are in ranking order: flatnonzero returns sorted positions.
            slots = np.repeat(self.col_sup[picks], counts[picks])
            for req, pos in zip(cls.members, slots.tolist(), strict=False):
                chosen[req.id] = int(pos)
        return chosen
