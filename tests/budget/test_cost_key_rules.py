"""The cost key's arithmetic: organisations first, then divisions, to the cent."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lahti_pool.budget.costkey import (
    CITY,
    CostKey,
    check_key,
    format_points,
    parse_percent,
    shares_from_form,
    split_session,
)
from lahti_pool.budget.rules import division_weights, split_cents
from lahti_pool.core.errors import DomainError

#: (organisation key, division id): the city's divisions 1 and 2, guests 7 (div 70), 8 (div 80)
PEOPLE = st.lists(
    st.sampled_from([(CITY, 1), (CITY, 2), (7, 70), (8, 80), (8, 81)]), min_size=1, max_size=12
)


def _shares(orgs: list[int], cuts: list[int]) -> dict[int, int]:
    """Shares of 100 % for ``orgs`` from sorted cut points in 0..10000."""
    points = [0, *sorted(cuts[: len(orgs) - 1]), 10_000]
    return {org: points[i + 1] - points[i] for i, org in enumerate(orgs)}


@given(
    total=st.integers(0, 5_000_000),
    members=PEOPLE,
    data=st.data(),
    key=st.sampled_from(list(CostKey)),
    cuts=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
)
def test_every_key_charges_the_whole_price_to_the_cent_and_is_deterministic(
    total, members, data, key, cuts
):
    people = data.draw(st.lists(st.sampled_from(members), max_size=len(members)))
    orgs = sorted({org for org, _ in members})
    shares = _shares(orgs, cuts) if key == CostKey.SHARES else {}
    parts = split_session(total, key, shares, people or members, members)
    assert sum(parts.values()) == total
    assert all(cents >= 0 for cents in parts.values())
    assert parts == split_session(
        total, key, dict(reversed(shares.items())), people or members, list(reversed(members))
    )  # order does not matter
    member_divisions = {d for _, d in members}
    assert set(parts) <= member_divisions


@given(
    total=st.integers(0, 5_000_000),
    members=PEOPLE,
    cuts=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
)
def test_each_organisation_gets_its_share_within_a_cent(total, members, cuts):
    orgs = sorted({org for org, _ in members})
    shares = _shares(orgs, cuts)
    parts = split_session(total, CostKey.SHARES, shares, members, members)
    for org, points in shares.items():
        got = sum(c for d, c in parts.items() if any(o == org and dd == d for o, dd in members))
        assert abs(got - total * points / 10_000) < 1


def test_attendance_is_todays_rule():
    members = [(CITY, 1), (CITY, 1), (7, 70)]
    assert split_session(15000, CostKey.ATTENDANCE, {}, members, members) == split_cents(
        15000, division_weights([1, 1, 70])
    )


def test_equal_per_organisation_then_divisions_by_attendance():
    # the city brings three members (two divisions), each guest one: a third each
    members = [(CITY, 1), (CITY, 1), (CITY, 2), (7, 70), (8, 80)]
    parts = split_session(10000, CostKey.EQUAL, {}, members, members)
    assert parts == {1: 2223, 2: 1111, 70: 3333, 80: 3333}  # the odd cent: the city (key 0)
    # a guest with nobody present still pays its part, on its members' division
    parts = split_session(9000, CostKey.EQUAL, {}, [(CITY, 1)], members)
    assert parts == {1: 3000, 70: 3000, 80: 3000}


def test_ties_go_by_key_order_every_time():
    members = [(CITY, 1), (7, 70), (8, 80)]
    assert split_session(100, CostKey.EQUAL, {}, members, members) == {1: 34, 70: 33, 80: 33}


def test_fixed_shares_in_basis_points():
    members = [(CITY, 1), (7, 70), (8, 80)]
    shares = {CITY: 5000, 7: 3334, 8: 1666}
    assert split_session(15000, CostKey.SHARES, shares, members, members) == {
        1: 7500,
        70: 5001,
        80: 2499,
    }


@pytest.mark.parametrize(
    ("text", "points"),
    [("50", 5000), ("33,34", 3334), ("12.5 %", 1250), ("0", 0), ("100", 10_000)],
)
def test_percentages_are_read_as_basis_points(text, points):
    assert parse_percent(text) == points


@pytest.mark.parametrize("text", ["", "abc", "-5", "33,333", "101", "NaN", "Infinity"])
def test_a_bad_percentage_is_refused(text):
    with pytest.raises(DomainError):
        parse_percent(text)


def test_shares_must_add_up_to_exactly_100_percent():
    with pytest.raises(DomainError, match="add up to 99.99"):
        check_key("shares", {CITY: 5000, 7: 4999}, {CITY, 7})
    assert check_key("shares", {7: 5000, CITY: 5000}, {CITY, 7}) == {CITY: 5000, 7: 5000}


def test_a_share_for_an_organisation_outside_the_group_or_negative_is_refused():
    with pytest.raises(DomainError, match="no member in this group"):
        check_key("shares", {CITY: 5000, 9: 5000}, {CITY, 7})
    with pytest.raises(DomainError, match="negative"):
        check_key("shares", {CITY: 11000, 7: -1000}, {CITY, 7})
    with pytest.raises(DomainError, match="how the cost is shared"):
        check_key("by_mood", {}, {CITY, 7})


def test_other_keys_keep_no_shares():
    assert check_key("equal", {CITY: 10_000}, {CITY, 7}) == {}


def test_the_form_fields_are_read_by_organisation():
    form = {"share-0": "60", "share-7": "40", "share-8": "", "csrf_token": "x"}
    assert shares_from_form(form) == {CITY: 6000, 7: 4000}
    with pytest.raises(DomainError):
        shares_from_form({"share-x": "10"})


def test_points_print_without_trailing_zeros():
    assert (format_points(3334), format_points(5000), format_points(1250)) == (
        "33.34",
        "50",
        "12.5",
    )
