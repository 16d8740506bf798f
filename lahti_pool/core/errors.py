"""Domain errors: raised by rules and services, shown to the user by views.

Rules stay free of Flask, so an error carries an untranslated message id (marked
with ``N_`` for extraction) and its parameters; ``str(err)`` translates it when an
app context is active.
"""


def N_(msgid: str) -> str:
    """Mark a message for translation without translating it now."""
    return msgid


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
        try:
            from flask_babel import gettext

            return gettext(self.msgid, **self.params)
        except RuntimeError:  # outside an app context (pure rule tests)
            return self.msgid % self.params if self.params else self.msgid

    def __str__(self) -> str:
        return self.message


class QuotaExceeded(DomainError):
    """The action would take somebody's session quota below zero."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows the action."""


class NotPermitted(DomainError):
    """The acting user may not do this to this object."""
