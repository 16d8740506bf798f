"""Suppression across breakdowns shown together, and small figures (pure).

A reach page shows the same people counted four ways: the total, by job group, by
division and by unit (units nest in divisions). Each breakdown is a linear equation
(``total = sum of parts``), so a cell hidden in one breakdown could be worked out from
another, or from several combined. :func:`suppress_linked` hides cells until no hidden
cell is determined by the shown ones through any combination of the equations, which
:func:`determined` checks exactly (rational row reduction, no floating point).
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

#: an equation: the total's key and the keys of its parts
Equation = tuple[Hashable, Sequence[Hashable]]


@dataclass(frozen=True)
class Figures:
    """The people behind a cell: ``staff`` in it, ``users`` who had a session."""

    staff: int
    users: int
    sessions: int = 0


def primary(figures: Mapping[Hashable, Figures], k: int) -> set:
    """Cells whose figures would stand on fewer than ``k`` people: fewer than ``k`` staff,
    or between one and ``k - 1`` who used supervision. A zero among ``k`` or more staff
    names nobody and is shown (the administrator looks for units with low uptake)."""
    return {key for key, f in figures.items() if f.staff < k or 0 < f.users < k}


def _rows(equations: Iterable[Equation], hidden: Sequence[Hashable]) -> list[list[Fraction]]:
    """The equations restricted to the hidden cells (shown cells are known constants)."""
    column = {key: i for i, key in enumerate(hidden)}
    rows = []
    for total, parts in equations:
        row = [Fraction(0)] * len(hidden)
        for key, sign in ((total, 1), *((p, -1) for p in parts)):
            if key in column:
                row[column[key]] += sign
        if any(row):
            rows.append(row)
    return rows


def _reduced(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """Reduced row echelon form (exact)."""
    rows = [r[:] for r in rows]
    width = len(rows[0]) if rows else 0
    pivot_row = 0
    for col in range(width):
        pick = next((i for i in range(pivot_row, len(rows)) if rows[i][col] != 0), None)
        if pick is None:
            continue
        rows[pivot_row], rows[pick] = rows[pick], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [v / lead for v in rows[pivot_row]]
        for i, row in enumerate(rows):
            if i != pivot_row and row[col] != 0:
                factor = row[col]
                rows[i] = [a - factor * b for a, b in zip(row, rows[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    return rows[:pivot_row]


def determined(hidden: Iterable[Hashable], equations: Iterable[Equation]) -> set:
    """The hidden cells whose value follows from the shown ones through the equations.

    A cell is determined exactly when its unit vector lies in the row space of the
    equations restricted to the hidden cells, i.e. when a row of the reduced echelon
    form has a single non-zero entry.
    """
    hidden = sorted(hidden, key=repr)
    found = set()
    for row in _reduced(_rows(equations, hidden)):
        nonzero = [i for i, v in enumerate(row) if v != 0]
        if len(nonzero) == 1:
            found.add(hidden[nonzero[0]])
    return found


def suppress_linked(
    figures: Mapping[Hashable, Figures],
    equations: Sequence[Equation],
    k: int = 5,
    keep: frozenset = frozenset(),
) -> frozenset:
    """The cells to hide: the primary ones, then, while any hidden cell can be worked out,
    the smallest shown part (by people who used supervision, then by key) of an equation
    it is in, or that equation's total when no part is left to hide.

    Cells in ``keep`` are hidden only by the primary rule: the grand total, which another
    table (the years' trend) shows on its own. A part that is an equation's only part
    equals its total, so it is hidden with it or not at all.
    """
    hidden = primary(figures, k)
    while found := determined(hidden, equations):
        extra = {_complement(c, figures, equations, hidden | keep) for c in found} - {None}
        if not extra:  # every cell the equations touch is hidden already
            break
        hidden.add(min(extra, key=repr))
    return frozenset(hidden)


def _complement(cell, figures, equations, hidden):
    candidates = []
    for total, parts in equations:
        members = {total, *parts}
        if cell not in members:
            continue
        shown = [p for p in parts if p not in hidden]
        if shown:
            candidates.extend(shown)
        elif total not in hidden:
            candidates.append(total)
    if not candidates:
        return None
    # A shown zero hides nobody's use, so a cell with users is taken first.
    return min(
        candidates,
        key=lambda key: (figures[key].users == 0, figures[key].users, repr(key)),
    )


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The nearest-rank percentile of sorted ``values`` (what the SQL computes)."""
    if not values:
        return None
    rank = (len(values) * percent + 99) // 100
    return sorted(values)[max(rank, 1) - 1]
