"""No reach figure rests on fewer than k people, and no hidden one can be worked out from
the breakdowns shown with it (the total, job groups, divisions and units together)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lahti_pool.reports.rules import Figures, determined, nearest_rank, suppress_linked

K = 5
TOTAL = ("total", None)

#: a city: divisions of units; per (unit, job group) how many staff and how many used
people = st.tuples(st.integers(0, 9), st.integers(0, 9)).map(lambda p: (p[0], min(p)))
cities = st.lists(
    st.lists(st.lists(people, min_size=3, max_size=3), min_size=1, max_size=4),
    min_size=1,
    max_size=4,
)


def _page(city):
    """The figures and equations of one reach page of a generated city."""
    figures: dict = {}

    def add(key, staff, users):
        f = figures.get(key, Figures(0, 0, 0))
        figures[key] = Figures(f.staff + staff, f.users + users, f.sessions + 2 * users)

    units_of = {}
    for d, units in enumerate(city):
        for u, groups in enumerate(units):
            units_of.setdefault(("division", d), []).append(("unit", (d, u)))
            for g, (staff, users) in enumerate(groups):
                for key in (TOTAL, ("group", g), ("division", d), ("unit", (d, u))):
                    add(key, staff, users)
    figures = {key: f for key, f in figures.items() if f.staff > 0 or key == TOTAL}
    equations = [
        (TOTAL, [key for key in figures if key[0] == kind])
        for kind in ("group", "division", "unit")
    ]
    equations += [
        (division, [u for u in units if u in figures])
        for division, units in units_of.items()
        if division in figures
    ]
    return figures, [(total, parts) for total, parts in equations if parts]


def _recoverable(hidden, figures, equations) -> set:
    """The hidden cells a reader can solve for, by floating-point rank (independent of the
    exact row reduction the code uses): x_i is known iff adding e_i keeps the rank."""
    hidden = sorted(hidden, key=repr)
    if not hidden:
        return set()
    index = {key: i for i, key in enumerate(hidden)}
    rows = []
    for total, parts in equations:
        row = np.zeros(len(hidden))
        for key, sign in ((total, 1), *((p, -1) for p in parts)):
            if key in index:
                row[index[key]] += sign
        rows.append(row)
    matrix = np.array(rows).reshape(len(rows), len(hidden))
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for key, i in index.items():
        unit = np.zeros(len(hidden))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(key)
    return found


@settings(max_examples=300, deadline=None)
@given(cities)
def test_no_hidden_reach_cell_can_be_worked_out_from_the_breakdowns_shown_together(city):
    figures, equations = _page(city)
    hidden = suppress_linked(figures, equations, K, keep=frozenset({TOTAL}))
    for key, f in figures.items():
        if f.staff < K or 0 < f.users < K:
            assert key in hidden, (key, f)
    assert not _recoverable(hidden, figures, equations)
    # The grand total is hidden only when it is small itself (the years' trend shows it).
    total = figures[TOTAL]
    assert (TOTAL in hidden) == (total.staff < K or 0 < total.users < K)


def test_a_unit_hidden_in_one_breakdown_is_not_given_away_by_its_division():
    # Division 0 has units a (2 users: hidden) and b; subtracting b from the division
    # would give a, so b goes too, and then the other division's units, since the
    # divisions' sum is the total.
    city = [[[(9, 2), (0, 0), (0, 0)], [(9, 9), (0, 0), (0, 0)]], [[(9, 7), (9, 8), (0, 0)]]]
    figures, equations = _page(city)
    hidden = suppress_linked(figures, equations, K, keep=frozenset({TOTAL}))
    assert ("unit", (0, 0)) in hidden and ("unit", (0, 1)) in hidden
    assert not determined(hidden, equations)
    assert not _recoverable(hidden, figures, equations)


def test_the_check_sees_a_cell_given_away_by_subtraction():
    figures, equations = _page([[[(9, 2), (0, 0), (0, 0)], [(9, 9), (0, 0), (0, 0)]]])
    only_primary = {("unit", (0, 0))}
    assert determined(only_primary, equations) == only_primary
    assert _recoverable(only_primary, figures, equations) == only_primary


def test_nearest_rank_percentiles():
    assert nearest_rank([], 50) is None
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50) == 5
    assert nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert nearest_rank([10, 1, 2], 90) == 10
