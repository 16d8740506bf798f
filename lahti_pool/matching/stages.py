"""The integer programme over request classes, solved one stage at a time with pricing.

Requests with the same candidates, kind, sessions and wishes form one class (the coarsest key
that keeps its members interchangeable). The integer y[class, supervisor] counts how many of a
class a supervisor takes; z[member] in [0, 1] which members are served (continuous, integral at
the age optimum: a class serves its oldest members whole). Each stage is solved by pricing:
column generation for its LP bound, then the integer programme on the columns that reduced
costs cannot rule out, with a proof that nothing left out could do better (``Model.solve``).

A stage keeps the earlier stages' values as rows (``objective <= value``), taken from the best
solution known, so the feasible set always holds that solution. SciPy's HiGHS interface takes
no starting solution, so what a stage returns is only a candidate: the pipeline
(``pipeline.py``) keeps it only when it beats what it had. The LP bound holds for every
solution that meets the rows, whatever the solver did.
"""

import time
from dataclasses import dataclass

import numpy as np

from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.heuristics import Instance

_FIRST_COLUMNS = 6  # y columns per class in the first restricted LP
_ENTERING = 10  # y columns per class added per pricing round, at most
_IPM_COLUMNS = 20_000  # larger LPs go to the interior-point solver (with crossover)
BREAKPOINTS = np.linspace(0.0, 1.0, 11)  # balanced: utilisation breakpoints of phi


@dataclass
class Limits:
    """Deterministic work per stage, and the clock as a safety net only."""

    deadline: float  #: perf_counter() value
    lp_iterations: int  #: per LP solve (simplex or interior-point iterations)
    mip_nodes: int  #: per MIP solve (branch-and-bound nodes)


@dataclass
class StageResult:
    x: np.ndarray | None  #: the integer programme's solution, None when it found none
    bound: float | None  #: a lower bound on the stage's objective under the rows, or None
    proven: bool  #: x is optimal under the rows (the bound meets it)
    limit: str = ""  #: "time_limit" or "work_limit" when a limit stopped the stage


@dataclass
class _Class:
    sessions: int
    columns: np.ndarray  # candidate supervisor positions
    wishes: frozenset[int]  # positions the members asked for
    members: list[int]  # request positions, oldest first


@dataclass
class Stage:
    name: str
    objective: np.ndarray  # over all columns, to minimise
    integral: bool  # integral at every integral y (see Model.stages)


def wished_positions(inst: Instance, i: int) -> frozenset[int]:
    """The candidates request ``i`` asked for; none under client choice, where the choice is
    the only candidate and not a wish."""
    if inst.policy is Policy.CLIENT_CHOICE:
        return frozenset()
    req, columns = inst.requests[i], inst.candidates[i]
    wanted = {req.continuity_id, req.preferred_supervisor_id} - {None}
    return frozenset(
        inst.table.pos[sid]
        for sid in wanted
        if sid in inst.table.pos and inst.table.pos[sid] in columns
    )


def classes_of(inst: Instance) -> list[_Class]:
    classes: dict[tuple, _Class] = {}
    for i, req in enumerate(inst.requests):
        columns = inst.candidates[i]
        if not columns.size:
            continue
        wishes = wished_positions(inst, i)
        key = (columns.tobytes(), req.kind, req.sessions, wishes)
        if key not in classes:
            classes[key] = _Class(req.sessions, columns, wishes, [])
        classes[key].members.append(i)
    return list(classes.values())


class Model:
    """Columns: y[class, supervisor] (integer), one per candidate pair; z[member] in [0, 1];
    for the balanced rule L[supervisor] the load and e[supervisor, breakpoint] the utilisation
    above the breakpoint. Rows: per class sum_s y = sum of its members' z; per supervisor the
    sessions and processes placed stay within what is free, and the count stays within the
    supervisor's count cap (the flow bound's cut).

    A stage is solved in two steps. (1) The LP relaxation by column generation; the Lagrangian
    bound L of the final duals holds over all columns (weak duality). (2) The integer programme
    on the y columns with reduced cost d <= delta. Its optimum v is the optimum over all columns
    as soon as every column left out has d > v - L (v - 1 - L when the objective is integral);
    otherwise delta is raised to that bound and step 2 is repeated.
    """

    def __init__(self, inst: Instance, caps: np.ndarray) -> None:
        self.inst = inst
        table, policy = inst.table, inst.policy
        self.classes = classes = classes_of(inst)
        n_sup, n_cls = len(table), len(classes)
        self.col_class = np.repeat(np.arange(n_cls), [c.columns.size for c in classes])
        self.col_sup = (
            np.concatenate([c.columns for c in classes]) if classes else np.zeros(0, np.int64)
        )
        self.n_y = n_y = self.col_sup.size
        self.sess = np.array([c.sessions for c in classes], dtype=np.int64)[self.col_class]
        counts = np.array([len(c.members) for c in classes], dtype=np.int64)
        self.members = [i for c in classes for i in c.members]
        self.n_members = n_members = len(self.members)
        self.member_position = np.array(self.members, dtype=float)
        z_cols = np.arange(n_y, n_y + n_members)
        self.z_cols = z_cols
        balanced = policy is Policy.BALANCED
        n_aux = n_sup * (1 + BREAKPOINTS.size) if balanced else 0
        self.n_cols = n_y + n_members + n_aux
        upper = np.full(self.n_cols, np.inf)
        upper[:n_y] = np.minimum.reduce(
            [
                counts[self.col_class],
                inst.free_p[self.col_sup],
                inst.free_s[self.col_sup] // np.maximum(self.sess, 1),
                caps[self.col_sup],
            ]
        )
        upper[z_cols] = 1.0
        self.upper = upper
        y_cols = np.arange(n_y)
        sess = self.sess.astype(float)
        member_class = np.repeat(np.arange(n_cls), counts)
        eq = [
            (
                np.concatenate([self.col_class, member_class]),
                np.concatenate([y_cols, z_cols]),
                np.concatenate([np.ones(n_y), -np.ones(n_members)]),
            )
        ]
        b_eq = [np.zeros(n_cls)]
        ub = [
            (self.col_sup, y_cols, sess),
            (self.col_sup + n_sup, y_cols, np.ones(n_y)),
            (self.col_sup + 2 * n_sup, y_cols, np.ones(n_y)),
        ]
        b_ub = [inst.free_s.astype(float), inst.free_p.astype(float), caps.astype(float)]
        if balanced:
            first = n_y + n_members
            load = np.arange(first, first + n_sup)
            self.excess = np.arange(first + n_sup, self.n_cols)
            eq.append(
                (
                    np.concatenate([self.col_sup, np.arange(n_sup)]) + n_cls,
                    np.concatenate([y_cols, load]),
                    np.concatenate([-sess, np.ones(n_sup)]),
                )
            )
            b_eq.append(np.zeros(n_sup))
            cap, used = utilisation_base(inst)
            k = BREAKPOINTS.size
            rows = np.arange(n_sup * k) + 3 * n_sup
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
        self.a_eq_t = self.a_eq.T.tocsr()
        self.always = np.arange(n_y, self.n_cols)
        self.stages = self._stages(policy)
        sizes = np.array([c.columns.size for c in classes], dtype=np.int64)
        first = np.cumsum(sizes) - sizes
        self.active = np.zeros(n_y, dtype=bool)
        for step in range(_FIRST_COLUMNS):
            self.active[first + (step * sizes) // _FIRST_COLUMNS] = True
        self.class_start = first

    def _matrix(self, parts, n_rows: int):
        from scipy.sparse import coo_matrix  # scipy loads on the first matching run only

        rows, cols, vals = (np.concatenate(p) for p in zip(*parts, strict=True))
        return coo_matrix((vals, (rows, cols)), shape=(n_rows, self.n_cols)).tocsc()

    def _stages(self, policy: Policy) -> list[Stage]:
        """The objectives in lexicographic order (all but the balanced one integral)."""
        classes, n_y = self.classes, self.n_y
        serve = np.zeros(self.n_cols)
        serve[:n_y] = -1.0
        age = np.zeros(self.n_cols)
        age[self.z_cols] = self.member_position
        stages = [Stage("serve", serve, True), Stage("age", age, True)]
        if any(c.wishes for c in classes):
            wish = np.zeros(self.n_cols)
            wish[:n_y] = [
                -1.0 if s in classes[c].wishes else 0.0
                for c, s in zip(self.col_class.tolist(), self.col_sup.tolist(), strict=True)
            ]
            stages.append(Stage("wish", wish, True))
        if policy is Policy.BALANCED:
            objective = np.zeros(self.n_cols)
            objective[self.excess] = 1.0
            stages.append(Stage("balanced", objective, False))
        elif any(c.columns.size > 1 for c in classes):
            rank = np.zeros(self.n_cols)
            rank[:n_y] = self.inst.table.rank[self.col_sup]
            stages.append(Stage("rank", rank, True))
        price = price_matrix(self.inst)
        cost = np.zeros(self.n_cols)
        kinds = np.array([self.inst.requests[c.members[0]].kind == "group" for c in classes])
        cost[:n_y] = price[kinds[self.col_class].astype(int), self.col_sup] * self.sess
        stages.append(Stage("cost", cost, True))
        return stages

    def x_of(self, assign: np.ndarray) -> np.ndarray:
        """The columns of a request-level assignment (every member of a class is placed at
        one of the class's candidates)."""
        x = np.zeros(self.n_cols)
        for c, cls in enumerate(self.classes):
            for i in cls.members:
                j = assign[i]
                if j >= 0:
                    col = self.class_start[c] + int(np.searchsorted(cls.columns, j))
                    x[col] += 1
        served = assign[np.array(self.members, dtype=np.int64)] >= 0 if self.members else []
        x[self.z_cols] = np.asarray(served, dtype=float)
        if self.inst.policy is Policy.BALANCED:
            n_sup = len(self.inst.table)
            load = np.bincount(self.col_sup, weights=self.sess * x[: self.n_y], minlength=n_sup)
            first = self.n_y + self.n_members
            x[first : first + n_sup] = load
            cap, used = utilisation_base(self.inst)
            excess = np.maximum(0.0, (used + load)[:, None] / cap[:, None] - BREAKPOINTS[None, :])
            x[self.excess] = excess.ravel()
        return x

    def assign_of(self, x: np.ndarray) -> np.ndarray:
        """Request position → supervisor position; the oldest members of a class are served
        and get the best-ranked of its supervisors."""
        counts = np.rint(x[: self.n_y]).astype(np.int64)
        assign = np.full(self.inst.n, -1, dtype=np.int64)
        for c, cls in enumerate(self.classes):
            picks = slice(self.class_start[c], self.class_start[c] + cls.columns.size)
            slots = np.repeat(self.col_sup[picks], counts[picks])
            for i, pos in zip(cls.members, slots.tolist(), strict=False):
                assign[i] = pos
        return assign

    def solve(self, stage: Stage, kept, x_prev: np.ndarray, fold: float | None, limits: Limits):
        """One stage under the rows ``kept`` ((objective, value) pairs), from ``x_prev``."""
        # scipy loads on the first matching run, not in every web worker (~60 MB).
        from scipy.optimize import Bounds, LinearConstraint, linprog, milp
        from scipy.sparse import csr_matrix, vstack

        n_y, objective, active = self.n_y, stage.objective, self.active
        a_ub, b_ub = self.a_ub, self.b_ub
        if kept:
            a_ub = vstack([a_ub, csr_matrix(np.array([row for row, _ in kept]))]).tocsc()
            b_ub = np.concatenate([b_ub, [bound for _, bound in kept]])
        active |= x_prev[:n_y] > 0.5  # the known solution keeps the restricted LP feasible
        a_ub_t = a_ub.T.tocsr()
        limit = ""
        while True:
            if time.perf_counter() > limits.deadline:
                return StageResult(None, None, False, "time_limit")
            cols = np.concatenate([np.flatnonzero(active), self.always])
            res = linprog(
                objective[cols],
                A_ub=a_ub[:, cols],
                b_ub=b_ub,
                A_eq=self.a_eq[:, cols],
                b_eq=self.b_eq,
                bounds=np.column_stack([np.zeros(cols.size), self.upper[cols]]),
                method="highs-ipm" if cols.size > _IPM_COLUMNS else "highs",
                options={
                    "time_limit": max(0.05, limits.deadline - time.perf_counter()),
                    "maxiter": limits.lp_iterations,
                },
            )
            if res.status != 0:
                return StageResult(None, None, False, _limit_of(res.status, limits))
            dual_eq = res.eqlin.marginals
            dual_ub = np.minimum(res.ineqlin.marginals, 0.0)
            reduced_all = objective - a_ub_t @ dual_ub - self.a_eq_t @ dual_eq
            reduced = reduced_all[:n_y]
            entering = np.flatnonzero(~active & (reduced < -1e-9))
            if not entering.size:
                break
            active[self._per_class(entering, reduced[entering], _ENTERING)] = True
        # The Lagrangian bound of these duals over every column, computed afresh so that solver
        # tolerances cannot make it claim too much: c.x >= dual.b + sum_j min(0, d_j) upper_j.
        upper, negative = self.upper, np.minimum(reduced_all, 0.0)
        unbounded = np.isinf(upper)
        if np.any(negative[unbounded] < -1e-7):
            return StageResult(None, None, False, "")
        bound = float(
            dual_eq @ self.b_eq + dual_ub @ b_ub + negative[~unbounded] @ upper[~unbounded]
        )
        bound -= 1e-6 * max(1.0, abs(bound))  # tolerance, on the safe side
        mip_objective, mip_ub, mip_b_ub = objective, a_ub, b_ub
        if fold is not None:
            # Serve most, then age, as one objective: HiGHS closes it much faster than the age
            # objective under a "serve at least v" row. What it returns is checked by the
            # pipeline like anything else.
            mip_objective = objective + fold * kept[0][0]
            keep = np.r_[np.arange(self.b_ub.size), self.b_ub.size + np.arange(1, len(kept))]
            mip_ub, mip_b_ub = a_ub[keep], b_ub[keep]
        value_prev = float(objective @ x_prev)
        delta = max(1e-9, value_prev - bound - stage.integral) + 1e-6 * max(1.0, abs(bound))
        outside = np.sort(reduced[~active & (reduced > 1e-9)])
        room = int(0.5 * np.count_nonzero(active | (reduced <= 1e-9)))
        if outside.size > room and outside[room] < delta:
            delta = float(outside[room])
        while True:
            chosen = active | (reduced <= delta) | (x_prev[:n_y] > 0.5)
            cols = np.concatenate([np.flatnonzero(chosen), self.always])
            integrality = np.zeros(cols.size)
            integrality[: cols.size - self.always.size] = 1
            remaining = limits.deadline - time.perf_counter()
            if remaining <= 0:
                return StageResult(None, bound, False, "time_limit")
            res = milp(
                mip_objective[cols],
                integrality=integrality,
                bounds=Bounds(np.zeros(cols.size), self.upper[cols]),
                constraints=[
                    LinearConstraint(self.a_eq[:, cols], self.b_eq, self.b_eq),
                    LinearConstraint(mip_ub[:, cols], -np.inf, mip_b_ub),
                ],
                options={
                    "time_limit": max(0.05, remaining),
                    "node_limit": limits.mip_nodes,
                    "mip_rel_gap": 0.0,
                    "presolve": True,
                },
            )
            limit = _limit_of(res.status, limits) if res.status != 0 else ""
            if res.x is None:
                return StageResult(None, bound, False, limit)
            x = np.zeros(self.n_cols)
            x[cols] = res.x
            value = float(objective @ x)
            if limit:
                return StageResult(x, bound, False, limit)
            need = value - bound - (1.0 if stage.integral else 0.0)
            need += 1e-6 * max(1.0, abs(value))
            if np.all(chosen | (reduced > need)):
                # Optimal over all columns: for this objective under the rows, or, folded,
                # for (serve, age) among solutions serving at least as many as the row says
                # (the pipeline calls the age stage proven only where serve is).
                return StageResult(x, bound, True)
            delta = need

    def _per_class(self, columns: np.ndarray, keys: np.ndarray, most: int) -> np.ndarray:
        """Of ``columns``, at most ``most`` per class, the lowest ``keys`` first."""
        order = np.lexsort((columns, keys, self.col_class[columns]))
        columns, cls = columns[order], self.col_class[columns[order]]
        starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
        rank_in_class = np.arange(cls.size) - np.repeat(starts, np.diff(np.r_[starts, cls.size]))
        return columns[rank_in_class < most]


def _limit_of(status: int, limits: Limits) -> str:
    """HiGHS status 1 is an iteration, time or node limit: name the one that applies."""
    return "time_limit" if time.perf_counter() >= limits.deadline else "work_limit"


def utilisation_base(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    sups = inst.table.sups
    cap = np.array([max(s.capacity_sessions, 1) for s in sups], dtype=float)
    used = np.array([s.used_sessions for s in sups], dtype=float)
    return cap, used


def price_matrix(inst: Instance) -> np.ndarray:
    """[individual, group] × supervisor position: the price per session in cents."""
    sups = inst.table.sups
    return np.array(
        [[s.price_individual_cents for s in sups], [s.price_group_cents for s in sups]],
        dtype=np.int64,
    )
