"""Bounds that prove the first two stages without an integer programme.

The relaxation: forget sessions except through a count cap per supervisor, the most of its
candidates it could ever take (its smallest candidates' sessions summed within its free
sessions, and no more than its free processes; ``flow.count_caps``). Every feasible
proposal is feasible for the relaxation, so the relaxation's optima bound the real ones.

The relaxation is a transversal matroid (requests matched to supervisor slots), so its greedy
oldest-first basis is optimal for both stages at once: its size U bounds the number served, and
for any v <= U the sum of the positions of its first v members bounds the sum of positions of
any proposal serving v requests (the greedy of a matroid is optimal for every size). Building
it needs one augmenting-path search per request; a search that fails marks every supervisor it
reached as closed (all full, and whoever they hold has no candidate elsewhere), which no later
path can cross, so the total work stays near the number of candidate pairs.
"""

from collections import deque

import numpy as np

from lahti_pool.matching.heuristics import Instance


class _Budget(Exception):
    pass


def greedy_basis(
    inst: Instance, caps: np.ndarray, work_limit: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """The greedy oldest-first basis of the relaxation: its positions in increasing order and
    an assignment carrying it (within ``caps``, not necessarily within the sessions); None when
    it would take more than ``work_limit`` steps (a deterministic measure, not time)."""
    load = np.zeros(inst.m, dtype=np.int64)
    members: list[list[int]] = [[] for _ in range(inst.m)]
    closed = np.zeros(inst.m, dtype=bool)
    basis: list[int] = []
    work = 0
    for i in range(inst.n):
        cols = inst.candidates[i]
        cols = cols[~closed[cols]]
        work += 1 + cols.size
        if not cols.size:
            continue
        free = cols[load[cols] < caps[cols]]
        if free.size:
            j = int(free[0])
            load[j] += 1
            members[j].append(i)
            basis.append(i)
            continue
        # Breadth-first over supervisors: from j, any request j holds may move to another of
        # its candidates; parent[k] = (the request that would move into k, where it comes from).
        seen = np.zeros(inst.m, dtype=bool)
        seen[cols] = True
        parent: dict[int, tuple[int, int]] = {int(j): (i, -1) for j in cols.tolist()}
        queue = deque(int(j) for j in cols.tolist())
        found = -1
        while queue and found < 0:
            j = queue.popleft()
            for r in members[j]:
                nxt = inst.candidates[r]
                work += nxt.size
                nxt = nxt[~seen[nxt] & ~closed[nxt]]
                if not nxt.size:
                    continue
                seen[nxt] = True
                for k in nxt.tolist():
                    parent[k] = (r, j)
                open_ = nxt[load[nxt] < caps[nxt]]
                if open_.size:
                    found = int(open_[0])
                    break
                queue.extend(nxt.tolist())
            if work > work_limit:
                return None
        if found < 0:
            closed |= seen
            continue
        load[found] += 1
        k = found
        while True:
            r, j = parent[k]
            members[k].append(r)
            if j < 0:
                break
            members[j].remove(r)
            k = j
        basis.append(i)
    assign = np.full(inst.n, -1, dtype=np.int64)
    for j, held in enumerate(members):
        assign[held] = j
    return np.array(basis, dtype=np.int64), assign


def age_bound(basis: np.ndarray, served: int) -> int:
    """The least sum of positions any proposal serving ``served`` requests can have."""
    return int(basis[:served].sum())


def sessions_bound(inst: Instance) -> int:
    """A second bound on the number served, for when sessions bind rather than processes.

    A maximum flow of sessions (request i sends up to its sessions, supervisor j takes up to
    its free sessions) bounds the sessions any proposal places; a proposal serving k requests
    places at least the sum of the k smallest requests that have a candidate. So k is at most
    the largest count whose smallest sessions fit within that flow.
    """
    from scipy.sparse import csr_matrix  # scipy loads on the first matching run only
    from scipy.sparse.csgraph import maximum_flow

    n, m = inst.n, inst.m
    sizes = np.array([c.size for c in inst.candidates], dtype=np.int64)
    req = np.repeat(np.arange(n), sizes)
    sup = np.concatenate(inst.candidates).astype(np.int64) if n else np.zeros(0, np.int64)
    source, sink = n + m, n + m + 1
    rows = np.concatenate([np.full(n, source), req, n + np.arange(m)])
    cols = np.concatenate([np.arange(n), n + sup, np.full(m, sink)])
    cap = np.concatenate([inst.sessions, inst.sessions[req], inst.free_s]).astype(np.int32)
    graph = csr_matrix((cap, (rows, cols)), shape=(n + m + 2, n + m + 2))
    placed = int(maximum_flow(graph, source, sink).flow_value)
    smallest = np.sort(inst.sessions[sizes > 0])
    return int(np.searchsorted(np.cumsum(smallest), placed, side="right"))


def size_class_bound(inst: Instance) -> int:
    """A bound on the number served that knows which requests can reach which supervisor.

    Take the distinct request sizes k in increasing order. In any proposal, the requests of at
    most k sessions that are served place g_k sessions, and g_k is at most F_k, the maximum flow
    of sessions from those requests to their candidates when supervisor j takes at most its
    free sessions and at most k times its free processes (it holds at most that many requests,
    each of at most k sessions). The proposal serves (g_k - g_{k-1}) / k requests of size k, so
    it serves sum_k g_k (1/k - 1/k') + g_K / K requests (k' the next size): increasing in every
    g_k. Each g_k is also at most g_{k-1} plus k times the number of requests of size k, so
    taking g_k = min(F_k, g_{k-1} + k N_k) in turn gives the largest value any proposal can
    reach. One maximum flow per distinct size.
    """
    from scipy.sparse import csr_matrix  # scipy loads on the first matching run only
    from scipy.sparse.csgraph import maximum_flow

    n, m = inst.n, inst.m
    reach = np.array([c.size > 0 for c in inst.candidates], dtype=bool)
    counts = np.array([c.size for c in inst.candidates], dtype=np.int64)
    req = np.repeat(np.arange(n), counts)
    sup = np.concatenate(inst.candidates).astype(np.int64) if n else np.zeros(0, np.int64)
    source, sink = n + m, n + m + 1
    placed, served = 0, 0.0
    for k in np.unique(inst.sessions[reach]).tolist():
        small = reach & (inst.sessions <= k)
        pick = small[req]
        rows = np.concatenate([np.full(n, source), req[pick], n + np.arange(m)])
        cols = np.concatenate([np.arange(n), n + sup[pick], np.full(m, sink)])
        intake = np.minimum(inst.free_s, inst.free_p * k)
        cap = np.concatenate([np.where(small, inst.sessions, 0), inst.sessions[req[pick]], intake])
        graph = csr_matrix((cap.astype(np.int32), (rows, cols)), shape=(n + m + 2, n + m + 2))
        most = int(maximum_flow(graph, source, sink).flow_value)
        of_size = int(np.count_nonzero(reach & (inst.sessions == k)))
        now = max(placed, min(most, placed + k * of_size))
        served += (now - placed) / k
        placed = now
    # A float sum of at most a few dozen fractions: the margin keeps an integral value whole.
    return int(np.floor(served + 1e-9))
