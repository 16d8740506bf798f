"""Money in and out: integer cents inside, Decimal euros at the edges, never floats.

Every amount the app keeps is whole cents (``int``). This module is the one place that
reads an amount a person typed and the one place that writes cents as euros:

- :func:`parse_decimal` reads "1 234,50", "1234.50", "€1,234.50", "−85,50 €": a comma or
  a dot as the decimal separator, spaces (also the no-break spaces Babel writes) or, with
  a dot for decimals, commas between groups of three digits; an optional minus sign
  (``-`` or ``−``) and euro sign. Anything else is not an amount, so "1e3", "NaN" and
  "8,5,0" are refused rather than guessed at.
- :func:`to_cents` turns the euros into whole cents: fractions of a cent and amounts no
  column of the app can hold are refused with a message for the form.
- :func:`format_euros` writes cents for people in the active language through Babel
  ("1 234,50 €" in Finnish, "€1,234.50" in English, Swedish as Babel's Swedish);
  :func:`plain_euros` for files and the terminal ("1234.50"), :func:`cents_to_euros` as
  an exact Decimal for spreadsheet cells and charts.
"""

import re
from decimal import Decimal

import babel.numbers
import flask_babel
from flask_babel import gettext as _
from wtforms import StringField

from lahti_pool.core.errors import N_, DomainError

CENT = Decimal("0.01")
#: the largest amount anything in the app may be: 10 000 000 000,00 € (fits a BIGINT)
MAX_CENTS = 1_000_000_000_000
#: longer text is never an amount the app takes (nor worth running a pattern over)
MAX_TEXT = 40

NOT_AN_AMOUNT = N_("Give an amount in euros, e.g. 85.50.")
NOT_TO_THE_CENT = N_("Give the amount to the cent, e.g. 85.50.")
TOO_LARGE = N_("This amount is too large.")

_SPACES = " \t\u00a0\u2009\u202f"
_MINUS = ("-", "\u2212")
# Integer digits grouped by spaces, or by commas before decimals after a dot, or not at
# all; then the decimals after a comma or a dot. A lone comma is the decimal separator,
# so "1,234" is 1.234, which money refuses as a fraction of a cent rather than misread.
_AMOUNT = re.compile(
    r"(?P<int>\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+|\d{1,3}(?:,\d{3})+(?=\.)|\d+)"
    r"(?:[.,](?P<frac>\d+))?",
    re.ASCII,  # 0-9 only
)


class AmountError(ValueError):
    """Text that is not an amount; ``message`` says so (untranslated, for ``_``)."""

    def __init__(self, text: str, message: str = NOT_AN_AMOUNT):
        super().__init__(text)
        self.message = message


def parse_decimal(text: str) -> Decimal:
    """A decimal number as written in Finnish, Swedish or English: "1 234,50", "85.5",
    "€1,234.50", "−85,50 €" (a euro sign or "EUR" and a minus sign allowed).

    :raises AmountError: not a number written that way
    """
    if len(text) > MAX_TEXT:
        raise AmountError(text)
    cleaned = text.strip(_SPACES)
    if cleaned[-3:].upper() == "EUR":
        cleaned = cleaned[:-3].strip(_SPACES)
    negative = cleaned.startswith(_MINUS)
    if negative:
        cleaned = cleaned[1:]
    cleaned = cleaned.strip(_SPACES).removeprefix("€").removesuffix("€").strip(_SPACES)
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise AmountError(text)
    digits = re.sub(r"[^\d]", "", match["int"])
    number = Decimal(f"{digits}.{match['frac']}" if match["frac"] else digits)
    return -number if negative else number


def to_cents(amount: Decimal, field: str | None = None) -> int:
    """Euros (a Decimal) as whole cents.

    :raises DomainError: a fraction of a cent, or more than :data:`MAX_CENTS`
    """
    if not amount.is_finite():
        raise DomainError(NOT_AN_AMOUNT, field=field)
    if abs(amount) * 100 > MAX_CENTS:
        raise DomainError(TOO_LARGE, field=field)
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise DomainError(NOT_TO_THE_CENT, field=field)
    return int(cents)


def parse_cents(text: str, field: str | None = None) -> int:
    """Typed euros as whole cents: :func:`parse_decimal`, then :func:`to_cents`.

    :raises DomainError: not an amount, a fraction of a cent or too large
    """
    try:
        amount = parse_decimal(text)
    except AmountError as error:
        raise DomainError(error.message, field=field) from error
    return to_cents(amount, field)


def cents_to_euros(cents: int) -> Decimal:
    """Cents as exact euros with two decimals: 8550 → Decimal("85.50")."""
    return Decimal(cents).scaleb(-2).quantize(CENT)


def plain_euros(cents: int) -> str:
    """Cents as a plain amount for files and the terminal: 123456 → "1234.56"."""
    return str(cents_to_euros(cents))


def format_euros(cents: int, locale: str | None = None) -> str:
    """Cents as people read euros in ``locale`` (by default the request's language):
    "1 234,50 €" in Finnish, "€1,234.50" in English (Babel's formats)."""
    if locale is None:
        return flask_babel.format_currency(cents_to_euros(cents), "EUR")
    return babel.numbers.format_currency(cents_to_euros(cents), "EUR", locale=locale)


class AmountField(StringField):
    """A decimal amount typed as :func:`parse_decimal` reads it; ``data`` is a Decimal,
    shown back with two decimals in the reader's language ("85,50")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return flask_babel.format_decimal(self.data, format="0.00")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except AmountError as error:
            self.data = None
            raise ValueError(_(error.message)) from error
