"""No feedback figure rests on fewer than k responses, and none can be derived."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from lahti_pool.feedback.rules import suppress, suppress_column

K = 5
counts_1d = st.dictionaries(st.integers(1, 8), st.integers(0, 12), max_size=8)
counts_2d = st.dictionaries(
    st.tuples(st.integers(1, 4), st.integers(1, 4)), st.integers(0, 9), max_size=16
)


@given(counts_1d)
def test_one_dimension_hides_small_cells_and_never_exactly_one(counts):
    hidden, hide_total = suppress_column(counts, K)
    nonzero = {key: n for key, n in counts.items() if n > 0}
    for key, n in nonzero.items():
        if n < K:
            assert key in hidden
    if not hide_total:
        assert sum(nonzero.values()) >= K
        # With the total shown, a lone hidden figure = total - shown ones.
        assert len(hidden) != 1


def _derivable_by_subtraction(counts, result) -> bool:
    """Is some hidden cell the only unknown of a row or column whose total is shown?"""
    cells = {key: n for key, n in counts.items() if n > 0}
    for axis, hidden_totals in ((0, result.hidden_rows), (1, result.hidden_cols)):
        for line in {key[axis] for key in cells}:
            if line in hidden_totals:
                continue
            unknown = [key for key in cells if key[axis] == line and key in result.hidden_cells]
            if len(unknown) == 1:
                return True
    for hidden_totals, axis in ((result.hidden_rows, 0), (result.hidden_cols, 1)):
        lines = {key[axis] for key in cells}
        if not result.hide_grand_total and len([x for x in lines if x in hidden_totals]) == 1:
            return True
    return False


@given(counts_2d)
def test_two_dimensions_hide_small_cells_and_nothing_is_derivable(counts):
    result = suppress(counts, K)
    for key, n in counts.items():
        if 0 < n < K:
            assert key in result.hidden_cells
    assert not _derivable_by_subtraction(counts, result)
    if not result.hide_grand_total:
        assert sum(counts.values()) >= K


def test_worked_example_with_complementary_suppression():
    # Supervisors A (12 responses), B (3), C (7): B is under 5, and with the total (22)
    # shown B = 22 - 12 - 7, so the smallest other figure, C, is hidden too.
    hidden, hide_total = suppress_column({"A": 12, "B": 3, "C": 7}, K)
    assert hidden == {"B", "C"} and not hide_total
    # Nothing to hide beside a lone small figure: the total goes.
    hidden, hide_total = suppress_column({"A": 3}, K)
    assert hidden == {"A"} and hide_total


def test_all_small_tables_show_nothing():
    for a, b in itertools.product(range(1, 5), repeat=2):
        hidden, hide_total = suppress_column({"x": a, "y": b}, K)
        assert hidden == {"x", "y"}
