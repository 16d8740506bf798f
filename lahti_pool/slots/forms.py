"""On-duty slot forms: they check the shape of input; the rules live in slot_rules."""

import re
from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from lahti_pool.core.contact import PhoneNumber
from lahti_pool.core.models import MAX_ROW_ID
from lahti_pool.core.widgets import InYears, LongSelect, MultiCheckboxField
from lahti_pool.requests.labels import LANGUAGE_LABELS, MODE_LABELS
from lahti_pool.slots.rules import SLOT_MODES, SlotPattern
from lahti_pool.slots.services import SlotFilters, SlotInput

WEEKDAY_LABELS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def mode_choices() -> list[SelectChoice]:
    return [SelectChoice(m, MODE_LABELS[m]) for m in SLOT_MODES]


def parse_times(text: str) -> tuple[time, ...]:
    """ "9:00, 13.30" → (time(9), time(13, 30)); ValueError on anything else."""
    parts = [p.strip() for p in re.split(r"[,;\s]+", text or "") if p.strip()]
    found = [_TIME.match(p) for p in parts]
    if not parts or not all(found):
        raise ValueError(text)
    return tuple(sorted({time(int(m[1]), int(m[2])) for m in found}))


class SlotForm(FlaskForm):
    on_date = DateField(_l("Date"), validators=[InputRequired(), InYears()])
    start_time = TimeField(
        _l("Start time"),
        description=_l("Finnish time. The slot lasts an hour."),
        validators=[InputRequired()],
    )
    mode = SelectField(_l("How you meet"), choices=mode_choices)

    def as_input(self) -> SlotInput:
        return SlotInput(self.on_date.data, self.start_time.data, self.mode.data)


class PatternForm(FlaskForm):
    first_day = DateField(_l("First day"), validators=[InputRequired(), InYears()])
    last_day = DateField(_l("Last day"), validators=[InputRequired(), InYears()])
    weekdays = MultiCheckboxField(
        _l("Weekdays"),
        coerce=int,
        choices=[SelectChoice(i, label) for i, label in enumerate(WEEKDAY_LABELS)],
        validators=[DataRequired(message=_l("Choose at least one weekday."))],
    )
    times = StringField(
        _l("Start times"),
        description=_l(
            "Finnish time, separated by commas, for example 9:00, 13:00. Each slot lasts an hour."
        ),
        validators=[DataRequired(), Length(max=200)],
    )
    mode = SelectField(_l("How you meet"), choices=mode_choices)

    def validate_times(self, field) -> None:
        try:
            parse_times(field.data)
        except ValueError:
            raise ValidationError(
                _l("Write times as hours and minutes, e.g. 9:00, 13:30.")
            ) from None

    def as_input(self) -> SlotPattern:
        return SlotPattern(
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            weekdays=frozenset(self.weekdays.data),
            times=parse_times(self.times.data),
            mode=self.mode.data,
        )


class AbsenceForm(FlaskForm):
    starts_on = DateField(_l("Away from"), validators=[InputRequired(), InYears()])
    ends_on = DateField(_l("Away until"), validators=[InputRequired(), InYears()])


def _question_fields(cls):
    for i in (1, 2, 3):  # labels are the administrator's texts, set by the view
        setattr(cls, f"answer_{i}", TextAreaField(validators=[DataRequired(), Length(max=2000)]))
    return cls


@_question_fields
class BookForm(FlaskForm):
    """The three pre-questions and, for a phone slot, the number to call; they go to the
    supervisor only."""

    phone = StringField(
        _l("Phone number the supervisor calls"),
        description=_l(
            "Only the supervisor of this session sees it; it is deleted with your answers."
        ),
        validators=[Optional(), Length(max=40), PhoneNumber()],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )

    def answers(self) -> dict[int, str]:
        return {i: (getattr(self, f"answer_{i}").data or "").strip() for i in (1, 2, 3)}


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class MoveForm(FlaskForm):
    """The free slot a booking moves to (the view sets the choices)."""

    target = RadioField(
        _l("New time"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose the new time."))],
    )


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form for browsing

    day = DateField(_l("Day"), validators=[Optional(), InYears()])
    supervisor = SelectField(
        _l("Supervisor"), coerce=int, default=0, validate_choice=False, widget=LongSelect()
    )
    mode = SelectField(
        _l("How you meet"),
        choices=lambda: [SelectChoice("", _l("Any"))] + mode_choices(),
        default="",
    )
    language = SelectField(
        _l("Language"),
        choices=lambda: (
            [SelectChoice("", _l("Any"))]
            + [SelectChoice(c, label) for c, label in LANGUAGE_LABELS.items()]
        ),
        default="",
    )

    def as_input(self) -> SlotFilters:
        if not self.validate():
            return SlotFilters()
        return SlotFilters(
            self.day.data, self.supervisor.data or None, self.mode.data, self.language.data
        )

    def args(self) -> dict[str, str]:
        """The filters as URL arguments, for the pager's links."""
        return {k: v for k, v in self.data.items() if v}


class WatchForm(FlaskForm):
    """Used with ``prefix="watch"`` beside the filter form, whose fields share the names."""

    on_date = DateField(_l("Day"), validators=[Optional(), InYears()])
    supervisor = SelectField(
        _l("Supervisor"), coerce=int, default=0, validate_choice=False, widget=LongSelect()
    )

    def validate_supervisor(self, field) -> None:
        # an id no row can have (0: any supervisor); the database cannot even bind some
        if field.data is not None and not 0 <= field.data <= MAX_ROW_ID:
            raise ValidationError(_("Choose a supervisor from the list."))


class UtilisationForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form for a report

    start = DateField(_l("From"), validators=[Optional(), InYears()])
    end = DateField(_l("To"), validators=[Optional(), InYears()])
    supervisor = SelectField(
        _l("Supervisor"), coerce=int, default=0, validate_choice=False, widget=LongSelect()
    )
