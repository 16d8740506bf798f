"""Helpers for files the app exports."""

from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A spreadsheet cell that cannot be read as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def euros(cents: int) -> str:
    """Cents as a plain euro amount with two decimals, e.g. 12345 -> "123.45"."""
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))
