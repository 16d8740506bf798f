"""Serving more on pools too large for the integer programme: solve small pieces exactly.

Large neighbourhood search. Each round frees a handful of supervisors: the ones with the most
sessions left unused, and as many again drawn at random (a fixed seed, so the same input gives
the same proposal). Their requests and every waiting request that could go to one of them form
a small instance, which the whole pipeline solves (its integer programme fits there), and its
answer replaces the piece when it serves more. Nothing outside the piece moves, so the result
stays feasible; the exchange pass runs afterwards, so that no older request waits where it
could take a younger one's place.

On the benchmark's 1,000 x 100 tight instance eight rounds raise the served count from 604 to
610 (HiGHS on the whole pair formulation finds 616 in 60 s); see benchmarks/README.md.
"""

import time
from collections.abc import Callable

import numpy as np

from lahti_pool.matching.eligibility import SupervisorTable
from lahti_pool.matching.heuristics import Instance, build_instance

#: supervisors freed per round
PIECE = 12
#: rounds at work_limit=1.0
ROUNDS = 8


def search(
    inst: Instance,
    assign: np.ndarray,
    rounds: int,
    deadline: float,
    solve: Callable[[Instance, float], tuple[np.ndarray, bool]],
    piece: int = PIECE,
) -> tuple[np.ndarray, bool]:
    """``assign`` improved piece by piece, and whether the clock cut the search short.
    ``solve(sub_instance, seconds)`` answers each piece (its assignment, and whether the clock
    stopped it). Stops after ``rounds`` or at ``deadline`` (the clock is only a safety net);
    ``piece`` supervisors are freed per round."""
    assign = assign.copy()
    rng = np.random.default_rng(2025)
    sessions = inst.sessions
    piece = min(piece, inst.m)
    cut = False
    for _ in range(rounds):
        if time.perf_counter() >= deadline:
            cut = True
            break
        served = assign >= 0
        used = np.bincount(assign[served], weights=sessions[served], minlength=inst.m)
        left = inst.free_s - used
        roomiest = np.argsort(-left, kind="stable")[: (piece + 1) // 2].tolist()
        drawn = rng.choice(inst.m, piece, replace=False).tolist()
        chosen = np.array(sorted(list(dict.fromkeys(roomiest + drawn))[:piece]), dtype=np.int64)
        inside = np.zeros(inst.m, dtype=bool)
        inside[chosen] = True
        held = (assign >= 0) & inside[np.maximum(assign, 0)]
        waiting = np.array(
            [not served[i] and bool(inside[inst.candidates[i]].any()) for i in range(inst.n)],
            dtype=bool,
        )
        members = np.flatnonzero(held | waiting)
        if not waiting.any():
            continue
        table = SupervisorTable([inst.table.sups[j] for j in chosen.tolist()])
        sub = build_instance([inst.requests[i] for i in members.tolist()], table, inst.policy)
        answer, stopped = solve(sub, max(0.0, deadline - time.perf_counter()))
        cut |= stopped
        if int((answer >= 0).sum()) <= int(held.sum()):
            continue
        position = {int(inst.table.ids[j]): j for j in chosen.tolist()}
        for k, i in enumerate(members.tolist()):
            assign[i] = -1 if answer[k] < 0 else position[int(sub.table.ids[answer[k]])]
    return assign, cut
