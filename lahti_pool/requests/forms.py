"""Request forms: they check the shape of input; the rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lahti_pool.core.widgets import InYears, MultiCheckboxField
from lahti_pool.requests.labels import LANGUAGE_LABELS, MODE_LABELS
from lahti_pool.requests.services import GroupRequestInput, RequestInput


class RequestForm(FlaskForm):
    school_year = SelectField(_l("School year"), coerce=int)
    sessions = IntegerField(
        _l("Number of sessions"),
        validators=[InputRequired(), NumberRange(min=1, max=50)],
    )
    modes = MultiCheckboxField(
        _l("How you can meet"),
        choices=[SelectChoice(m.value, label) for m, label in MODE_LABELS.items()],
        validators=[DataRequired(message=_l("Choose at least one way to meet."))],
    )
    language = SelectField(
        _l("Language of supervision"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        default="fi",
    )
    wanted_from = DateField(_l("Earliest start date"), validators=[InputRequired(), InYears()])
    times_that_suit = TextAreaField(
        _l("Days and times that suit you"),
        description=_l("For example: Tuesday and Thursday afternoons."),
        validators=[Optional(), Length(max=500)],
    )
    preferred_supervisor = SelectField(_l("Preferred supervisor"), coerce=int, default=0)
    continue_previous = BooleanField(_l("I would like to continue with my previous supervisor"))
    answer_1 = TextAreaField(validators=[Optional(), Length(max=2000)])
    answer_2 = TextAreaField(validators=[Optional(), Length(max=2000)])
    answer_3 = TextAreaField(validators=[Optional(), Length(max=2000)])

    def answers(self) -> dict[int, str]:
        return {i: (getattr(self, f"answer_{i}").data or "") for i in (1, 2, 3)}

    def as_input(self) -> RequestInput:
        return RequestInput(**self._common())

    def _common(self) -> dict:
        return {
            "school_year_id": self.school_year.data,
            "sessions": self.sessions.data,
            "modes": tuple(self.modes.data),
            "language": self.language.data,
            "wanted_from": self.wanted_from.data,
            "times_that_suit": self.times_that_suit.data or "",
            "preferred_supervisor_id": self.preferred_supervisor.data or None,
            "continue_previous": self.continue_previous.data,
            "answers": self.answers(),
        }


class GroupRequestForm(RequestForm):
    group_name = StringField(
        _l("Name of the group"),
        description=_l("For example: Kivimaa school special needs team."),
        validators=[DataRequired(), Length(max=200)],
    )
    members = TextAreaField(
        _l("Colleagues' e-mail addresses"),
        description=_l("One address per line. You are included as the organiser."),
        validators=[DataRequired(), Length(max=5000)],
    )
    #: guest organisations taking part beside the city (the view fills the choices)
    organisations = MultiCheckboxField(
        _l("Other organisations taking part"),
        description=_l(
            "The officials of the organisations chosen here may be named as members, "
            "beside the city's staff."
        ),
        coerce=int,
        choices=[],
    )

    def as_input(self) -> GroupRequestInput:
        emails = tuple(line.strip() for line in self.members.data.replace(",", "\n").splitlines())
        return GroupRequestInput(
            **self._common(),
            group_name=self.group_name.data,
            member_emails=emails,
            organisation_ids=tuple(self.organisations.data or ()),
        )


class TeamRequestForm(GroupRequestForm):
    """A unit manager's order for members of their unit; the manager is not a member."""

    members = TextAreaField(
        _l("Team members' e-mail addresses"),
        description=_l(
            "One address per line, members of your own unit. You are not a member of the group "
            "and none of your own sessions are used."
        ),
        validators=[DataRequired(), Length(max=5000)],
    )


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class QuotaForm(FlaskForm):
    quota = IntegerField(
        _l("Sessions per person"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )


def _question_fields(cls):
    for i in (1, 2, 3):
        label_fi = _l("Question %(n)s in Finnish", n=i)
        label_en = _l("Question %(n)s in English", n=i)
        setattr(
            cls, f"text_fi_{i}", StringField(label_fi, validators=[DataRequired(), Length(max=500)])
        )
        setattr(
            cls, f"text_en_{i}", StringField(label_en, validators=[DataRequired(), Length(max=500)])
        )
    return cls


@_question_fields
class PreQuestionsForm(FlaskForm):
    """The three pre-questions in both languages."""

    def texts(self) -> dict[int, tuple[str, str]]:
        return {
            i: (getattr(self, f"text_fi_{i}").data, getattr(self, f"text_en_{i}").data)
            for i in (1, 2, 3)
        }
