"""Phone numbers and meeting links typed into forms: checked, and kept in one form.

Pure functions (``phone_number``, ``https_url``) return the normal form or None; the
WTForms validators put it back on the field or say what to type.
"""

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: E.164 allows at most 15 digits; fewer than 7 is no reachable number
PHONE_DIGITS = (7, 15)
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-]+$")
MAX_URL = 500


def phone_number(text: str) -> str | None:
    """ "040 123 4567" → "0401234567", "+358 (0)40-123 4567" → "+358401234567"; None
    when it is not a phone number."""
    text = (text or "").strip()
    if not text or not _PHONE_CHARS.match(text):
        return None
    plus = text.startswith("+")
    text = text.replace("(0)", "") if plus else text
    digits = re.sub(r"[^0-9]", "", text)
    if not PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]:
        return None
    return ("+" if plus else "") + digits


def https_url(text: str) -> str | None:
    """The link if it is a full https:// address of a named host, with no spaces, no
    password and at most ``MAX_URL`` characters; else None."""
    text = (text or "").strip()
    if not text or len(text) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number raises
    except ValueError:
        return None
    if parts.scheme != "https" or "@" in parts.netloc or "." not in host.strip("."):
        return None
    return text


PHONE_MESSAGE = _l("Give a phone number of 7 to 15 digits, e.g. 040 123 4567 or +358 40 123 4567.")
URL_MESSAGE = _l(
    "Give the link as a full address starting with https://, e.g. https://meet.example.fi/abc-123."
)


class PhoneNumber:
    """Keeps the number in its normal form, or says what to type (empty passes)."""

    def __call__(self, form, field) -> None:
        if not (field.data or "").strip():
            field.data = ""
            return
        normal = phone_number(field.data)
        if normal is None:
            raise ValidationError(str(PHONE_MESSAGE))
        field.data = normal


class HttpsUrl:
    """Only https:// links (a meeting link opens in the reader's browser: no javascript:,
    no plain http); empty passes."""

    field_flags = {"maxlength": MAX_URL}

    def __call__(self, form, field) -> None:
        if not (field.data or "").strip():
            field.data = ""
            return
        normal = https_url(field.data)
        if normal is None:
            raise ValidationError(str(URL_MESSAGE))
        field.data = normal
