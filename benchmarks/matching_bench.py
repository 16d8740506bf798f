"""Benchmark the matching engine against the naive greedy baseline.

Run from the repository root:  python benchmarks/matching_bench.py [--quick] [--seed N]

Instances are generated with a fixed seed: 3 divisions, languages mostly Finnish with some
Swedish and English, modes, own units and listed conflicts, 40–120 contracted sessions per
supervisor with part already used, requests of 3–10 sessions, and demand about 1.3 times the
free sessions so that the choices matter. The baseline is strict ranking (greedy, oldest first,
best-ranked supervisor with room), which the engine also offers as a policy.
"""

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lahti_pool.matching.eligibility import Policy, RequestIn, SupervisorIn  # noqa: E402
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


def run(n_requests: int, n_supervisors: int, seed: int, time_limit: float) -> None:
    requests, supervisors = generate(n_requests, n_supervisors, seed)
    demand = sum(r.sessions for r in requests)
    supply = sum(s.free_sessions for s in supervisors)
    print(
        f"\n{n_requests} requests x {n_supervisors} supervisors (seed {seed}): "
        f"demand {demand} sessions, free {supply} ({demand / supply:.2f}x)"
    )
    print(f"solver time limit {time_limit:g} s per policy")
    header = f"{'policy':<15}{'served':>8}{'seconds':>9}{'solver s':>10}{'solves':>8}"
    print(header + f"{'status':>16}{'gap':>8}{'cost EUR':>12}  proven optimal")
    baseline = None
    for policy in (Policy.STRICT_RANKING, Policy.RANKING, Policy.BALANCED, Policy.CLIENT_CHOICE):
        started = time.perf_counter()
        proposal = propose(requests, supervisors, policy, time_limit=time_limit)
        wall = time.perf_counter() - started
        stats = proposal.stats
        cost = sum(a.cost_cents for a in proposal.assignments) // 100
        baseline = stats.served if baseline is None else baseline
        print(
            f"{policy.value:<15}{stats.served:>8}{wall:>9.2f}{stats.solve_seconds:>10.2f}"
            f"{stats.solves:>8}{stats.status:>16}{stats.mip_gap:>8.1e}{cost:>12,}"
            f"  {','.join(stats.proven_stages) or '-'}"
        )
    print(f"(strict_ranking is the naive greedy baseline: {baseline} served)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--quick", action="store_true", help="only the small instance")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per policy")
    args = parser.parse_args()
    run(500, 50, args.seed, args.time_limit)
    if not args.quick:
        run(5000, 500, args.seed, args.time_limit)


if __name__ == "__main__":
    main()
