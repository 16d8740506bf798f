"""The second step of an irreversible one-click action.

The button that used to act at once now opens a page that says what will happen, with
the form that does it and a way back. The action runs only for a POST sent from that
page: the CSRF token and ``confirmed=yes``. A bare POST (an old page left open, a
double-click, a script) shows the page and changes nothing. No JavaScript is needed.
"""

from dataclasses import dataclass, field

from flask import render_template, request
from flask_wtf import FlaskForm


class ConfirmActionForm(FlaskForm):
    """Only the CSRF token; the page's form adds ``confirmed=yes``."""

    def is_confirmed(self) -> bool:
        return self.validate_on_submit() and request.form.get("confirmed") == "yes"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: its title, what will happen, and the two ways on."""

    title: str
    what: str  #: what the action does, in a sentence or two
    button: str  #: the verb that does it, e.g. "Yes, close the process"
    back_url: str
    back_label: str
    facts: list[tuple[str, str]] = field(default_factory=list)  #: (term, value) of the object
    items: list[str] = field(default_factory=list)  #: what it applies to, when several


def confirmation_page(confirmation: Confirmation, form: ConfirmActionForm | None = None):
    """The page; a 200 for the GET and for a POST that was not confirmed."""
    return render_template(
        "confirm.html", c=confirmation, form=form or ConfirmActionForm(formdata=None)
    )
