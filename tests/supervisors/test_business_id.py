"""Finnish business IDs (Y-tunnus) and amounts: the pure checks of supervisors/services.py."""

from decimal import Decimal

import pytest

from lahti_pool.core.errors import DomainError
from lahti_pool.core.money import parse_decimal
from lahti_pool.supervisors.services import business_id_is_valid, has_free_capacity, price_cents


@pytest.mark.parametrize("business_id", ["0112038-9", "1572860-0", "1234567-1", "0737546-2"])
def test_business_ids_with_the_right_check_digit_are_valid(business_id):
    assert business_id_is_valid(business_id)


@pytest.mark.parametrize(
    "business_id",
    ["0112038-8", "112038-9", "01120389", "0112038 9", "A112038-9", "", "1234567-12"],
)
def test_wrong_check_digit_or_format_is_invalid(business_id):
    assert not business_id_is_valid(business_id)


def test_remainder_one_is_never_a_valid_business_id():
    # 0000110: 1·8 + 1·4 = 12, remainder 1, so no check digit can be right.
    assert not any(business_id_is_valid(f"0000110-{d}") for d in range(10))


@pytest.mark.parametrize(
    ("text", "amount"),
    [("85,50", "85.50"), ("85.5", "85.5"), ("1 234,50 €", "1234.50"), ("0", "0"), ("-3", "-3")],
)
def test_amounts_are_read_the_finnish_or_the_english_way(text, amount):
    assert parse_decimal(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "8,5,0", "abc", "1e3", "NaN"])
def test_what_is_not_an_amount_is_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_a_price_is_whole_cents_and_negative_or_fractional_cents_are_refused():
    assert price_cents(Decimal("85.50"), "price") == 8550
    with pytest.raises(DomainError, match="cannot be negative"):
        price_cents(Decimal("-0.01"), "price")
    with pytest.raises(DomainError, match="to the cent"):
        price_cents(Decimal("85.505"), "price")


@pytest.mark.parametrize(
    ("sessions", "granted", "processes", "active", "free"),
    [(20, 0, 4, 0, True), (20, 20, 4, 0, False), (20, 5, 4, 4, False), (0, 0, 4, 0, False)],
)
def test_free_capacity_needs_sessions_left_and_room_for_a_process(
    sessions, granted, processes, active, free
):
    assert has_free_capacity(sessions, granted, processes, active) is free
