"""Money typed by people and shown to them: one module (core/money.py), cents inside."""

from decimal import Decimal

import babel.numbers
import pytest
from sqlalchemy import select

from lahti_pool.budget.models import Budget
from lahti_pool.core.errors import DomainError
from lahti_pool.core.money import (
    MAX_CENTS,
    AmountError,
    cents_to_euros,
    format_euros,
    parse_cents,
    parse_decimal,
    plain_euros,
    to_cents,
)
from lahti_pool.extensions import db


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("85,50", 8550),  # Finnish and Swedish decimal comma
        ("85.50", 8550),  # English decimal point
        ("85,5", 8550),
        ("85", 8500),
        ("1 234,50", 123450),  # thousands by a space
        ("1\u00a0234,50\u00a0€", 123450),  # as Babel writes Finnish: no-break spaces
        ("1\u202f234,50", 123450),  # narrow no-break space
        ("12 345 678,90 €", 1234567890),
        ("€1,234.50", 123450),  # as English is shown: commas between thousands
        ("1,234,567.89", 123456789),
        (" 85.50 EUR ", 8550),
        ("-3", -300),  # negative: the minus sign
        ("−85,50 €", -8550),  # and the minus sign Babel writes
        ("-€85.50", -8550),
        ("0", 0),
    ],
)
def test_amounts_are_read_as_people_write_them_in_each_language(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "8,5,0",
        "1.234,50",  # a dot between thousands is no one's convention here
        "12 34,50",  # spaces only between groups of three
        "1,23.45",
        "1e3",
        "NaN",
        "Infinity",
        "--5",
        "5-",
        "٣",  # digits of other scripts
        "1" * 41,
    ],
)
def test_what_is_not_an_amount_is_refused_with_a_message(text):
    with pytest.raises(AmountError) as raised:
        parse_decimal(text)
    assert raised.value.message == "Give an amount in euros, e.g. 85.50."
    with pytest.raises(DomainError, match="Give an amount in euros"):
        parse_cents(text, "amount")


@pytest.mark.parametrize("text", ["85,505", "0.001", "1,234"])
def test_fractions_of_a_cent_are_refused_not_rounded(text):
    # "1,234" is 1.234 € in Finnish: refused rather than read as 1234 €.
    with pytest.raises(DomainError, match="to the cent") as raised:
        parse_cents(text, "price")
    assert raised.value.field == "price"


def test_huge_amounts_are_refused_with_a_message():
    assert to_cents(Decimal(MAX_CENTS) / 100) == MAX_CENTS
    for text in ("10 000 000 000,01", "99999999999999999999999999", "-99999999999999999999"):
        with pytest.raises(DomainError, match="too large"):
            parse_cents(text)


def test_cents_never_pass_through_a_float():
    assert cents_to_euros(8550) == Decimal("85.50")
    assert str(cents_to_euros(5)) == "0.05"
    assert plain_euros(123456) == "1234.56"
    assert plain_euros(-5) == "-0.05"
    assert to_cents(Decimal("0.1")) + to_cents(Decimal("0.2")) == 30
    assert plain_euros(2**53 + 1) == "90071992547409.93"  # past a float's exact integers


def test_euros_are_shown_in_the_language_of_the_page():
    assert format_euros(123450, "fi") == "1\u00a0234,50\u00a0€"
    assert format_euros(123450, "en") == "€1,234.50"
    assert format_euros(123450, "sv") == babel.numbers.format_currency(
        Decimal("1234.50"), "EUR", locale="sv_FI"
    )
    # What is shown is read back.
    for locale in ("fi", "en", "sv"):
        assert parse_cents(format_euros(-123450, locale)) == -123450


def test_the_request_language_chooses_the_format(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_euros(8550) == "€85.50"
        assert app.jinja_env.filters["euros"](8550) == "€85.50"
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        assert format_euros(8550) == "85,50\u00a0€"


# --- Forms: a clear message, the database unchanged, never a 500 ----------------------


def _post_budget(client, amount: str):
    data = {"fiscal_year": 2026, "division": 0, "amount": amount, "warn_percent": 80}
    return client.post("/admin/budgets", data=data)


def test_a_budget_is_typed_the_finnish_or_the_english_way(client, admin):
    client.login(admin)
    response = _post_budget(client, "1 234 567,89")
    assert response.status_code == 302
    assert db.session.scalar(select(Budget.amount_cents)) == 123_456_789
    _post_budget(client, "2,000,000.50")
    assert db.session.scalar(select(Budget.amount_cents)) == 200_000_050


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("10,005", "Give the amount to the cent, e.g. 85.50."),
        ("lots", "Give an amount in euros, e.g. 85.50."),
        ("99999999999999999999999999", "Number must be between 0 and 100000000."),
        ("-5", "Number must be between 0 and 100000000."),
    ],
)
def test_a_wrong_budget_amount_gets_a_message_and_changes_nothing(client, admin, amount, message):
    client.login(admin)
    response = _post_budget(client, amount)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Budget)) is None
