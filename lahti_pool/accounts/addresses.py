"""E-mail addresses as accounts are keyed by them: one normal form, no look-alikes.

The same address typed in composed or decomposed Unicode ("ä" as one character or as
"a" and a combining diaeresis) must name one account, and an address that only looks
like another (a Cyrillic "а" among Latin letters, fullwidth "ｓ") must not make a second.
Every address stored or looked up goes through :func:`normalise_email`.
"""

import unicodedata

from email_validator import EmailNotValidError, validate_email

from lahti_pool.core.errors import N_, DomainError

INVALID = N_("Enter a valid e-mail address.")
LOOK_ALIKE = N_(
    "The address mixes letters of different alphabets, or uses full-width or other "
    "look-alike characters. Type it with the letters of one alphabet."
)


def _script(char: str) -> str:
    """The script a letter belongs to, by its Unicode name: LATIN, CYRILLIC, GREEK, ..."""
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def normalise_email(address: str) -> str:
    """The stored form of an address: email-validator's normal form (NFC, the domain in
    lower case), lower-cased throughout.

    :raises DomainError: on ``email``, for an invalid address or a look-alike one (mixed
        scripts among its letters, or compatibility characters such as full-width forms)
    """
    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError(INVALID, field="email") from error
    normal = unicodedata.normalize("NFC", valid.normalized.lower())
    if unicodedata.normalize("NFKC", normal) != normal:
        raise DomainError(LOOK_ALIKE, field="email")
    if len({_script(c) for c in normal if c.isalpha()}) > 1:
        raise DomainError(LOOK_ALIKE, field="email")
    return normal


def lookup_form(address: str) -> str:
    """The form to look an address up by: normalised when valid, else as typed in lower
    case (a lookup of a malformed address finds nobody, and says nothing about why)."""
    try:
        return normalise_email(address[:254])
    except DomainError:
        return unicodedata.normalize("NFC", address.strip().lower())[:254]


def email_problem(address: str) -> tuple[str, str]:
    """For the importers: ``(normal form, "")``, or ``(address as typed, what is wrong)``
    in the plain English of their reports."""
    try:
        return normalise_email(address), ""
    except DomainError as error:
        if error.msgid == LOOK_ALIKE:
            return address.strip(), "mixes alphabets or uses look-alike (e.g. full-width) letters"
        return address.strip(), "is not a valid e-mail address"
