"""The matching engine: waiting requests to supervisors (DOMAIN.md, "Supervisors and matching").

Pure: frozen dataclasses in (``eligibility.py``), a ``Proposal`` out; no Flask, no database.

``propose(requests, supervisors, policy)`` with policy ranking, balanced or client_choice
optimises these objectives strictly one after the other (lexicographically):

1. serve as many requests as possible;
2. older first: among those, minimise the sum of the served requests' positions in the queue
   (0 = oldest). On top of that, at any size and whatever the solver managed, no request is
   left waiting while a younger request is served whose place it could take (the exchange
   pass, ``heuristics.py``, guarantees it by construction);
3. wishes: the most requests placed with the supervisor they asked for (the previous one when
   ``continue_previous``, or the preferred one);
4. the allocation rule. ranking: the least sum of ranks. balanced: the least sum over
   supervisors of phi(utilisation after the run), phi convex piecewise linear with a breakpoint
   every 10 %, which evens the utilisations out, the least-utilised filling first.
   client_choice: a request with a choice (preferred, else previous to continue) may only go
   to that supervisor, on every path including the fallbacks, and waits if it cannot; a
   request without one follows ranking order;
5. the lowest cost, price of the kind times sessions, in cents.

``strict_ranking`` is the cautious procurement reading: requests oldest first, each to the
best-ranked eligible supervisor with capacity left; wishes are not considered.

How (``pipeline.py``): the best of several feasible proposals (strict ranking among them), so
the result is never worse than strict ranking; maximum-flow bounds that prove the first two
stages where they meet it; the integer programme (``stages.py``) for what remains, within
deterministic work limits; a final check that reports a stage proven only where a bound meets
the proposal's value, with the real gap of every stage in ``Stats.stages``.
"""

import time
from collections.abc import Sequence

from lahti_pool.matching.eligibility import (
    Policy,
    Proposal,
    RequestIn,
    Stats,
    SupervisorIn,
    SupervisorTable,
    age_key,
)
from lahti_pool.matching.explain import explain
from lahti_pool.matching.groups import GroupProposal, propose_groups
from lahti_pool.matching.heuristics import build_instance, strict_ranking
from lahti_pool.matching.pipeline import report, run

__all__ = ["GroupProposal", "propose", "propose_groups"]


def propose(
    requests: Sequence[RequestIn],
    supervisors: Sequence[SupervisorIn],
    policy: Policy | str = Policy.RANKING,
    *,
    time_limit: float = 60.0,
    work_limit: float = 1.0,
) -> Proposal:
    """A proposal under ``policy``.

    ``work_limit`` scales the deterministic budgets (pairs, steps, LP iterations and
    branch-and-bound nodes; ``pipeline.py``): the same input gives the same proposal however
    busy the machine. ``time_limit`` (seconds) is a safety net shared by the solver stages; a
    proposal it cut short says "time_limit" and may differ from run to run.
    """
    started = time.perf_counter()
    policy = Policy(policy)
    by_age = sorted(requests, key=age_key)
    if len({req.id for req in by_age}) != len(by_age):
        raise ValueError("duplicate request id")
    table = SupervisorTable(supervisors)
    inst = build_instance(by_age, table, policy)
    if policy is Policy.STRICT_RANKING:
        assign = strict_ranking(inst)
        outcome = None
        explained = explain(by_age, table, _chosen(by_age, assign), policy)
    else:
        outcome = run(inst, time_limit, work_limit)
        assign = outcome.assign
        report("explaining")
        explained = explain(
            by_age,
            table,
            _chosen(by_age, assign),
            policy,
            proven=outcome.status == "optimal",
            greedy=outcome.greedy,
            rule_applied=outcome.rule_applied,
        )
    assignments, unmatched = explained
    stats = Stats(
        policy=policy,
        served=len(assignments),
        total=len(by_age),
        status="greedy" if outcome is None else outcome.status,
        mip_gap=0.0 if outcome is None else outcome.gap,
        seconds=time.perf_counter() - started,
        solve_seconds=0.0 if outcome is None else outcome.seconds,
        solves=0 if outcome is None else outcome.solves,
        proven_stages=() if outcome is None else tuple(r.name for r in outcome.reports if r.proven),
        stages=() if outcome is None else tuple(outcome.reports),
        heuristic_seconds=0.0 if outcome is None else outcome.heuristic_seconds,
    )
    by_request = {a.request_id: a.supervisor_id for a in assignments}
    return Proposal(assignments, unmatched, stats, by_request)


def _chosen(by_age: Sequence[RequestIn], assign) -> dict[int, int]:
    """Request id → supervisor position, as the explanations take it."""
    return {by_age[i].id: j for i, j in enumerate(assign.tolist()) if j >= 0}
