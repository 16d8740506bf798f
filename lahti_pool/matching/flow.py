"""Maximum flows over the candidate pairs: count caps, the relaxation's bound, a safe flow.

Each request is a unit of flow from the source, through one of its candidate pairs, to a
supervisor, whose edge to the sink carries its count cap. Under the *upper* caps (the most of
its candidates it could ever take) the maximum flow bounds the number any proposal serves;
under the *safe* caps (as many as fit however large they are) every flow is a feasible
proposal.
"""

import numpy as np

from lahti_pool.matching.heuristics import Instance


def pairs_of(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """(request, supervisor) of every candidate pair."""
    sizes = np.array([c.size for c in inst.candidates], dtype=np.int64)
    req = np.repeat(np.arange(inst.n), sizes)
    sup = np.concatenate(inst.candidates) if inst.n else np.zeros(0, dtype=np.int64)
    return req, sup.astype(np.int64)


def _caps(inst: Instance, largest: bool) -> np.ndarray:
    """Per supervisor the most candidates it can take by sessions and processes: counting the
    smallest candidates (an upper bound) or the largest (any that many fit)."""
    req, sup = pairs_of(inst)
    size = inst.sessions[req]
    order = np.lexsort((-size if largest else size, sup))
    sup, size = sup[order], size[order]
    if not sup.size:
        return np.zeros(inst.m, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sup[1:] != sup[:-1]])
    lengths = np.diff(np.r_[starts, sup.size])
    total = np.cumsum(size)
    within = total - np.repeat(total[starts] - size[starts], lengths)  # running sum per supervisor
    fits = np.bincount(sup[within <= inst.free_s[sup]], minlength=inst.m)
    return np.minimum(fits, inst.free_p).astype(np.int64)


def count_caps(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """(upper, safe) count caps per supervisor; see ``_caps``."""
    return _caps(inst, largest=False), _caps(inst, largest=True)


def max_flow(inst: Instance, caps: np.ndarray) -> tuple[int, np.ndarray]:
    """Maximum flow request -> candidate -> supervisor (capacity ``caps``): its value and an
    assignment that carries it (feasible for the real capacities when ``caps`` are safe)."""
    from scipy.sparse import csr_matrix  # scipy loads on the first matching run only
    from scipy.sparse.csgraph import maximum_flow

    n, m = inst.n, inst.m
    req_of_pair, sup_of_pair = pairs_of(inst)
    source, sink = n + m, n + m + 1
    rows = np.concatenate([np.full(n, source), req_of_pair, n + np.arange(m)])
    cols = np.concatenate([np.arange(n), n + sup_of_pair, np.full(m, sink)])
    cap = np.concatenate([np.ones(n), np.ones(sup_of_pair.size), caps]).astype(np.int32)
    graph = csr_matrix((cap, (rows, cols)), shape=(n + m + 2, n + m + 2))
    result = maximum_flow(graph, source, sink)
    flow = result.flow.tocoo()
    assign = np.full(n, -1, dtype=np.int64)
    pair = (flow.row < n) & (flow.col >= n) & (flow.col < n + m) & (flow.data > 0)
    assign[flow.row[pair]] = flow.col[pair] - n
    return int(result.flow_value), assign


def restricted_flow(inst: Instance, safe_caps: np.ndarray | None = None) -> np.ndarray:
    """A maximum flow under the safe caps: feasible, often close to the most that can be served."""
    return max_flow(inst, count_caps(inst)[1] if safe_caps is None else safe_caps)[1]
