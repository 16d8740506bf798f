"""Benchmark the matching engine against the naive greedy baseline.

Run from the repository root:  python benchmarks/matching_bench.py [--quick] [--seed N]

Each size (200 x 18, 1,000 x 100, 5,000 x 500) runs tight (requests ask for twice the free
sessions) and loose (0.8 times); per policy: served, the certified bound on the number served,
strict ranking (greedy), seconds (wall and this process's CPU), when the serve stage was
settled (CPU and wall seconds from the call), status, gap, priority inversions (checked from
the rules), and per stage whether it is proven or its gap; the load average before and after.

Instances are generated with a fixed seed: 3 divisions, languages mostly Finnish with some
Swedish and English, modes, own units and listed conflicts, 40–120 contracted sessions per
supervisor with part already used, requests of 3–10 sessions, and demand about 1.3 times the
free sessions so that the choices matter. The baseline is strict ranking (greedy, oldest first,
best-ranked supervisor with room), which the engine also offers as a policy.
"""

import argparse
import os
import random
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lahti_pool.matching.eligibility import (  # noqa: E402
    Policy,
    RequestIn,
    SupervisorIn,
    SupervisorTable,
    age_key,
)
from lahti_pool.matching.explain import client_choice_of  # noqa: E402
from lahti_pool.matching.pipeline import PROGRESS  # noqa: E402
from lahti_pool.matching.solver import propose  # noqa: E402

DIVISIONS = (1, 2, 3)  # education, social and health, culture and leisure
DIVISION_WEIGHTS = (0.6, 0.25, 0.15)
AREAS = ("keskusta", "pohjoinen", "etela", "ita", "lansi")
MODES = ("on_site", "video", "phone")
SCHOOL_YEAR = (date(2025, 8, 1), date(2026, 7, 31))


def _modes(rng: random.Random, weights: tuple[float, float, float]) -> frozenset[str]:
    chosen = frozenset(m for m, w in zip(MODES, weights, strict=True) if rng.random() < w)
    return chosen or frozenset({rng.choice(MODES)})


def generate(n_requests: int, n_supervisors: int, seed: int = 2025):
    """Requests and supervisors for one instance, deterministic for the seed."""
    rng = random.Random(seed)
    n_units = max(6, n_requests // 25)
    unit_division = {u: rng.choices(DIVISIONS, DIVISION_WEIGHTS)[0] for u in range(1, n_units + 1)}
    units = list(unit_division)
    supervisors = []
    for i in range(n_supervisors):
        capacity = rng.randint(40, 120)
        used = int(capacity * rng.uniform(0.2, 0.5))
        ends_early = rng.random() < 0.05
        supervisors.append(
            SupervisorIn(
                id=1000 + i,
                rank=i + 1,
                active=rng.random() < 0.96,
                contract_start=SCHOOL_YEAR[0],
                contract_end=date(2025, 12, 31) if ends_early else SCHOOL_YEAR[1],
                divisions=frozenset(d for d in DIVISIONS if rng.random() < 0.6)
                or frozenset({rng.choice(DIVISIONS)}),
                languages=frozenset(
                    {"fi"}
                    | ({"sv"} if rng.random() < 0.2 else set())
                    | ({"en"} if rng.random() < 0.35 else set())
                ),
                modes=_modes(rng, (0.85, 0.8, 0.5)),
                kinds=frozenset({"individual"} | ({"group"} if rng.random() < 0.5 else set())),
                unit_id=rng.choice(units) if rng.random() < 0.2 else None,
                conflict_unit_ids=frozenset(rng.sample(units, rng.randint(0, 3))),
                free_sessions=capacity - used,
                free_processes=rng.randint(5, 12),
                price_individual_cents=rng.randrange(9000, 15001, 500),
                price_group_cents=rng.randrange(12000, 20001, 500),
                capacity_sessions=capacity,
                used_sessions=used,
            )
        )
    requests = []
    for i in range(n_requests):
        unit = rng.choice(units)
        previous = rng.choice(supervisors).id if rng.random() < 0.15 else None
        requests.append(
            RequestIn(
                id=i + 1,
                created_at=i,
                sessions=rng.randint(3, 10),
                kind="group" if rng.random() < 0.1 else "individual",
                division_id=unit_division[unit],
                unit_id=unit,
                language=rng.choices(("fi", "sv", "en"), (0.85, 0.08, 0.07))[0],
                modes=_modes(rng, (0.7, 0.7, 0.4)),
                start_date=SCHOOL_YEAR[0] + timedelta(days=rng.randint(14, 180)),
                preferred_supervisor_id=rng.choice(supervisors).id if rng.random() < 0.1 else None,
                previous_supervisor_id=previous,
                continue_previous=previous is not None and rng.random() < 0.7,
                area=rng.choice(AREAS),
            )
        )
    return requests, supervisors


def with_load(requests, supervisors, load: float):
    """The same instance with every supervisor's free sessions scaled so that the requests ask
    for ``load`` times the free sessions (tight: 2.0, loose: 0.8); processes unchanged."""
    demand = sum(r.sessions for r in requests)
    supply = sum(s.free_sessions for s in supervisors)
    factor = demand / load / supply
    scaled = []
    for sup in supervisors:
        free = max(1, round(sup.free_sessions * factor))
        capacity = max(sup.capacity_sessions, free + sup.used_sessions)
        scaled.append(replace(sup, free_sessions=free, capacity_sessions=capacity))
    return requests, scaled


def count_inversions(proposal, requests, supervisors, policy) -> int:
    """Older waiting requests that could take a younger served one's place, or that fit with a
    supervisor with room left: checked from the eligibility rules, not by the engine."""
    table = SupervisorTable(supervisors)
    free = {s.id: [max(s.free_sessions, 0), max(s.free_processes, 0)] for s in supervisors}
    by_id = {r.id: r for r in requests}
    for a in proposal.assignments:
        free[a.supervisor_id][0] -= by_id[a.request_id].sessions
        free[a.supervisor_id][1] -= 1
    ordered = sorted(requests, key=age_key)
    served_at = {}  # supervisor id -> [(position, sessions)] of served requests
    for pos, req in enumerate(ordered):
        sid = proposal.by_request.get(req.id)
        if sid is not None:
            served_at.setdefault(sid, []).append((pos, req.sessions))
    found = 0
    for pos, req in enumerate(ordered):
        if req.id in proposal.by_request:
            continue
        codes = table.codes(req)
        choice = client_choice_of(req) if policy is Policy.CLIENT_CHOICE else None
        for j in np.flatnonzero(codes < 0).tolist():
            sid = int(table.ids[j])
            if choice is not None and sid != choice:
                continue
            fs, fp = free[sid]
            if fs >= req.sessions and fp >= 1:
                found += 1
                continue
            found += sum(1 for p, s in served_at.get(sid, ()) if p > pos and fs + s >= req.sessions)
    return found


def run(n_requests: int, n_supervisors: int, seed: int, time_limit: float, load: float | None):
    requests, supervisors = generate(n_requests, n_supervisors, seed)
    if load is not None:
        requests, supervisors = with_load(requests, supervisors, load)
    demand = sum(r.sessions for r in requests)
    supply = sum(s.free_sessions for s in supervisors)
    label = {None: "as generated", 2.0: "tight", 0.8: "loose"}.get(load, f"load {load}")
    print(
        f"\n{n_requests} requests x {n_supervisors} supervisors, {label} (seed {seed}): "
        f"demand {demand} sessions, free {supply} ({demand / supply:.2f}x); "
        f"load average before {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    header = (
        f"{'policy':<15}{'served':>7}{'bound':>7}{'greedy':>7}{'seconds':>8}{'cpu s':>7}"
        f"{'serve done (cpu/wall)':>23}{'status':>16}{'gap':>9}{'inv':>5}"
        "  stages (name: proven/gap, HiGHS s)"
    )
    print(header)
    greedy = propose(requests, supervisors, Policy.STRICT_RANKING).stats.served
    rows = []
    for policy in (Policy.STRICT_RANKING, Policy.RANKING, Policy.BALANCED, Policy.CLIENT_CHOICE):
        steps = _Steps()
        token = PROGRESS.set(steps.reached)
        started, cpu_started = steps.started, steps.cpu_started
        proposal = propose(requests, supervisors, policy, time_limit=time_limit)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        PROGRESS.reset(token)
        # The serve stage is settled when the run moves on to the next stage.
        done = steps.get("age") or steps.get("explaining")
        serve_done = "-" if done is None else f"{done[0]:.2f} / {done[1]:.2f}"
        stats = proposal.stats
        serve = next((r for r in stats.stages if r.name == "serve"), None)
        bound = "-" if serve is None or serve.bound is None else f"{-serve.bound:.0f}"
        inv = count_inversions(proposal, requests, supervisors, policy)
        stages = ", ".join(
            f"{r.name}: {'proven' if r.proven else f'{r.gap:.1e}'} {r.seconds:.1f}"
            for r in stats.stages
        )
        print(
            f"{policy.value:<15}{stats.served:>7}{bound:>7}{greedy:>7}{wall:>8.2f}{cpu:>7.2f}"
            f"{serve_done:>23}{stats.status:>16}{stats.mip_gap:>9.1e}{inv:>5}"
            f"  {stages or '-'}"
        )
        rows.append((policy.value, stats.served, bound, greedy, wall, stats.status, inv))
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return rows


class _Steps:
    """When each step of a run was reached: (CPU, wall) seconds from the start."""

    def __init__(self) -> None:
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self.at: dict[str, tuple[float, float]] = {}

    def reached(self, step: str) -> None:
        self.at.setdefault(
            step,
            (time.process_time() - self.cpu_started, time.perf_counter() - self.started),
        )

    def get(self, step: str):
        return self.at.get(step)


SIZES = ((200, 18), (1000, 100), (5000, 500))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--quick", action="store_true", help="only 200 x 18")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per policy")
    args = parser.parse_args()
    for n, m in SIZES[:1] if args.quick else SIZES:
        for load in (2.0, 0.8):
            run(n, m, args.seed, args.time_limit, load)


if __name__ == "__main__":
    main()
