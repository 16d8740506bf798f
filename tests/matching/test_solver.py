"""The matching engine (DOMAIN.md, "Supervisors and matching"): pure, no app needed."""

import importlib.util
import itertools
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lahti_pool.matching.eligibility import (
    ELIGIBILITY_ORDER,
    Policy,
    Reason,
    RequestIn,
    Rule,
    SupervisorIn,
    SupervisorTable,
    age_key,
    check_eligibility,
)
from lahti_pool.matching.groups import propose_groups
from lahti_pool.matching.solver import propose

SOLVED = (Policy.RANKING, Policy.BALANCED, Policy.CLIENT_CHOICE)
ALL = (*SOLVED, Policy.STRICT_RANKING)
START = date(2025, 9, 1)


def make_sup(id, **kw):
    kw.setdefault("rank", id)
    kw.setdefault("active", True)
    kw.setdefault("contract_start", date(2025, 8, 1))
    kw.setdefault("contract_end", date(2026, 7, 31))
    kw.setdefault("divisions", frozenset({1}))
    kw.setdefault("languages", frozenset({"fi"}))
    kw.setdefault("modes", frozenset({"on_site", "video"}))
    kw.setdefault("kinds", frozenset({"individual", "group"}))
    kw.setdefault("unit_id", None)
    kw.setdefault("conflict_unit_ids", frozenset())
    kw.setdefault("free_sessions", 20)
    kw.setdefault("free_processes", 5)
    kw.setdefault("price_individual_cents", 10000)
    kw.setdefault("price_group_cents", 15000)
    kw.setdefault("capacity_sessions", 40)
    kw.setdefault("used_sessions", 40 - kw["free_sessions"])
    return SupervisorIn(id=id, **kw)


def make_req(id, **kw):
    kw.setdefault("created_at", id)
    kw.setdefault("sessions", 5)
    kw.setdefault("kind", "individual")
    kw.setdefault("division_id", 1)
    kw.setdefault("unit_id", 100)
    kw.setdefault("language", "fi")
    kw.setdefault("modes", frozenset({"video"}))
    kw.setdefault("start_date", START)
    return RequestIn(id=id, **kw)


def passed(proposal, request_id):
    (assignment,) = [a for a in proposal.assignments if a.request_id == request_id]
    return dict(assignment.passed_over)


# --- random instances -------------------------------------------------------------------------

LANGS = st.sampled_from(["fi", "fi", "sv"])
MODESETS = st.sampled_from(
    [frozenset({"video"}), frozenset({"on_site"}), frozenset({"on_site", "video"})]
)


@st.composite
def instances(draw, max_requests=7, max_sups=3):
    n_sups = draw(st.integers(1, max_sups))
    sups = [
        make_sup(
            i + 1,
            rank=draw(st.integers(1, 5)),
            active=draw(st.booleans().map(lambda b: b or draw(st.booleans()))),
            divisions=frozenset(draw(st.sets(st.sampled_from([1, 2]), min_size=1))),
            languages=frozenset({"fi"}) | draw(st.sets(st.just("sv"))),
            modes=draw(MODESETS),
            conflict_unit_ids=frozenset(draw(st.sets(st.sampled_from([100, 101]), max_size=1))),
            free_sessions=draw(st.integers(0, 16)),
            free_processes=draw(st.integers(0, 3)),
            price_individual_cents=draw(st.integers(80, 120)) * 100,
            used_sessions=draw(st.integers(0, 20)),
        )
        for i in range(n_sups)
    ]
    ids = [s.id for s in sups]
    n_reqs = draw(st.integers(0, max_requests))
    reqs = []
    for i in range(n_reqs):
        previous = draw(st.none() | st.sampled_from(ids))
        reqs.append(
            make_req(
                i + 1,
                created_at=draw(st.integers(0, 5)),
                sessions=draw(st.integers(1, 8)),
                division_id=draw(st.sampled_from([1, 2])),
                unit_id=draw(st.sampled_from([100, 101, 102])),
                language=draw(LANGS),
                modes=draw(MODESETS),
                preferred_supervisor_id=draw(st.none() | st.sampled_from(ids)),
                previous_supervisor_id=previous,
                continue_previous=previous is not None and draw(st.booleans()),
            )
        )
    return reqs, sups


def check_feasible(proposal, reqs, sups):
    by_id = {r.id: r for r in reqs}
    sup_by_id = {s.id: s for s in sups}
    served = [a.request_id for a in proposal.assignments]
    assert len(served) == len(set(served))
    assert set(served) | {u.request_id for u in proposal.unmatched} == set(by_id)
    load = {s.id: [0, 0] for s in sups}
    for a in proposal.assignments:
        req, sup = by_id[a.request_id], sup_by_id[a.supervisor_id]
        assert check_eligibility(req, sup) is None
        load[sup.id][0] += req.sessions
        load[sup.id][1] += 1
        assert a.cost_cents == sup.price_cents(req.kind) * req.sessions
    for sup in sups:
        assert load[sup.id][0] <= sup.free_sessions
        assert load[sup.id][1] <= sup.free_processes


def brute_force(reqs, sups):
    """(most served, least sum of age positions among those) over every assignment."""
    order = {r.id: i for i, r in enumerate(sorted(reqs, key=age_key))}
    options = [[None] + [s for s in sups if check_eligibility(r, s) is None] for r in reqs]
    best = (0, 0)
    for choice in itertools.product(*options):
        load = {s.id: [0, 0] for s in sups}
        for req, sup in zip(reqs, choice, strict=True):
            if sup is not None:
                load[sup.id][0] += req.sessions
                load[sup.id][1] += 1
        if any(load[s.id][0] > s.free_sessions or load[s.id][1] > s.free_processes for s in sups):
            continue
        served = [r for r, s in zip(reqs, choice, strict=True) if s is not None]
        score = (len(served), -sum(order[r.id] for r in served))
        best = max(best, score)
    return best[0], -best[1]


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instance=instances(max_requests=8, max_sups=4), policy=st.sampled_from(ALL))
def test_proposal_never_exceeds_capacity_or_pairs_ineligibly(instance, policy):
    reqs, sups = instance
    proposal = propose(reqs, sups, policy)
    check_feasible(proposal, reqs, sups)


@FAST
@given(instance=instances())
def test_number_served_and_age_order_equal_brute_force_optimum(instance):
    reqs, sups = instance
    proposal = propose(reqs, sups, Policy.RANKING)
    order = {r.id: i for i, r in enumerate(sorted(reqs, key=age_key))}
    served = [a.request_id for a in proposal.assignments]
    assert (len(served), sum(order[i] for i in served)) == brute_force(reqs, sups)
    assert proposal.stats.status == "optimal"
    assert proposal.stats.mip_gap == 0.0


@FAST
@given(instance=instances(max_requests=8, max_sups=4), policy=st.sampled_from(ALL))
def test_no_older_request_waits_while_an_identical_younger_one_is_served(instance, policy):
    reqs, sups = instance
    proposal = propose(reqs, sups, policy)
    served = set(proposal.by_request)
    table = SupervisorTable(sups)

    def same_eligibility(a, b):
        return a.sessions == b.sessions and (table.codes(a) == table.codes(b)).all()

    for old, young in itertools.combinations(sorted(reqs, key=age_key), 2):
        if policy is Policy.CLIENT_CHOICE and old.preferred_supervisor_id != (
            young.preferred_supervisor_id
        ):
            continue  # different choices: different candidates
        if same_eligibility(old, young) and young.id in served:
            assert old.id in served


@FAST
@given(instance=instances(max_requests=6, max_sups=3), policy=st.sampled_from(ALL))
def test_every_policy_is_deterministic(instance, policy):
    reqs, sups = instance
    first = propose(reqs, sups, policy)
    second = propose(list(reversed(reqs)), list(reversed(sups)), policy)
    assert first.assignments == second.assignments
    assert first.unmatched == second.unmatched


@FAST
@given(instance=instances(max_requests=6, max_sups=3))
def test_passed_over_lists_exactly_the_better_ranked_supervisors(instance):
    reqs, sups = instance
    proposal = propose(reqs, sups, Policy.RANKING)
    rank = {s.id: s.rank for s in sups}
    by_id = {r.id: r for r in reqs}
    load = {s.id: [0, 0] for s in sups}
    for a in proposal.assignments:
        load[a.supervisor_id][0] += a.sessions
        load[a.supervisor_id][1] += 1
    for a in proposal.assignments:
        better = {s.id for s in sups if s.rank < rank[a.supervisor_id]}
        assert {sid for sid, _ in a.passed_over} == better
        # Under ranking order nothing but a wish keeps a request from a better one with room:
        # "optimisation" there means the better one is full in the proposal.
        need = by_id[a.request_id].sessions
        for sup in sups:
            reason = dict(a.passed_over).get(sup.id)
            if reason is Reason.OPTIMISATION:
                used_s, used_p = load[sup.id]
                assert sup.free_sessions - used_s < need or sup.free_processes - used_p < 1
        assert Reason.BALANCED not in {reason for _, reason in a.passed_over}


# --- eligibility ------------------------------------------------------------------------------

FAILING = {
    Reason.INACTIVE: {"active": False},
    Reason.CONTRACT_PERIOD: {"contract_end": date(2025, 8, 31)},
    Reason.DIVISION: {"divisions": frozenset({2})},
    Reason.KIND: {"kinds": frozenset({"group"})},
    Reason.LANGUAGE: {"languages": frozenset({"sv"})},
    Reason.MODE: {"modes": frozenset({"phone"})},
    Reason.CONFLICT: {"conflict_unit_ids": frozenset({100})},
    Reason.CAPACITY: {"free_sessions": 4},
}


@pytest.mark.parametrize("reason", ELIGIBILITY_ORDER)
def test_eligibility_names_the_first_failing_check(reason):
    later = ELIGIBILITY_ORDER[ELIGIBILITY_ORDER.index(reason) :]
    failing = {k: v for r in later for k, v in FAILING[r].items()}
    assert check_eligibility(make_req(1), make_sup(1, **failing)) is reason


def test_own_unit_is_a_conflict():
    assert check_eligibility(make_req(1), make_sup(1, unit_id=100)) is Reason.CONFLICT


def test_no_free_process_is_a_capacity_failure():
    assert check_eligibility(make_req(1), make_sup(1, free_processes=0)) is Reason.CAPACITY


@FAST
@given(instance=instances())
def test_vectorised_eligibility_agrees_with_check_eligibility(instance):
    reqs, sups = instance
    table = SupervisorTable(sups)
    for req in reqs:
        expected = [check_eligibility(req, s) for s in table.sups]
        got = [None if c < 0 else ELIGIBILITY_ORDER[c] for c in table.codes(req).tolist()]
        assert got == expected


# --- explanations name the true reason --------------------------------------------------------


@pytest.mark.parametrize("reason", list(FAILING))
def test_static_reasons_are_named_for_passed_over_supervisors(reason):
    sups = [make_sup(1, **FAILING[reason]), make_sup(2)]
    proposal = propose([make_req(1)], sups, Policy.RANKING)
    assert passed(proposal, 1) == {1: reason}


def test_capacity_taken_by_an_older_request_is_named_older_request():
    sups = [make_sup(1, free_sessions=5), make_sup(2)]
    proposal = propose([make_req(1), make_req(2)], sups, Policy.RANKING)
    assert proposal.by_request == {1: 1, 2: 2}
    assert passed(proposal, 2) == {1: Reason.OLDER_REQUEST}


def test_capacity_given_to_a_younger_request_to_serve_more_is_named_optimisation():
    # Request 2 can only go to supervisor 1; the older request 1 can go to either. Serving both
    # needs 1 at supervisor 2, so the younger one holds the better-ranked supervisor's place.
    sups = [make_sup(1, free_sessions=5), make_sup(2, divisions=frozenset({1}))]
    reqs = [make_req(1), make_req(2, language="sv")]
    sups[0] = replace(sups[0], languages=frozenset({"fi", "sv"}))
    proposal = propose(reqs, sups, Policy.RANKING)
    assert proposal.by_request == {1: 2, 2: 1}
    assert passed(proposal, 1) == {1: Reason.OPTIMISATION}


def test_continuity_is_named_when_a_better_supervisor_had_room():
    sups = [make_sup(1), make_sup(2)]
    reqs = [make_req(1, previous_supervisor_id=2, continue_previous=True)]
    proposal = propose(reqs, sups, Policy.RANKING)
    assert proposal.assignments[0].rule is Rule.CONTINUITY
    assert passed(proposal, 1) == {1: Reason.CONTINUITY}


def test_previous_supervisor_without_continue_is_not_a_wish():
    sups = [make_sup(1), make_sup(2)]
    proposal = propose([make_req(1, previous_supervisor_id=2)], sups, Policy.RANKING)
    assert proposal.by_request == {1: 1}
    assert proposal.assignments[0].rule is Rule.RANKING


def test_preferred_supervisor_is_named_when_a_better_supervisor_had_room():
    sups = [make_sup(1), make_sup(2), make_sup(3)]
    proposal = propose([make_req(1, preferred_supervisor_id=3)], sups, Policy.RANKING)
    assert proposal.assignments[0].rule is Rule.PREFERRED
    assert passed(proposal, 1) == {1: Reason.PREFERRED, 2: Reason.PREFERRED}


def test_balanced_is_named_when_the_better_supervisor_was_more_utilised():
    sups = [make_sup(1, used_sessions=30), make_sup(2, used_sessions=0)]
    proposal = propose([make_req(1)], sups, Policy.BALANCED)
    assert proposal.by_request == {1: 2}
    assert proposal.assignments[0].rule is Rule.BALANCED
    assert passed(proposal, 1) == {1: Reason.BALANCED}


def test_client_choice_is_named_for_supervisors_the_client_did_not_choose():
    sups = [make_sup(1), make_sup(2, active=False), make_sup(3)]
    proposal = propose([make_req(1, preferred_supervisor_id=3)], sups, Policy.CLIENT_CHOICE)
    assert proposal.assignments[0].rule is Rule.CLIENT_CHOICE
    assert passed(proposal, 1) == {1: Reason.CLIENT_CHOICE, 2: Reason.INACTIVE}


def test_unmatched_request_counts_reasons_per_supervisor():
    sups = [make_sup(1, free_sessions=5), make_sup(2, active=False), make_sup(3, free_sessions=2)]
    proposal = propose([make_req(1), make_req(2)], sups, Policy.RANKING)
    (unmatched,) = proposal.unmatched
    assert unmatched.request_id == 2
    assert unmatched.reasons == {
        Reason.INACTIVE: 1,
        Reason.CAPACITY: 1,
        Reason.OLDER_REQUEST: 1,
    }


# --- allocation rules -------------------------------------------------------------------------


def test_ranking_prefers_the_best_ranked_supervisor():
    sups = [make_sup(1, rank=2), make_sup(2, rank=1), make_sup(3, rank=3)]
    proposal = propose([make_req(1)], sups, Policy.RANKING)
    assert proposal.by_request == {1: 2}


def test_more_requests_served_beats_serving_the_oldest():
    # One 10-session request or two 5-session ones: the count comes first.
    sups = [make_sup(1, free_sessions=10)]
    reqs = [make_req(1, sessions=10), make_req(2), make_req(3)]
    proposal = propose(reqs, sups, Policy.RANKING)
    assert set(proposal.by_request) == {2, 3}


def test_older_request_served_when_only_one_of_two_fits():
    sups = [make_sup(1, free_sessions=5)]
    reqs = [make_req(1, created_at=5), make_req(2, created_at=3)]
    proposal = propose(reqs, sups, Policy.RANKING)
    assert set(proposal.by_request) == {2}


def test_continuity_comes_before_ranking_but_after_serving_more():
    sups = [make_sup(1, free_sessions=5), make_sup(2, free_sessions=5)]
    reqs = [
        make_req(1, previous_supervisor_id=1, continue_previous=True),
        make_req(2, previous_supervisor_id=1, continue_previous=True),
    ]
    proposal = propose(reqs, sups, Policy.RANKING)
    assert len(proposal.assignments) == 2


def test_balanced_spreads_load_over_supervisors():
    sups = [make_sup(i, free_sessions=40, used_sessions=0, free_processes=10) for i in (1, 2, 3)]
    reqs = [make_req(i, sessions=4) for i in range(1, 10)]
    proposal = propose(reqs, sups, Policy.BALANCED)
    loads = [list(proposal.by_request.values()).count(s.id) for s in sups]
    assert loads == [3, 3, 3]
    ranked = propose(reqs, sups, Policy.RANKING)
    assert sorted(list(ranked.by_request.values()).count(s.id) for s in sups) != [3, 3, 3]


def test_balanced_fills_the_least_utilised_first():
    sups = [
        make_sup(1, capacity_sessions=40, used_sessions=30, free_sessions=10),
        make_sup(2, capacity_sessions=40, used_sessions=10, free_sessions=30),
    ]
    reqs = [make_req(i, sessions=2) for i in range(1, 6)]
    proposal = propose(reqs, sups, Policy.BALANCED)
    assert list(proposal.by_request.values()).count(2) == 5


def test_client_choice_respects_the_preference_even_when_worse_ranked():
    sups = [make_sup(1), make_sup(2)]
    reqs = [make_req(1, preferred_supervisor_id=2), make_req(2)]
    proposal = propose(reqs, sups, Policy.CLIENT_CHOICE)
    assert proposal.by_request == {1: 2, 2: 1}
    assert [a.rule for a in proposal.assignments] == [Rule.CLIENT_CHOICE, Rule.RANKING]


def test_client_choice_leaves_unmatched_when_the_chosen_supervisor_is_full():
    sups = [make_sup(1), make_sup(2, free_sessions=0)]
    proposal = propose([make_req(1, preferred_supervisor_id=2)], sups, Policy.CLIENT_CHOICE)
    assert proposal.assignments == []
    assert proposal.unmatched[0].reasons == {Reason.CAPACITY: 1, Reason.CLIENT_CHOICE: 1}


def test_cheapest_supervisor_breaks_equal_ranks():
    sups = [make_sup(1, rank=1, price_individual_cents=12000), make_sup(2, rank=1)]
    proposal = propose([make_req(1)], sups, Policy.RANKING)
    assert proposal.by_request == {1: 2}
    assert proposal.assignments[0].cost_cents == 5 * 10000


def test_stats_report_proven_optimality():
    proposal = propose([make_req(1), make_req(2)], [make_sup(1)], Policy.RANKING)
    stats = proposal.stats
    assert (stats.served, stats.total, stats.status, stats.mip_gap) == (2, 2, "optimal", 0.0)
    assert stats.solves >= 1 and stats.seconds >= stats.solve_seconds
    assert stats.proven_stages[0] == "serve" and stats.proven_stages[-1] == "cost"


def test_strict_ranking_reports_no_solver():
    stats = propose([make_req(1)], [make_sup(1)], Policy.STRICT_RANKING).stats
    assert (stats.status, stats.solves) == ("greedy", 0)


def test_empty_input_gives_an_empty_proposal():
    proposal = propose([], [make_sup(1)], Policy.BALANCED)
    assert proposal.assignments == [] and proposal.unmatched == []


def test_duplicate_request_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        propose([make_req(1), make_req(1)], [make_sup(1)])


# --- the Lahti group fallback -----------------------------------------------------------------


def test_group_fallback_groups_same_division_and_area_first():
    reqs = [make_req(i, area="north" if i <= 4 else "south") for i in range(1, 8)]
    sups = [make_sup(1, kinds=frozenset({"individual"})), make_sup(2, free_sessions=30)]
    groups = propose_groups(reqs, sups)
    assert [g.request_ids for g in groups] == [(1, 2, 3, 4), (5, 6, 7)]
    assert {g.supervisor_id for g in groups} == {2}
    assert [g.area for g in groups] == ["north", "south"]


def test_group_fallback_never_grants_more_sessions_than_a_member_asked():
    reqs = [make_req(1, sessions=3), make_req(2, sessions=8), make_req(3, sessions=10)]
    (group,) = propose_groups(reqs, [make_sup(1)])
    assert group.sessions == 3
    assert group.cost_cents == 3 * 15000


def test_group_fallback_splits_large_buckets_evenly_and_leaves_too_small_ones():
    reqs = [make_req(i) for i in range(1, 14)] + [make_req(20, division_id=2)]
    sups = [make_sup(1, free_sessions=100, divisions=frozenset({1, 2}))]
    groups = propose_groups(reqs, sups)
    assert [len(g.request_ids) for g in groups] == [7, 6]
    assert 20 not in {i for g in groups for i in g.request_ids}


def test_group_fallback_needs_a_supervisor_with_group_capacity():
    reqs = [make_req(i) for i in range(1, 4)]
    sups = [make_sup(1, free_processes=0), make_sup(2, kinds=frozenset({"individual"}))]
    assert propose_groups(reqs, sups) == []


def test_group_fallback_does_not_reuse_capacity_the_proposal_assigns():
    sups = [make_sup(1, free_sessions=10), make_sup(2, rank=2, free_sessions=10)]
    proposal = propose([make_req(1, sessions=6)], sups, Policy.RANKING)
    assert proposal.by_request == {1: 1}
    reqs = [make_req(i, sessions=5) for i in range(2, 5)]
    (group,) = propose_groups(reqs, sups, proposal)
    assert group.supervisor_id == 2


# --- the class formulation with pricing is exact ----------------------------------------------


def brute_force_lexicographic(reqs, sups, policy):
    """The best (served, -age, wishes kept, -sum of ranks, -cost) over every assignment.

    Under client choice a request with a choice may only go to the chosen supervisor, and the
    wishes are no stage of their own (they are the choices): the score leaves them out.
    """
    order = {r.id: i for i, r in enumerate(sorted(reqs, key=age_key))}
    options = []
    for r in reqs:
        ok = [s for s in sups if check_eligibility(r, s) is None]
        choice = r.preferred_supervisor_id or r.continuity_id
        if policy is Policy.CLIENT_CHOICE and choice is not None:
            ok = [s for s in ok if s.id == choice]
        options.append([None, *ok])
    scores = []
    for choice in itertools.product(*options):
        load = {s.id: [0, 0] for s in sups}
        for req, sup in zip(reqs, choice, strict=True):
            if sup is not None:
                load[sup.id][0] += req.sessions
                load[sup.id][1] += 1
        if any(load[s.id][0] > s.free_sessions or load[s.id][1] > s.free_processes for s in sups):
            continue
        placed = dict(zip(reqs, choice, strict=True))
        scores.append(lexicographic_score(reqs, placed, order, policy))
    return max(scores)  # serving nobody is always feasible


def lexicographic_score(reqs, placed, order, policy):
    served = {r: s for r, s in placed.items() if s is not None}
    wished = sum(s.id in {r.preferred_supervisor_id, r.continuity_id} for r, s in served.items())
    score = (
        len(served),
        -sum(order[r.id] for r in served),
        wished,
        -sum(s.rank for s in served.values()),
        -sum(s.price_cents(r.kind) * r.sessions for r, s in served.items()),
    )
    return score[:2] + score[3:] if policy is Policy.CLIENT_CHOICE else score


@FAST
@given(
    instance=instances(max_requests=7, max_sups=3),
    policy=st.sampled_from([Policy.RANKING, Policy.CLIENT_CHOICE]),
)
def test_every_stage_equals_the_brute_force_lexicographic_optimum(instance, policy):
    # Class aggregation, pricing and reduced-cost column fixing leave columns out of the
    # integer programmes; none of that may change any of the five optima.
    reqs, sups = instance
    proposal = propose(reqs, sups, policy)
    order = {r.id: i for i, r in enumerate(sorted(reqs, key=age_key))}
    sup_by_id = {s.id: s for s in sups}
    placed = {r: sup_by_id.get(proposal.by_request.get(r.id)) for r in reqs}
    score = lexicographic_score(reqs, placed, order, policy)
    assert score == brute_force_lexicographic(reqs, sups, policy)
    assert (proposal.stats.status, proposal.stats.mip_gap) == ("optimal", 0.0)


@FAST
@given(instance=instances(max_requests=7, max_sups=3))
def test_balanced_serves_as_many_and_as_old_as_brute_force(instance):
    reqs, sups = instance
    proposal = propose(reqs, sups, Policy.BALANCED)
    order = {r.id: i for i, r in enumerate(sorted(reqs, key=age_key))}
    served = list(proposal.by_request)
    assert (len(served), sum(order[i] for i in served)) == brute_force(reqs, sups)
    assert (proposal.stats.status, proposal.stats.mip_gap) == ("optimal", 0.0)


def _benchmark_instance(n_requests, n_supervisors):
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "matching_bench.py"
    spec = importlib.util.spec_from_file_location("matching_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n_requests, n_supervisors, seed=2025)


@pytest.mark.parametrize("policy", SOLVED)
def test_a_lahti_sized_instance_is_proven_optimal_in_every_stage(policy):
    # 200 waiting requests, 18 supervisors, demand 1.3 times the free sessions.
    reqs, sups = _benchmark_instance(200, 18)
    proposal = propose(reqs, sups, policy, time_limit=20.0)
    stats = proposal.stats
    assert (stats.status, stats.mip_gap) == ("optimal", 0.0)
    assert stats.proven_stages[0] == "serve" and stats.proven_stages[-1] == "cost"
    assert stats.served > propose(reqs, sups, Policy.STRICT_RANKING).stats.served
