"""Small-number suppression for feedback reports (DOMAIN.md "Feedback and reports").

Pure. A figure is shown only when at least ``k`` responses stand behind it, and
complementary suppression hides more cells so that no hidden figure can be derived
by subtracting the shown ones from a shown total.

Suppression inside one table is not enough if two tables can be subtracted: a report of
November and December minus one of November is December's, however few answered then;
today's report minus yesterday's is the answers given since, which a supervisor can put
names to. So reports cover fixed, disjoint periods, whole *terms* (autumn: August to
December; spring: January to July, the school year starting on 1 August), and a term is
reported only once feedback on it has closed, ``days_after`` days after it ends, so its
figures never change afterwards.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Term:
    """A school term: ``year``'s autumn (August to December) or spring (January to July)."""

    year: int
    autumn: bool

    @property
    def start(self) -> date:
        return date(self.year, 8, 1) if self.autumn else date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31) if self.autumn else date(self.year, 7, 31)

    @property
    def key(self) -> str:
        return f"{self.year}-{'autumn' if self.autumn else 'spring'}"

    def previous(self) -> "Term":
        return Term(self.year, False) if self.autumn else Term(self.year - 1, True)


def term_of(day: date) -> Term:
    return Term(day.year, day.month >= 8)


def feedback_closes(term: Term, days_after: int) -> date:
    """The first day on which feedback on the term's sessions is no longer taken, and its
    report opens."""
    return term.end + timedelta(days=days_after + 1)


def reportable_terms(today: date, days_after: int, count: int = 10) -> list[Term]:
    """The ``count`` latest terms whose feedback has closed, newest first."""
    term = term_of(today)
    while feedback_closes(term, days_after) > today:
        term = term.previous()
    terms = [term]
    while len(terms) < count:
        terms.append(terms[-1].previous())
    return terms


def parse_term(key: str | None) -> Term | None:
    year, _, half = (key or "").partition("-")
    if not year.isdigit() or len(year) != 4 or half not in ("autumn", "spring"):
        return None
    return Term(int(year), half == "autumn")


@dataclass(frozen=True)
class Suppressed:
    """Which cells and totals of a table may be shown."""

    hidden_cells: frozenset
    hidden_rows: frozenset  #: row totals to hide
    hidden_cols: frozenset  #: column totals to hide
    hide_grand_total: bool


def suppress(counts: Mapping[tuple[Hashable, Hashable], int], k: int = 5) -> Suppressed:
    """Suppression for a table of response counts keyed by (row, column).

    Primary: every non-empty cell with fewer than ``k`` responses. Complementary: while
    a row or a column has exactly one hidden non-empty cell, hide its smallest shown
    non-empty cell too, or the total itself when there is none, so that the shown
    cells and the shown total never give the hidden one away. A total with fewer than
    ``k`` responses is hidden as well.
    """
    cells = {key: n for key, n in counts.items() if n > 0}
    hidden = {key for key, n in cells.items() if n < k}
    rows = {r for r, _ in cells}
    cols = {c for _, c in cells}
    hidden_rows = {r for r in rows if sum(n for (rr, _), n in cells.items() if rr == r) < k}
    hidden_cols = {c for c in cols if sum(n for (_, cc), n in cells.items() if cc == c) < k}
    hide_grand = sum(cells.values()) < k
    changed = True
    while changed:
        changed = False
        for axis, lines, hidden_totals in ((0, rows, hidden_rows), (1, cols, hidden_cols)):
            for line in lines:
                members = [key for key in cells if key[axis] == line]
                lost = [key for key in members if key in hidden]
                if len(lost) != 1 or line in hidden_totals:
                    continue
                shown = sorted(
                    (key for key in members if key not in hidden),
                    key=lambda key: (cells[key], str(key)),
                )
                if shown:
                    hidden.add(shown[0])
                else:
                    hidden_totals.add(line)
                changed = True
        # The margins against the grand total: one hidden row (or column) total could be
        # computed from the grand total and the others.
        for totals, lines in ((hidden_rows, rows), (hidden_cols, cols)):
            nonzero = [line for line in lines]
            lost = [line for line in nonzero if line in totals]
            if len(lost) == 1 and not hide_grand:
                shown = [line for line in nonzero if line not in totals]
                if shown:
                    totals.add(
                        min(
                            shown,
                            key=lambda line: (
                                _line_total(cells, line, totals is hidden_rows),
                                str(line),
                            ),
                        )
                    )
                else:
                    hide_grand = True
                changed = True
    return Suppressed(frozenset(hidden), frozenset(hidden_rows), frozenset(hidden_cols), hide_grand)


def _line_total(cells, line, is_row: bool) -> int:
    axis = 0 if is_row else 1
    return sum(n for key, n in cells.items() if key[axis] == line)


def suppress_column(counts: Mapping[Hashable, int], k: int = 5) -> tuple[frozenset, bool]:
    """A one-dimensional breakdown with a shown total: (hidden keys, hide the total).

    A single hidden figure could be computed from the total and the others, so a
    second one (the smallest shown) is hidden with it; with nothing left to hide,
    the total goes instead.
    """
    cells = {key: n for key, n in counts.items() if n > 0}
    total = sum(cells.values())
    hidden = {key for key, n in cells.items() if n < k}
    hide_total = total < k
    if len(hidden) == 1 and not hide_total:
        shown = sorted(
            (key for key in cells if key not in hidden), key=lambda key: (cells[key], str(key))
        )
        if shown:
            hidden.add(shown[0])
        else:
            hide_total = True
    return frozenset(hidden), hide_total
