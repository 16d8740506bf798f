from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from lahti_pool.organisation.rotation import fair_rotation


def test_meetings_move_between_organisations_before_repeating_one():
    # three organisations; the city has three members, the guests one each
    candidates = [(1, None), (2, None), (3, None), (4, 10), (5, 11)]
    plan = fair_rotation(candidates, 6)
    assert plan == [1, 4, 5, 2, 4, 5]


def test_earlier_hosting_counts():
    candidates = [(1, None), (2, 10)]
    assert fair_rotation(candidates, 1, hosted_before={1: 2}) == [2]


def test_nothing_to_plan():
    assert fair_rotation([], 3) == []
    assert fair_rotation([(1, None)], 0) == []


@given(
    st.lists(st.tuples(st.integers(1, 30), st.sampled_from([None, 1, 2, 3])), min_size=1),
    st.integers(1, 40),
)
def test_organisations_host_within_one_of_each_other(raw, meetings):
    seen, candidates = set(), []
    for user, org in raw:
        if user not in seen:
            seen.add(user)
            candidates.append((user, org))
    plan = fair_rotation(candidates, meetings)
    org_of = dict(candidates)
    per_org = Counter(org_of[u] for u in plan)
    counts = [per_org[o] for o in {o for _u, o in candidates}]
    assert len(plan) == meetings
    assert max(counts) - min(counts) <= 1
    for org in set(org_of.values()):
        members = [u for u, o in candidates if o == org]
        per_member = [plan.count(u) for u in members]
        assert max(per_member) - min(per_member) <= 1
