"""The stages of a matching run, from the best known feasible proposal to proven optima.

1. Feasible proposals without a solver (``heuristics.py``): strict ranking, a maximum flow
   under safe count caps (``flow.py``), best-fit and smallest-first packing, the relaxation's
   own solution repaired, ejection chains; each put through the exchange pass. The best by
   (served, then older) is the incumbent; strict ranking wins ties.
2. Bounds without a solver (``bounds.py``, ``flow.py``): the most that can be served, and the
   least sum of positions for that many. Where the pool is too large for the integer
   programme and the bound is not met, pieces of it are solved exactly (``neighbourhoods.py``).
3. Each stage (serve, age, wish, rank or balanced, cost) in turn: proven at once where a bound
   meets the incumbent; otherwise the integer programme (``stages.py``) within the work
   limits, its answer kept only where it is better in this and every earlier stage.
4. Where anything is unproven: wishes kept where there is room, better ranks (ranking and
   client choice) and the exchange pass again, so that no older request waits while a
   younger one it could replace is served.
5. The check: each stage's value is measured on the final proposal and compared with the
   bounds that hold for it. A stage is proven only when every earlier stage is and a bound
   meets its value (the integer programme's own optimality counts only for the solution it
   returned, under the rows it was solved with); the gap is measured against the best bound
   that holds, inf where none does.

Work is limited deterministically (pairs, steps, LP iterations, branch-and-bound nodes), so
the same input gives the same proposal however busy the machine; the wall clock is only a
safety net. HiGHS's root node (presolve, cuts, heuristics) has no work limit in SciPy's
interface: only the clock stops it, and the proposal then says "time_limit".
"""

import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np

from lahti_pool.matching import bounds, flow, heuristics, neighbourhoods
from lahti_pool.matching.eligibility import Policy, StageReport
from lahti_pool.matching.heuristics import Instance, exchange, is_feasible, score
from lahti_pool.matching.stages import (
    BREAKPOINTS,
    Limits,
    Model,
    price_matrix,
    utilisation_base,
    wished_positions,
)

#: the deterministic budgets at work_limit=1.0
MAX_PAIRS = 25_000  #: candidate pairs beyond which the integer programme is not built
LP_ITERATIONS = 200_000
MIP_NODES = 300
BASIS_STEPS = 50_000_000
CHAIN_STEPS = 5_000_000


#: told each step a run reaches ("feasible", a stage's name, "explaining"); the job runner
#: (``runs.py``) sets it to show the run's progress on the queue page
PROGRESS: ContextVar[Callable[[str], None] | None] = ContextVar("matching_progress", default=None)


def report(step: str) -> None:
    hook = PROGRESS.get()
    if hook is not None:
        hook(step)


@dataclass
class Outcome:
    assign: np.ndarray
    reports: list[StageReport]
    status: str
    gap: float
    rule_applied: bool  #: the allocation rule's stage (or the better-ranks pass) shaped it
    greedy: bool  #: the proposal is the strict-ranking one
    seconds: float = 0.0  #: inside HiGHS
    solves: int = 0
    heuristic_seconds: float = 0.0  #: the feasible proposals and the bounds, before any stage


@dataclass
class _Proof:
    rows: list[tuple[str, float]] = field(default_factory=list)  #: what the bound assumed
    lp_bound: float | None = None
    mip_value: float | None = None  #: the integer programme proved this value optimal
    limit: str = ""
    seconds: float = 0.0


def stage_names(inst: Instance) -> list[str]:
    names = ["serve", "age"]
    wished = any(wished_positions(inst, i) for i in range(inst.n))
    if wished:
        names.append("wish")
    if inst.policy is Policy.BALANCED:
        names.append("balanced")
    elif any(c.size > 1 for c in inst.candidates):
        names.append("rank")
    names.append("cost")
    return names


def values(inst: Instance, assign: np.ndarray, names: list[str]) -> dict[str, float]:
    """Each stage's objective (to minimise) of a request-level assignment."""
    served = np.flatnonzero(assign >= 0)
    sups = assign[served]
    out: dict[str, float] = {"serve": -float(served.size), "age": float(served.sum())}
    if "wish" in names:
        kept = sum(
            j in wished_positions(inst, i)
            for i, j in zip(served.tolist(), sups.tolist(), strict=True)
        )
        out["wish"] = -float(kept)
    out["rank"] = float(inst.table.rank[sups].sum())
    load = np.bincount(sups, weights=inst.sessions[served], minlength=inst.m)
    cap, used = utilisation_base(inst)
    util = (used + load)[:, None] / cap[:, None] - BREAKPOINTS[None, :]
    out["balanced"] = float(np.maximum(util, 0.0).sum())
    group = np.array([inst.requests[i].kind == "group" for i in served.tolist()], dtype=int)
    out["cost"] = float((price_matrix(inst)[group, sups] * inst.sessions[served]).sum())
    return {name: out[name] for name in names}


def _better(new: dict, old: dict, names: list[str]) -> bool:
    for name in names:
        tol = 1e-9 * max(1.0, abs(old[name]))
        if new[name] < old[name] - tol:
            return True
        if new[name] > old[name] + tol:
            return False
    return False


def run(inst: Instance, time_limit: float, work_limit: float, whole: bool = True) -> Outcome:
    """``whole=False`` for a piece of a larger run (``neighbourhoods.py``): the serve stage
    only, and no pieces of its own."""
    deadline = time.perf_counter() + time_limit
    report("feasible")
    names = stage_names(inst) if whole else ["serve"]
    greedy = heuristics.strict_ranking(inst)
    if not any(c.size for c in inst.candidates):
        # Nobody can be placed: the empty proposal is the only one, optimal in every stage.
        empty = values(inst, greedy, names)
        reports = [StageReport(n, True, empty[n], empty[n], 0.0, "strict_ranking") for n in names]
        return Outcome(greedy, reports, "optimal", 0.0, True, False)
    upper_caps, safe_caps = flow.count_caps(inst)
    relaxed = bounds.greedy_basis(inst, upper_caps, int(BASIS_STEPS * work_limit))
    if relaxed is not None:
        basis, relaxed_assign = relaxed
        most = int(basis.size)
    else:
        basis, relaxed_assign = None, None
        most = flow.max_flow(inst, upper_caps)[0]
    most = min(most, bounds.sessions_bound(inst))
    starts = {
        "strict_ranking": greedy,
        "restricted_flow": flow.restricted_flow(inst, safe_caps),
        "best_fit": heuristics.best_fit(inst),
        "smallest_first": heuristics.smallest_first(inst),
    }
    if relaxed_assign is not None:
        starts["relaxation"] = heuristics.repair(inst, relaxed_assign)
    best_name, assign = "strict_ranking", greedy
    for name, start in starts.items():
        if score(start)[0] < most and name == "best_fit":
            start, _ = heuristics.chains(
                inst,
                start,
                np.lexsort((np.arange(inst.n), inst.sessions)).tolist(),
                int(CHAIN_STEPS * work_limit),
            )
        start, moves = exchange(inst, start)
        if score(start) > score(assign):
            best_name, assign = name + ("+exchange" if moves else ""), start
    if score(assign)[0] < most:
        # Sessions rather than processes bind: one flow per request size tells which requests
        # can reach which supervisor (a few flows, run only when the cheaper bounds fall short).
        most = min(most, bounds.size_class_bound(inst))
    pairs = sum(c.size for c in inst.candidates)
    clock_cut = False  # the clock stopped the pieces' search (the proposal may vary with load)
    if whole and score(assign)[0] < most and pairs > MAX_PAIRS * work_limit:
        # Too large for the integer programme: solve pieces of it exactly instead.
        rounds = math.ceil(neighbourhoods.ROUNDS * work_limit)
        solver = _piece_solver(work_limit)
        improved, clock_cut = neighbourhoods.search(inst, assign, rounds, deadline, solver)
        if score(improved)[0] > score(assign)[0]:
            assign, _ = exchange(inst, improved)
            best_name += "+neighbourhoods"
    source = best_name
    heuristic_seconds = time.perf_counter() - deadline + time_limit
    current = values(inst, assign, names)
    proofs: dict[str, _Proof] = {}
    model = None
    if 0 < pairs <= MAX_PAIRS * work_limit:
        model = Model(inst, upper_caps)
        stage_of = {stage.name: stage for stage in model.stages}
    limits = Limits(deadline, int(LP_ITERATIONS * work_limit), max(1, int(MIP_NODES * work_limit)))
    kept: list[tuple[np.ndarray, float]] = []
    sources: dict[str, str] = {}
    rule_applied = inst.policy is not Policy.BALANCED and "rank" not in names
    seconds, solves = 0.0, 0
    for k, name in enumerate(names):
        report(name)
        proof = proofs[name] = _Proof(rows=[(n, current[n]) for n in names[:k]])
        if _meets(name, current, names[:k], proofs, most, basis):
            sources[name] = source
            if model is not None:
                kept.append(_row(stage_of[name], current[name]))
            continue
        if model is None:
            proof.limit = "work_limit"
        elif k > 1 and not all(_stage_proven(n, current, proofs, most, basis) for n in names[:2]):
            # Later stages only refine a proposal whose served set is proven; otherwise the
            # final passes (better ranks, exchange) would undo their work anyway.
            proof.limit = proofs["age"].limit or proofs["serve"].limit or "work_limit"
        elif time.perf_counter() >= deadline:
            proof.limit = "time_limit"
        else:
            stage = stage_of[name]
            fold = _fold_weight(model) if name == "age" else None
            started = time.perf_counter()
            result = model.solve(stage, kept, model.x_of(assign), fold, limits)
            proof.seconds = time.perf_counter() - started
            seconds, solves = seconds + proof.seconds, solves + 1
            proof.lp_bound, proof.limit = result.bound, result.limit
            if result.x is not None:
                candidate = model.assign_of(result.x)
                if is_feasible(inst, candidate):
                    found = values(inst, candidate, names)
                    if _better(found, current, names[: k + 1]):
                        assign, current, source = candidate, found, f"milp:{name}"
                        if name in ("rank", "balanced"):
                            rule_applied = True
                    if result.proven and not _better(current, found, names[: k + 1]):
                        proof.mip_value = found[name]
                        if name in ("rank", "balanced"):
                            rule_applied = True
        sources[name] = source
        if model is not None:
            kept.append(_row(stage_of[name], current[name]))
    reports = _reports(inst, assign, names, proofs, most, basis, sources)
    if not all(r.proven for r in reports):
        changed = False
        if "wish" in names:
            assign, moved = heuristics.keep_wishes(
                inst, assign, lambda i: wished_positions(inst, i)
            )
            changed |= bool(moved)
        if inst.policy is not Policy.BALANCED and "rank" in names:
            assign, moved = heuristics.better_ranks(inst, assign)
            changed |= bool(moved)
            rule_applied = True
        assign, moved = exchange(inst, assign)
        changed |= bool(moved)
        if changed:
            source += "+local"
            reports = _reports(
                inst, assign, names, proofs, most, basis, dict.fromkeys(names, source)
            )
    proven = all(r.proven for r in reports)
    is_greedy = bool(np.array_equal(assign, greedy)) and not proven
    limits_hit = {p.limit for p in proofs.values()}
    if proven:
        status = "optimal"
    elif is_greedy:
        status = "greedy_fallback"
    elif "time_limit" in limits_hit or clock_cut:
        status = "time_limit"
    else:
        status = "work_limit"
    gap = next((r.gap for r in reports if not r.proven), 0.0)
    return Outcome(
        assign, reports, status, gap, rule_applied, is_greedy, seconds, solves, heuristic_seconds
    )


def _piece_solver(work_limit: float):
    def solve(piece: Instance, seconds: float) -> tuple[np.ndarray, bool]:
        token = PROGRESS.set(None)  # a piece's steps are not the run's
        try:
            outcome = run(piece, seconds, work_limit, whole=False)
            return outcome.assign, outcome.status == "time_limit"
        finally:
            PROGRESS.reset(token)

    return solve


def _row(stage, value: float) -> tuple[np.ndarray, float]:
    # An integral value is kept exactly (any slack would weaken the next LP bound).
    return stage.objective, round(value) if stage.integral else value + 1e-7 * max(1, abs(value))


def _fold_weight(model: Model) -> float | None:
    """W with W * served - ages ordering solutions as (served, then age), or None.

    Ages are integers in [0, sum of positions], so W = that sum + 1 makes one more request
    served outweigh any age difference; the objective stays an integer below 2**52, so float64
    holds every value exactly. Otherwise the stages stay apart.
    """
    weight = float(model.member_position.sum()) + 1.0
    if weight * (model.n_members + 1) >= 2.0**52:
        return None
    return weight


def _combinatorial(name: str, current: dict, most: int, basis) -> float | None:
    if name == "serve":
        return -float(most)
    if name == "age" and basis is not None:
        return float(bounds.age_bound(basis, int(-current["serve"])))
    return None


def _meets(name, current, earlier, proofs, most, basis) -> bool:
    if any(not _stage_proven(n, current, proofs, most, basis) for n in earlier):
        return False
    bound = _combinatorial(name, current, most, basis)
    return bound is not None and current[name] <= bound + 1e-9


def _stage_proven(name, current, proofs, most, basis) -> bool:
    bound = _best_bound(name, current, proofs[name], most, basis)
    proof = proofs[name]
    if bound is not None and current[name] <= _ceil(name, bound) + 1e-9:
        return True
    return (
        proof.mip_value is not None
        and _rows_hold(proof, current)
        and (current[name] <= proof.mip_value + 1e-9 * max(1.0, abs(proof.mip_value)))
    )


def _ceil(name: str, bound: float) -> float:
    # Every objective but the balanced one takes integer values on an assignment.
    return bound if name == "balanced" else float(np.ceil(bound - 1e-6))


def _rows_hold(proof: _Proof, current: dict) -> bool:
    return all(current[n] <= v + 1e-9 * max(1.0, abs(v)) for n, v in proof.rows)


def _best_bound(name, current, proof: _Proof, most, basis) -> float | None:
    found = [_combinatorial(name, current, most, basis)]
    if proof.lp_bound is not None and _rows_hold(proof, current):
        found.append(proof.lp_bound)
    found = [_ceil(name, b) for b in found if b is not None]
    if proof.mip_value is not None and _rows_hold(proof, current):
        found.append(proof.mip_value)  # HiGHS's own bound met this value
    return max(found) if found else None


def _reports(inst, assign, names, proofs, most, basis, sources) -> list[StageReport]:
    current = values(inst, assign, names)
    reports = []
    earlier_proven = True
    for name in names:
        proof = proofs.get(name) or _Proof()
        proofs[name] = proof
        bound = _best_bound(name, current, proof, most, basis)
        proven = earlier_proven and _stage_proven(name, current, proofs, most, basis)
        value = current[name]
        if proven:
            gap = 0.0
        elif bound is None or not earlier_proven:
            gap = float("inf") if bound is None else _gap(value, bound)
        else:
            gap = _gap(value, bound)
        reports.append(
            StageReport(
                name=name,
                proven=proven,
                value=value,
                bound=bound,
                gap=gap,
                source=sources.get(name, ""),
                limit="" if proven else proof.limit,
                seconds=proof.seconds,
            )
        )
        earlier_proven = proven
    return reports


def _gap(value: float, bound: float) -> float:
    return max(0.0, value - bound) / max(1.0, abs(value))
