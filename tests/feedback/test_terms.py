"""Feedback is reported by whole terms, once feedback on the term has closed, so that no
two reports can be subtracted to give a figure of fewer than five answers (the pages:
test_feedback.py)."""

from datetime import date, timedelta

import pytest

from lahti_pool.feedback.rules import (
    Term,
    feedback_closes,
    parse_term,
    reportable_terms,
    term_of,
)


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2026, 7, 31), Term(2026, autumn=False)),
        (date(2026, 8, 1), Term(2026, autumn=True)),
        (date(2026, 12, 31), Term(2026, autumn=True)),
        (date(2027, 1, 1), Term(2027, autumn=False)),
    ],
)
def test_the_school_year_has_two_terms_that_meet_without_a_gap(day, term):
    assert term_of(day) == term
    assert term.start <= day <= term.end
    assert term.previous().end == term.start - timedelta(days=1)


def test_a_term_is_reported_once_feedback_on_it_has_closed():
    autumn = Term(2026, autumn=True)
    assert feedback_closes(autumn, 31) == date(2027, 2, 1)
    assert reportable_terms(date(2027, 1, 31), 31, count=2) == [
        Term(2026, autumn=False),
        Term(2025, autumn=True),
    ]
    assert reportable_terms(date(2027, 2, 1), 31, count=1) == [autumn]


@pytest.mark.parametrize("key", [None, "", "2026", "2026-winter", "26-autumn", "x-spring"])
def test_a_term_key_that_names_no_term_is_none(key):
    assert parse_term(key) is None
    assert parse_term("2026-spring") == Term(2026, autumn=False)
