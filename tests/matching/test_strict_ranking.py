"""Strict ranking order: oldest first, each to the best-ranked eligible supervisor with room."""

from test_solver import make_req, make_sup

from lahti_pool.matching.eligibility import Policy, Reason, Rule
from lahti_pool.matching.solver import propose

BOTH = frozenset({"fi", "sv"})
ON_SITE = frozenset({"on_site"})

# The worked example. Supervisors, best rank first:
#   A (id 1, rank 1): 10 free sessions, 2 free processes, Finnish, on site and video
#   B (id 2, rank 2):  8 free sessions, 3 free processes, Finnish and Swedish
#   C (id 3, rank 3): 20 free sessions, 1 free process,  Finnish, on site only
SUPERVISORS = [
    make_sup(1, free_sessions=10, free_processes=2),
    make_sup(2, free_sessions=8, free_processes=3, languages=BOTH),
    make_sup(3, free_sessions=20, free_processes=1, modes=ON_SITE),
]
# Requests, oldest first, and what strict ranking does with each:
#   r1  6 sessions fi video    -> A (best rank, room).              A: 4 sessions, 1 process
#   r2  5 sessions fi video    -> A has 4 < 5, so B.                B: 3 sessions, 2 processes
#   r3  4 sessions sv video    -> A speaks no Swedish, B has 3 < 4, C no Swedish: unmatched
#   r4  3 sessions fi on site  -> A has 4 >= 3 and a process: A.    A: 1 session, 0 processes
#   r5  3 sessions fi video    -> A has no process left, so B.      B: 0 sessions, 1 process
#   r6  2 sessions fi on site  -> A and B are full, C is on site:   C
#   r7  2 sessions fi video    -> A, B full; C has no video:        unmatched
#   r8  3 sessions fi video, previous supervisor C, continue: wishes do not count -> unmatched
REQUESTS = [
    make_req(1, sessions=6),
    make_req(2, sessions=5),
    make_req(3, sessions=4, language="sv"),
    make_req(4, sessions=3, modes=ON_SITE),
    make_req(5, sessions=3),
    make_req(6, sessions=2, modes=ON_SITE),
    make_req(7, sessions=2),
    make_req(8, sessions=3, previous_supervisor_id=3, continue_previous=True),
]


def test_strict_ranking_reproduces_the_worked_example():
    proposal = propose(REQUESTS, SUPERVISORS, Policy.STRICT_RANKING)
    assert proposal.by_request == {1: 1, 2: 2, 4: 1, 5: 2, 6: 3}
    assert {a.rule for a in proposal.assignments} == {Rule.STRICT_RANKING}
    assert [u.request_id for u in proposal.unmatched] == [3, 7, 8]


def test_strict_ranking_explains_the_worked_example():
    proposal = propose(REQUESTS, SUPERVISORS, Policy.STRICT_RANKING)
    passed = {a.request_id: dict(a.passed_over) for a in proposal.assignments}
    assert passed == {
        1: {},
        2: {1: Reason.OLDER_REQUEST},  # r1 took 6 of A's 10 sessions
        4: {},
        5: {1: Reason.OLDER_REQUEST},  # r1 and r4 took A's two processes
        6: {1: Reason.OLDER_REQUEST, 2: Reason.OLDER_REQUEST},
    }
    unmatched = {u.request_id: dict(u.by_supervisor) for u in proposal.unmatched}
    assert unmatched[3] == {1: Reason.LANGUAGE, 2: Reason.OLDER_REQUEST, 3: Reason.LANGUAGE}
    assert unmatched[7] == {1: Reason.OLDER_REQUEST, 2: Reason.OLDER_REQUEST, 3: Reason.MODE}
    assert unmatched[8] == unmatched[7]


def test_strict_ranking_can_serve_fewer_than_the_optimum():
    # r1 fits A or B, r2 only A: greedy gives A to r1 and loses r2; the solver serves both.
    sups = [make_sup(1, free_sessions=10), make_sup(2, free_sessions=5)]
    reqs = [make_req(1, sessions=5), make_req(2, sessions=10)]
    assert propose(reqs, sups, Policy.STRICT_RANKING).by_request == {1: 1}
    optimal = propose(reqs, sups, Policy.RANKING)
    assert optimal.by_request == {1: 2, 2: 1}
    assert dict(optimal.assignments[0].passed_over) == {1: Reason.OPTIMISATION}


def test_strict_ranking_reports_capacity_missing_before_the_run():
    sups = [make_sup(1, free_sessions=2), make_sup(2)]
    proposal = propose([make_req(1)], sups, Policy.STRICT_RANKING)
    assert dict(proposal.assignments[0].passed_over) == {1: Reason.CAPACITY}
