"""Cost splitting in cents: the parts always add up to the whole."""

from hypothesis import given
from hypothesis import strategies as st

from lahti_pool.budget.rules import division_weights, split_cents


@given(
    total=st.integers(0, 10_000_000),
    weights=st.dictionaries(st.integers(1, 20), st.integers(0, 12), max_size=8),
)
def test_split_parts_add_up_to_the_total_and_follow_the_weights(total, weights):
    parts = split_cents(total, weights)
    positive = {k: w for k, w in weights.items() if w > 0}
    if not positive:
        assert parts == {}
        return
    assert sum(parts.values()) == total
    whole = sum(positive.values())
    for k, w in positive.items():
        exact = total * w / whole
        assert abs(parts[k] - exact) < 1  # never more than a cent off its exact share


def test_group_session_is_split_by_attendance():
    # 150.00 € for 3 attendees: two from division 1, one from division 2.
    assert split_cents(15000, division_weights([1, 1, 2])) == {1: 10000, 2: 5000}
    # A cent that does not divide evenly goes to the largest remainder.
    assert split_cents(100, {1: 1, 2: 1, 3: 1}) == {1: 34, 2: 33, 3: 33}
