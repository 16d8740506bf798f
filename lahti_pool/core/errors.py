"""Domain errors: raised by rules and services, shown to the user by views.

Rules stay free of Flask, so an error carries an untranslated message id (marked
with ``N_`` for extraction) and its parameters; ``str(err)`` translates it when an
app context is active. Dates and datetimes among the parameters are passed as such:
the message formats them for the reader's language (never ``isoformat()`` for a message).
"""

from datetime import date, datetime


def N_(msgid: str) -> str:
    """Mark a message for translation without translating it now."""
    return msgid


def _iso(value: object) -> object:
    """A date or a datetime as ISO 8601 (outside an app context); anything else as is."""
    return value.isoformat() if isinstance(value, date) else value


def _localised(params: dict[str, object]) -> dict[str, object]:
    """``params`` with each date and datetime formatted for the current locale and time
    zone (in an app context)."""
    if not any(isinstance(v, date) for v in params.values()):
        return params
    from flask_babel import format_date, format_datetime

    return {
        k: format_datetime(v, "short")
        if isinstance(v, datetime)
        else format_date(v)
        if isinstance(v, date)
        else v
        for k, v in params.items()
    }


class DomainError(Exception):
    """A rule refused an action; the message says what to fix.

    ``field`` names the form field the message belongs next to, if any.
    """

    def __init__(self, msgid: str, field: str | None = None, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        """The message in the user's language, its dates and times in the user's format
        (``format_date``, ``format_datetime``: "1.8.2026" on a Finnish page)."""
        from flask import has_app_context

        if has_app_context():
            from flask_babel import gettext

            return gettext(self.msgid, **_localised(self.params))
        # outside an app context (pure rule tests): the message id, dates in ISO 8601
        params = {k: _iso(v) for k, v in self.params.items()}
        return self.msgid % params if params else self.msgid

    def __str__(self) -> str:
        return self.message


class QuotaExceeded(DomainError):
    """The action would take somebody's session quota below zero."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows the action."""


class NotPermitted(DomainError):
    """The acting user may not do this to this object."""


#: PostgreSQL's SQLSTATE for "integer out of range" and its kin
NUMBER_OUT_OF_RANGE = "22003"


def sqlstate(error: Exception) -> str | None:
    """The SQLSTATE code of a database error (psycopg), if it has one."""
    return getattr(getattr(error, "orig", None), "sqlstate", None)
