"""Feasible proposals without a solver, and the exchange pass that puts older requests first.

Pure and deterministic: the same instance gives the same result whatever the clock says.

An ``Instance`` holds the requests in age order (index = position in the queue, 0 = oldest)
with their candidate supervisors (positions in ranking order, eligible before the run and
allowed by the policy) and the supervisors' free capacity, clamped at zero. A solution is an
array ``assign``: the supervisor position per request, or -1 when it is not served.

"Older first", exactly (the exchange pass guarantees it at any size, by construction): for
every request R left waiting and every served request Y younger than R, R could not take Y's
place: Y's supervisor is not a candidate of R, or would lack the sessions for R once Y left;
and no candidate of R still has room for it. Each exchange serves an older request in a
younger one's place, so the pass ends; on a proposal whose age stage is optimal it changes
nothing (any exchange would lower the sum of served positions).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lahti_pool.matching.eligibility import Policy, RequestIn, SupervisorTable
from lahti_pool.matching.explain import client_choice_of


@dataclass
class Instance:
    requests: list[RequestIn]  #: oldest first
    table: SupervisorTable
    policy: Policy
    sessions: np.ndarray  #: per request
    candidates: list[np.ndarray]  #: per request, supervisor positions in ranking order
    free_s: np.ndarray  #: per supervisor, clamped at 0
    free_p: np.ndarray

    @property
    def n(self) -> int:
        return len(self.requests)

    @property
    def m(self) -> int:
        return len(self.table)


def build_instance(by_age: Sequence[RequestIn], table: SupervisorTable, policy: Policy) -> Instance:
    """Candidates per request: eligible before the run, and the client's choice under
    client_choice (a request with a choice has no other candidate)."""
    candidates = []
    for req in by_age:
        columns = np.flatnonzero(table.codes(req) < 0)
        if policy is Policy.CLIENT_CHOICE:
            choice = client_choice_of(req)
            if choice is not None:
                columns = columns[table.ids[columns] == choice]
        candidates.append(columns)
    return Instance(
        list(by_age),
        table,
        policy,
        np.array([r.sessions for r in by_age], dtype=np.int64),
        candidates,
        table.free_sessions.copy(),
        table.free_processes.copy(),
    )


def loads(inst: Instance, assign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    served = assign >= 0
    used_s = np.bincount(assign[served], weights=inst.sessions[served], minlength=inst.m)
    used_p = np.bincount(assign[served], minlength=inst.m)
    return used_s.astype(np.int64), used_p.astype(np.int64)


def is_feasible(inst: Instance, assign: np.ndarray) -> bool:
    used_s, used_p = loads(inst, assign)
    if np.any(used_s > inst.free_s) or np.any(used_p > inst.free_p):
        return False
    return all(j < 0 or j in inst.candidates[i] for i, j in enumerate(assign.tolist()))


def score(assign: np.ndarray) -> tuple[int, int]:
    """(served, -sum of served positions): larger is better, the first two stages' order."""
    served = np.flatnonzero(assign >= 0)
    return int(served.size), -int(served.sum())


def strict_ranking(inst: Instance, order: Sequence[int] | None = None) -> np.ndarray:
    """In ``order`` (default oldest first) each request to its best-ranked candidate with room."""
    room_s, room_p = inst.free_s.copy(), inst.free_p.copy()
    assign = np.full(inst.n, -1, dtype=np.int64)
    for i in range(inst.n) if order is None else order:
        cols = inst.candidates[i]
        ok = cols[(room_s[cols] >= inst.sessions[i]) & (room_p[cols] >= 1)]
        if ok.size:
            j = int(ok[0])
            assign[i] = j
            room_s[j] -= inst.sessions[i]
            room_p[j] -= 1
    return assign


def smallest_first(inst: Instance) -> np.ndarray:
    """Packing: the fewest sessions first (then the oldest), each to the best-ranked with room."""
    order = np.lexsort((np.arange(inst.n), inst.sessions))
    return strict_ranking(inst, order.tolist())


class _Members:
    """Who is placed with each supervisor, with the youngest per minimum size at hand."""

    def __init__(self, inst: Instance, assign: np.ndarray) -> None:
        self.inst = inst
        self.top = int(inst.sessions.max()) + 2 if inst.n else 2
        self.members: list[set[int]] = [set() for _ in range(inst.m)]
        for i, j in enumerate(assign.tolist()):
            if j >= 0:
                self.members[j].add(i)
        #: youngest[j, k]: the youngest request with j having at least k sessions, or -1
        self.youngest = np.full((inst.m, self.top), -1, dtype=np.int64)
        for j in range(inst.m):
            self.refresh(j)

    def refresh(self, j: int) -> None:
        row = np.full(self.top, -1, dtype=np.int64)
        for i in self.members[j]:
            s = int(self.inst.sessions[i])
            row[: s + 1] = np.maximum(row[: s + 1], i)
        self.youngest[j] = row


def exchange(inst: Instance, assign: np.ndarray) -> tuple[np.ndarray, int]:
    """Serve every request that fits somewhere, and let older requests take younger ones'
    places, until no such move is left (the guarantee in the module docstring).

    Returns the new assignment and the number of moves made.
    """
    assign = assign.copy()
    used_s, used_p = loads(inst, assign)
    book = _Members(inst, assign)
    moves = 0
    changed = True
    while changed:
        changed = False
        for i in range(inst.n):
            if assign[i] >= 0 or not inst.candidates[i].size:
                continue
            cols, need = inst.candidates[i], int(inst.sessions[i])
            slack = inst.free_s[cols] - used_s[cols]
            room = (slack >= need) & (inst.free_p[cols] - used_p[cols] >= 1)
            if room.any():
                j = int(cols[int(np.argmax(room))])
                assign[i] = j
                used_s[j] += need
                used_p[j] += 1
                book.members[j].add(i)
                book.refresh(j)
                moves, changed = moves + 1, True
                continue
            # The youngest served request whose place i could take: at j, Y's sessions must
            # cover what i needs beyond j's slack (the process count does not change).
            k = np.clip(need - slack, 0, book.top - 1)
            youngest = book.youngest[cols, k]
            best = int(np.argmax(youngest))  # ties: the best-ranked supervisor
            y = int(youngest[best])
            if y <= i:
                continue
            j = int(cols[best])
            assign[y], assign[i] = -1, j
            used_s[j] += need - int(inst.sessions[y])
            book.members[j].discard(y)
            book.members[j].add(i)
            book.refresh(j)
            moves, changed = moves + 1, True
    return assign, moves


def inversions(inst: Instance, assign: np.ndarray) -> list[tuple[int, int]]:
    """Every (older waiting R, younger served Y) where R could take Y's place, or
    (R, -1) where R fits with a candidate that still has room. Empty after ``exchange``."""
    used_s, used_p = loads(inst, assign)
    found = []
    for i in np.flatnonzero(assign < 0).tolist():
        cols, need = inst.candidates[i], int(inst.sessions[i])
        slack = inst.free_s[cols] - used_s[cols]
        if np.any((slack >= need) & (inst.free_p[cols] - used_p[cols] >= 1)):
            found.append((i, -1))
        for y in range(i + 1, inst.n):
            j = int(assign[y])
            fits = j >= 0 and inst.free_s[j] - used_s[j] + int(inst.sessions[y]) >= need
            if fits and j in cols:
                found.append((i, y))
    return found


def better_ranks(inst: Instance, assign: np.ndarray) -> tuple[np.ndarray, int]:
    """Move served requests, oldest first, to a better-ranked candidate with room, unless
    they sit with the supervisor they asked for. The served set does not change."""
    assign = assign.copy()
    used_s, used_p = loads(inst, assign)
    ids = inst.table.ids
    moves = 0
    for i in np.flatnonzero(assign >= 0).tolist():
        j = int(assign[i])
        req = inst.requests[i]
        if int(ids[j]) in {req.continuity_id, req.preferred_supervisor_id}:
            continue
        cols = inst.candidates[i]
        cols = cols[inst.table.rank[cols] < inst.table.rank[j]]
        need = int(inst.sessions[i])
        ok = cols[
            (inst.free_s[cols] - used_s[cols] >= need) & (inst.free_p[cols] - used_p[cols] >= 1)
        ]
        if ok.size:
            k = int(ok[0])
            assign[i] = k
            used_s[j] -= need
            used_p[j] -= 1
            used_s[k] += need
            used_p[k] += 1
            moves += 1
    return assign, moves


def chains(
    inst: Instance, assign: np.ndarray, order, work_limit: int, per_search: int = 20_000
) -> tuple[np.ndarray, int]:
    """Insert the waiting requests of ``order`` by ejection chains: i takes a place at k1 from
    r1, r1 moves to k2 taking r2's place, …, until the last one fits where there is room.

    Breadth-first over requests, so the shortest chain is taken; ``work_limit`` bounds the
    candidate pairs looked at over the whole call. Returns the assignment and the work done.
    """
    assign = assign.copy()
    used_s, used_p = loads(inst, assign)
    members: list[set[int]] = [set() for _ in range(inst.m)]
    for r, j in enumerate(assign.tolist()):
        if j >= 0:
            members[j].add(r)
    sessions, work = inst.sessions, 0
    for i in order:
        if work >= work_limit:
            break
        if assign[i] >= 0 or not inst.candidates[i].size:
            continue
        parent: dict[int, tuple[int, int]] = {i: (-1, -1)}
        frontier, end = [i], None
        stop = min(work_limit, work + per_search)
        while frontier and end is None and work < stop:
            nxt_frontier = []
            for r in frontier:
                cols = inst.candidates[r]
                cols = cols[cols != assign[r]]
                work += cols.size
                slack = inst.free_s[cols] - used_s[cols]
                room = (slack >= sessions[r]) & (inst.free_p[cols] - used_p[cols] >= 1)
                if room.any():
                    end = (r, int(cols[int(np.argmax(room))]))
                    break
                for k, gap in zip(cols.tolist(), (sessions[r] - slack).tolist(), strict=True):
                    for q in members[k]:
                        work += 1
                        if q not in parent and sessions[q] >= gap:
                            parent[q] = (r, k)
                            nxt_frontier.append(q)
                if work >= stop:
                    break
            frontier = nxt_frontier
        if end is None:
            continue
        moves = []  # (request, from, to)
        r, k = end
        while r >= 0:
            moves.append((r, int(assign[r]), k))
            r, k = parent[r]
        touched = set()
        for r, src, dst in moves:
            if src >= 0:
                used_s[src] -= sessions[r]
                used_p[src] -= 1
            used_s[dst] += sessions[r]
            used_p[dst] += 1
            touched.update((src, dst))
        touched.discard(-1)
        t = list(touched)
        if np.any(used_s[t] > inst.free_s[t]) or np.any(used_p[t] > inst.free_p[t]):
            for r, src, dst in moves:  # a supervisor twice on the chain: undo
                if src >= 0:
                    used_s[src] += sessions[r]
                    used_p[src] += 1
                used_s[dst] -= sessions[r]
                used_p[dst] -= 1
            continue
        for r, src, dst in moves:
            if src >= 0:
                members[src].discard(r)
            members[dst].add(r)
            assign[r] = dst
    return assign, work


def repair(inst: Instance, assign: np.ndarray) -> np.ndarray:
    """Make an assignment feasible: where a supervisor holds too many sessions or processes,
    drop its youngest members, the largest first among equals, until it fits."""
    assign = assign.copy()
    used_s, used_p = loads(inst, assign)
    for j in np.flatnonzero((used_s > inst.free_s) | (used_p > inst.free_p)).tolist():
        held = np.flatnonzero(assign == j)
        for r in held[np.lexsort((-held, -inst.sessions[held]))].tolist():
            if used_s[j] <= inst.free_s[j] and used_p[j] <= inst.free_p[j]:
                break
            assign[r] = -1
            used_s[j] -= inst.sessions[r]
            used_p[j] -= 1
    return assign


def best_fit(inst: Instance) -> np.ndarray:
    """Packing: the fewest sessions first (then the oldest), each to the candidate whose free
    sessions per free process come closest to the request's sessions, so that supervisors with
    few sessions per process take the small requests and the others the large ones."""
    order = np.lexsort((np.arange(inst.n), inst.sessions))
    room_s = inst.free_s.astype(np.float64)
    room_p = inst.free_p.astype(np.float64)
    assign = np.full(inst.n, -1, dtype=np.int64)
    for i in order.tolist():
        cols, need = inst.candidates[i], inst.sessions[i]
        ok = cols[(room_s[cols] >= need) & (room_p[cols] >= 1)]
        if ok.size:
            j = int(ok[int(np.argmin(np.abs(room_s[ok] / room_p[ok] - need)))])
            assign[i] = j
            room_s[j] -= need
            room_p[j] -= 1
    return assign


def keep_wishes(inst: Instance, assign: np.ndarray, wished) -> tuple[np.ndarray, int]:
    """Move served requests, oldest first, to a supervisor they asked for (``wished(i)``, a
    set of positions) where it has room. The served set does not change."""
    assign = assign.copy()
    used_s, used_p = loads(inst, assign)
    moves = 0
    for i in np.flatnonzero(assign >= 0).tolist():
        j, need = int(assign[i]), int(inst.sessions[i])
        wants = sorted(wished(i))
        if not wants or j in wants:
            continue
        for k in wants:
            if inst.free_s[k] - used_s[k] >= need and inst.free_p[k] - used_p[k] >= 1:
                assign[i] = k
                used_s[j] -= need
                used_p[j] -= 1
                used_s[k] += need
                used_p[k] += 1
                moves += 1
                break
    return assign, moves
