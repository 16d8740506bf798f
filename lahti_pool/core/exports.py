"""Helpers for files the app exports."""

import csv
import io
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: languages whose spreadsheets (Excel with Finnish or Swedish regional settings) read
#: "," as the decimal sign and ";" as the list separator
COMMA_DECIMAL_LANGUAGES = frozenset({"fi", "sv"})


def safe_cell(value):
    """A spreadsheet cell that cannot be read as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows, language: str) -> str:
    """Rows as CSV that a spreadsheet in the reader's language opens in columns.

    Finnish and Swedish readers get semicolons between fields and decimal commas (their
    Excel splits a comma-separated file into nothing but one column), others commas and
    decimal points; always the UTF-8 byte-order mark, without which Excel reads the
    text as Windows-1252 ("Ã¤" for "ä"). Decimal numbers must come as ``Decimal``.
    """
    comma = language in COMMA_DECIMAL_LANGUAGES
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if comma else ",")
    for row in rows:
        writer.writerow([_number(v) if comma else v for v in row])
    return "\ufeff" + out.getvalue()


def _number(value):
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return value


def csv_download(rows, filename: str):
    """A CSV attachment in the reader's language's spreadsheet conventions (``csv_text``)."""
    from flask import Response
    from flask_babel import get_locale

    locale = get_locale()
    return Response(
        csv_text(rows, locale.language if locale else "en"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
