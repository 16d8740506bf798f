"""The matching engine: waiting requests to supervisors (DOMAIN.md, "Supervisors and matching").

Pure: frozen dataclasses in (``eligibility.py``), a ``Proposal`` out; no Flask, no database.

``propose(requests, supervisors, policy)`` with policy ranking, balanced or client_choice solves
an integer programme with ``scipy.optimize.milp`` (HiGHS). A pair (request, supervisor) is a
candidate when every eligibility check passes against the supervisor's free capacity before
the run. Each request gets at most one supervisor; per supervisor the sessions placed stay
within ``free_sessions`` and the processes within ``free_processes``. The objectives are
strictly lexicographic, solved one after the other, each stage keeping the previous optimum
as a constraint (the one weighted objective, serve then age, is checked to be exact in
float64; see ``_Model._fold_weight``):

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

Requests with the same candidates, kind, sessions, wishes and choice form one class (the
coarsest key that keeps its members interchangeable; the static profile, start-date bucket and
conflict-relevant unit are all folded into "same candidates"). The integer y[class, supervisor]
counts how many of a class a supervisor takes; which members are served is a continuous z per
request, integral at the age optimum. Within a class the oldest members are served and get the
better-ranked supervisors (``_Model.disaggregate``), which is what objectives 2 and 4 choose
among equals anyway. Each stage is solved by pricing: column generation for its LP bound,
then the integer programme on the columns that reduced costs cannot rule out, with a proof
that nothing left out could do better (``_Model``).

Measured (benchmarks/README.md): Lahti-sized instances (200 x 18) are proven optimal in every
stage in about 0.2-2.7 s; at 400 x 40 some policies prove every stage within a minute; at
5,000 x 500 (about 950,000 candidate pairs) the LP relaxations alone take longer than the
budget, and the proposal falls back to strict ranking, saying so.

The guarantees above hold for the stages listed in ``Stats.proven_stages``. The stages share
``time_limit``; one that runs out keeps its best solution (status "time_limit", its gap to the
stage's LP bound, or inf when it found none); stages not started for want of time are simply
missing from ``proven_stages``. If the first stage finds nothing, the proposal is the
strict-ranking one with status "greedy_fallback". HiGHS may overrun the limit in an LP.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import inf

import numpy as np

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

_FIRST_COLUMNS = 6  # y columns per class in the first restricted LP
_ENTERING = 10  # y columns per class added per pricing round, at most
_IPM_COLUMNS = 20_000  # larger LPs go to the interior-point solver (with crossover)
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
    model = _Model(classes, table, policy, by_age)
    x = model.lexicographic(run, time.perf_counter() + time_limit)
    if x is None:
        return None, run
    return model.disaggregate(x), run


@dataclass
class _Stage:
    name: str
    objective: np.ndarray  # over all columns, to minimise
    integral: bool  # integral at every integral y (see _Model.stages)


class _Model:
    """The integer programme over request classes, solved stage by stage with pricing.

    Columns: y[class, supervisor] how many of the class go to the supervisor (integer), one
    per candidate pair; z[member] the share of each member served (continuous in [0, 1]); for
    the balanced rule L[supervisor] the load and e[supervisor, breakpoint] the utilisation
    above the breakpoint. Rows: per class sum_s y = sum of its members' z; per supervisor the
    sessions and the processes placed stay within what is free.

    z is integral wherever the age objective is optimal: a class serves sum_s y members, and
    minimising the sum of their positions (distinct, increasing) takes the oldest ones whole.

    A stage is solved in two steps. (1) The LP relaxation by column generation: the y columns
    of a restricted set, plus every z and auxiliary column; after each LP the reduced cost d of
    every y column is computed from the duals (one sparse product), and those with d < 0 are
    added, until none is left. The LP optimum L is then a lower bound of the stage over all
    columns (weak duality: c.x >= L + sum_j d_j x_j for every feasible x, because no d_j < 0
    is left out). (2) The integer programme on the y columns with d <= delta only. Its optimum
    v is the optimum over all columns as soon as every column left out has d > v - L (or
    d > v - 1 - L when the objective is integral): any solution using such a column costs
    more than v (at least v). Otherwise delta is raised to that bound and step 2 is repeated,
    which then holds by construction. Nothing is guessed: a column is left out only when the
    bound proves it useless for beating the integer solution found.
    """

    def __init__(
        self,
        classes: list[_Class],
        table: SupervisorTable,
        policy: Policy,
        by_age: Sequence[RequestIn],
    ) -> None:
        self.classes, self.table, self.policy = classes, table, policy
        n_sup, n_cls = len(table), len(classes)
        self.col_class = np.repeat(np.arange(n_cls), [c.columns.size for c in classes])
        self.col_sup = np.concatenate([c.columns for c in classes])
        self.n_y = n_y = self.col_sup.size
        self.sess = np.array([c.sessions for c in classes])[self.col_class]
        counts = np.array([len(c.members) for c in classes])
        self.n_members = n_members = int(counts.sum())
        position = {req.id: i for i, req in enumerate(by_age)}
        self.member_position = np.array(
            [position[r.id] for c in classes for r in c.members], dtype=float
        )
        z_cols = np.arange(n_y, n_y + n_members)
        balanced = policy is Policy.BALANCED
        n_aux = n_sup * (1 + BREAKPOINTS.size) if balanced else 0
        self.n_cols = n_y + n_members + n_aux
        upper = np.full(self.n_cols, np.inf)
        upper[:n_y] = np.minimum.reduce(
            [
                counts[self.col_class],
                table.free_processes[self.col_sup],
                table.free_sessions[self.col_sup] // self.sess,
            ]
        )
        upper[z_cols] = 1.0
        self.upper = upper
        y_cols = np.arange(n_y)
        sess = self.sess.astype(float)
        member_class = np.repeat(np.arange(n_cls), counts)
        # Equalities: per class sum_s y[c, s] - sum of its members' z = 0.
        eq = [
            (
                np.concatenate([self.col_class, member_class]),
                np.concatenate([y_cols, z_cols]),
                np.concatenate([np.ones(n_y), -np.ones(n_members)]),
            )
        ]
        b_eq = [np.zeros(n_cls)]
        # Inequalities (<=): per supervisor sessions and processes.
        ub = [
            (self.col_sup, y_cols, sess),
            (self.col_sup + n_sup, y_cols, np.ones(n_y)),
        ]
        b_ub = [table.free_sessions.astype(float), table.free_processes.astype(float)]
        if balanced:
            first = n_y + n_members
            load = np.arange(first, first + n_sup)
            self.excess = np.arange(first + n_sup, self.n_cols)
            # L[s] - sum sessions * y[., s] = 0
            eq.append(
                (
                    np.concatenate([self.col_sup, np.arange(n_sup)]) + n_cls,
                    np.concatenate([y_cols, load]),
                    np.concatenate([-sess, np.ones(n_sup)]),
                )
            )
            b_eq.append(np.zeros(n_sup))
            # L[s] / cap[s] - e[s, b] <= b - used[s] / cap[s]
            cap = np.array([max(s.capacity_sessions, 1) for s in table.sups], dtype=float)
            used = np.array([s.used_sessions for s in table.sups], dtype=float)
            k = BREAKPOINTS.size
            rows = np.arange(n_sup * k) + 2 * n_sup
            ub.append(
                (
                    np.concatenate([rows, rows]),
                    np.concatenate([np.repeat(load, k), self.excess]),
                    np.concatenate([np.repeat(1 / cap, k), -np.ones(n_sup * k)]),
                )
            )
            b_ub.append((BREAKPOINTS[None, :] - (used / cap)[:, None]).ravel())
        self.b_eq, self.b_ub = np.concatenate(b_eq), np.concatenate(b_ub)
        self.a_eq = self._matrix(eq, self.b_eq.size)
        self.a_ub = self._matrix(ub, self.b_ub.size)
        self.a_eq_t = self.a_eq.T.tocsr()  # for pricing every column at once
        self.always = np.arange(n_y, self.n_cols)
        self.stages = self._stages(policy)

    def _matrix(self, parts, n_rows: int):
        from scipy.sparse import coo_matrix  # scipy loads on the first matching run only

        rows, cols, vals = (np.concatenate(p) for p in zip(*parts, strict=True))
        return coo_matrix((vals, (rows, cols)), shape=(n_rows, self.n_cols)).tocsc()

    def _stages(self, policy: Policy) -> list[_Stage]:
        """The objectives in lexicographic order.

        Each is integral at every point with integral y and integral z, except the balanced
        one; the age one also at integral y with z optimal, the only points it can matter at.
        """
        classes, n_y = self.classes, self.n_y
        serve = np.zeros(self.n_cols)
        serve[:n_y] = -1.0
        age = np.zeros(self.n_cols)
        age[n_y : n_y + self.n_members] = self.member_position
        stages = [_Stage("serve", serve, True), _Stage("age", age, True)]
        if any(c.wishes for c in classes):
            wish = np.zeros(self.n_cols)
            wish[:n_y] = [
                -1.0 if s in classes[c].wishes else 0.0
                for c, s in zip(self.col_class.tolist(), self.col_sup.tolist(), strict=True)
            ]
            stages.append(_Stage("wish", wish, True))
        if policy is Policy.BALANCED:
            objective = np.zeros(self.n_cols)
            objective[self.excess] = 1.0
            stages.append(_Stage("balanced", objective, False))
        elif any(c.columns.size > 1 for c in classes):
            rank = np.zeros(self.n_cols)
            rank[:n_y] = self.table.rank[self.col_sup]
            stages.append(_Stage("rank", rank, True))
        kinds = sorted({c.members[0].kind for c in classes})
        price = np.array([[s.price_cents(kind) for s in self.table.sups] for kind in kinds])
        class_kind = np.array([kinds.index(c.members[0].kind) for c in classes])
        cost = np.zeros(self.n_cols)
        cost[:n_y] = price[class_kind[self.col_class], self.col_sup] * self.sess
        stages.append(_Stage("cost", cost, True))
        return stages

    def lexicographic(self, run: "_Run", deadline: float) -> np.ndarray | None:
        """Solve the stages in order, each keeping the optimum of those before it."""
        kept: list[tuple[np.ndarray, float]] = []  # (objective, bound) rows: objective.x <= bound
        x = None
        # A first restricted set: per class a few candidates spread over its list.
        sizes = np.array([c.columns.size for c in self.classes])
        first = np.cumsum(sizes) - sizes
        active = np.zeros(self.n_y, dtype=bool)
        for step in range(_FIRST_COLUMNS):
            active[first + (step * sizes) // _FIRST_COLUMNS] = True
        for stage in self.stages:
            if stage.name == "age" and x is not None and -kept[0][1] > self.n_members - 1:
                continue  # everybody is served: the age order has nothing to choose
            if time.perf_counter() > deadline:
                run.status = "time_limit"  # this stage and the later ones are not even started
                break
            result = self._stage(stage, kept, active, x, run, deadline)
            if result is None:
                run.status, run.gap = "time_limit", inf  # nothing found at all
                break
            x, value, proven, gap = result
            if proven:
                run.proven.append(stage.name)
            else:
                run.status, run.gap = "time_limit", max(run.gap, gap)
            # An integral optimum is kept exactly (any slack would weaken the next LP bound).
            slack = 1e-7 * max(1.0, abs(value))
            kept.append((stage.objective, round(value) if stage.integral else value + slack))
        return x

    def _stage(self, stage: _Stage, kept, active, x_prev, run: "_Run", deadline: float):
        """(x, value, proven, relative gap) of one stage, or None when nothing was found."""
        # scipy loads on the first matching run, not in every web worker (~60 MB).
        from scipy.optimize import Bounds, LinearConstraint, linprog, milp
        from scipy.sparse import csr_matrix, vstack

        n_y, objective = self.n_y, stage.objective
        a_ub, b_ub = self.a_ub, self.b_ub
        if kept:
            a_ub = vstack([a_ub, csr_matrix(np.array([row for row, _ in kept]))]).tocsc()
            b_ub = np.concatenate([b_ub, [bound for _, bound in kept]])
        if x_prev is not None:
            active |= x_prev[:n_y] > 0.5  # the previous solution keeps the stage feasible
        a_ub_t = a_ub.T.tocsr()
        # (1) The LP relaxation by column generation.
        while True:
            cols = np.concatenate([np.flatnonzero(active), self.always])
            started = time.perf_counter()
            res = linprog(
                objective[cols],
                A_ub=a_ub[:, cols],
                b_ub=b_ub,
                A_eq=self.a_eq[:, cols],
                b_eq=self.b_eq,
                bounds=np.column_stack([np.zeros(cols.size), self.upper[cols]]),
                method="highs-ipm" if cols.size > _IPM_COLUMNS else "highs",
                options={"time_limit": max(0.1, deadline - started)},
            )
            run.seconds += time.perf_counter() - started
            run.solves += 1
            if res.status != 0:
                return None if x_prev is None else (x_prev, objective @ x_prev, False, inf)
            dual_eq = res.eqlin.marginals
            dual_ub = np.minimum(res.ineqlin.marginals, 0.0)  # the sign a bound needs
            reduced_all = objective - a_ub_t @ dual_ub - self.a_eq_t @ dual_eq
            reduced = reduced_all[:n_y]
            entering = np.flatnonzero(~active & (reduced < -1e-9))
            if not entering.size:
                break
            active[self._per_class(entering, reduced[entering], _ENTERING)] = True
        # The Lagrangian bound of these duals, over every column: for any feasible x,
        # c.x >= dual.b + sum_j min(0, d_j) * upper_j. Computed afresh rather than taken from
        # the LP so that solver tolerances cannot make it claim too much.
        upper, negative = self.upper, np.minimum(reduced_all, 0.0)
        unbounded = np.isinf(upper)
        if np.any(negative[unbounded] < -1e-7):
            return None if x_prev is None else (x_prev, objective @ x_prev, False, inf)
        bound = float(
            dual_eq @ self.b_eq + dual_ub @ b_ub + negative[~unbounded] @ upper[~unbounded]
        )
        # (2) The integer programme on the columns the bound cannot rule out.
        mip_objective, mip_ub, mip_b_ub = objective, a_ub, b_ub
        fold = self._fold_weight() if stage.name == "age" else None
        if fold is not None:
            # Serve most, then age, as one objective: HiGHS closes it much faster than the
            # age objective under a "serve at least v" row. The weight dominates exactly.
            mip_objective = objective + fold * kept[0][0]
            keep = np.r_[np.arange(self.b_ub.size), self.b_ub.size + np.arange(1, len(kept))]
            mip_ub, mip_b_ub = a_ub[keep], b_ub[keep]
        # The previous stage's solution is feasible here, so the integer optimum is at most its
        # value: columns the bound rules out against it can never be needed.
        # That threshold can take in most columns, though, so start with at most half again
        # the columns the LP itself ties to zero, and widen only when the proof needs it.
        delta = 1e-9
        if x_prev is not None:
            delta = max(delta, float(objective @ x_prev) - bound - stage.integral)
            delta += 1e-6 * max(1.0, abs(bound))
            outside = np.sort(reduced[~active & (reduced > 1e-9)])
            room = int(0.5 * np.count_nonzero(active | (reduced <= 1e-9)))
            if outside.size > room and outside[room] < delta:
                delta = float(outside[room])
        while True:
            chosen = active | (reduced <= delta)
            if x_prev is not None:
                chosen |= x_prev[:n_y] > 0.5
            cols = np.concatenate([np.flatnonzero(chosen), self.always])
            integrality = np.zeros(cols.size)
            integrality[: cols.size - self.always.size] = 1
            started = time.perf_counter()
            res = milp(
                mip_objective[cols],
                integrality=integrality,
                bounds=Bounds(np.zeros(cols.size), self.upper[cols]),
                constraints=[
                    LinearConstraint(self.a_eq[:, cols], self.b_eq, self.b_eq),
                    LinearConstraint(mip_ub[:, cols], -np.inf, mip_b_ub),
                ],
                options={
                    "time_limit": max(0.1, deadline - started),
                    "mip_rel_gap": 0.0,
                    "presolve": True,
                },
            )
            run.seconds += time.perf_counter() - started
            run.solves += 1
            if res.x is None:
                if x_prev is None:
                    return None
                value = float(objective @ x_prev)
                return x_prev, value, False, (value - bound) / max(1.0, abs(value))
            x = np.zeros(self.n_cols)
            x[cols] = res.x
            value = float(objective @ x)
            # Any solution better than value uses only columns with d below this.
            need = value - bound - (1.0 if stage.integral else 0.0)
            need += 1e-6 * max(1.0, abs(value))
            if res.status != 0:
                gap = (value - bound) / max(1.0, abs(value))
                return x, value, False, gap
            if np.all(chosen | (reduced > need)):
                return x, value, True, 0.0
            delta = need

    def _fold_weight(self) -> float | None:
        """W with W * served - ages ordering solutions as (served, then age), or None.

        Ages are integers in [0, sum of positions], so W = that sum + 1 makes one more request
        served outweigh any age difference; the objective stays an integer below 2**52, so
        float64 holds every value exactly. Otherwise the stages stay apart.
        """
        weight = float(self.member_position.sum()) + 1.0
        if weight * (self.n_members + 1) >= 2.0**52:
            return None
        return weight

    def _per_class(self, columns: np.ndarray, keys: np.ndarray, most: int) -> np.ndarray:
        """Of ``columns``, at most ``most`` per class, the lowest ``keys`` first."""
        order = np.lexsort((columns, keys, self.col_class[columns]))
        columns, cls = columns[order], self.col_class[columns[order]]
        starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
        rank_in_class = np.arange(cls.size) - np.repeat(starts, np.diff(np.r_[starts, cls.size]))
        return columns[rank_in_class < most]

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
