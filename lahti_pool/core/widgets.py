"""Form widgets, and the bounds of the dates a form accepts."""

from datetime import date
from datetime import time as dt_time

from flask_babel import format_time
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup, escape
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

#: the years a date, a month or a fiscal year typed into a form may have. A browser's date
#: input takes years up to 9999, and a day or a month after 9999-12 has no Python date: a
#: period ending then breaks the arithmetic behind it. Anything outside is a typing slip.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def years_message(first: int = FIRST_YEAR, last: int = LAST_YEAR) -> str:
    """The message for a date, month or year outside ``first``..``last``."""
    return _("Use a year between %(first)s and %(last)s.", first=str(first), last=str(last))


class InYears:
    """Validates that a ``DateField``'s or ``MonthField``'s date is in ``FIRST_YEAR`` to
    ``LAST_YEAR``, and gives the browser the same bounds (``min``, ``max``)."""

    def __init__(self, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> None:
        self.first, self.last = first, last
        # the widget writes them in the field's own format ("%Y-%m" for a month)
        self.field_flags = {"min": date(first, 1, 1), "max": date(last, 12, 31)}

    def __call__(self, form, field) -> None:
        if field.data is not None and not self.first <= field.data.year <= self.last:
            raise ValidationError(years_message(self.first, self.last))


_OPEN, _CLOSE = Markup('<option value="'), Markup("</option>")
_SELECTED, _NOT_SELECTED = Markup('" selected>'), Markup('">')


class RenderedChoices(list):
    """A select's choices (``SelectChoice``, no groups, no extra attributes) with the
    markup of their options rendered once, none selected.

    Build it once per version of the data (``versions.cached_read``) and assign it to a field
    whose widget is ``LongSelect``: rendering is then one string copy per request, with
    the field's value marked ``selected`` (its first option only). The choices must be
    those of the field's ``coerce`` type already (``int`` ids for ``coerce=int``).
    """

    def __init__(self, choices) -> None:
        super().__init__(choices)
        self.option_starts = {c.value: f'<option value="{escape(c.value)}"' for c in self}
        self.html = "".join(
            f"{self.option_starts[c.value]}>{escape(c.label if c.label is not None else c.value)}"
            "</option>"
            for c in self
        )

    def render(self, selected) -> str:
        """The options, with the one whose value is ``selected`` marked as such."""
        try:
            start = self.option_starts.get(selected)
        except TypeError:  # an unhashable value matches no choice
            start = None
        if start is None:
            return self.html
        return self.html.replace(f"{start}>", f"{start} selected>", 1)


class LongSelect(Select):
    """A select for hundreds of options (every supervisor of a city), rendered fast.

    WTForms builds each option's attributes through ``html_params``: 10 ms for 500
    supervisors, twice on the slot browser. Options without extra attributes are joined
    from escaped parts here (3 ms); choices given as ``RenderedChoices`` are copied from
    markup rendered once (well under 0.1 ms); everything else, and the ``<select>``, is
    WTForms'.
    """

    def __call__(self, field, **kwargs):
        choices = field.choices
        if not isinstance(choices, RenderedChoices) or self.multiple:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        select_params = html_params(name=field.name, **kwargs)
        # html_params escapes the attributes, RenderedChoices the values and labels
        options = choices.render(field.data)
        return Markup(f"<select {select_params}>{options}</select>")  # nosec B704  # noqa: S704

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        middle = _SELECTED if choice.selected else _NOT_SELECTED
        label = choice.label if choice.label is not None else choice.value
        return Markup("").join((_OPEN, escape(choice.value), middle, escape(label), _CLOSE))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@pass_context  # never folded into a constant when the template compiles: it is per locale
def clock(_context, hhmm: str) -> str:
    """The ``clock`` template filter: "09:00" → the reader's short time ("9.00" in Finnish)."""
    return format_time(dt_time.fromisoformat(hhmm), "short")
