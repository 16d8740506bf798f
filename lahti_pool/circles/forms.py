"""The circles' forms: they check the shape of input; the rules live in rules/services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lahti_pool.circles.services import PlanInput
from lahti_pool.core.contact import HttpsUrl
from lahti_pool.core.widgets import InYears, MultiCheckboxField
from lahti_pool.requests.labels import LANGUAGE_LABELS, MODE_LABELS
from lahti_pool.requests.services import GroupRequestInput


class StartCircleForm(FlaskForm):
    name = StringField(_l("Name of the circle"), validators=[DataRequired(), Length(max=200)])


class PlanMeetingsForm(FlaskForm):
    first_day = DateField(_l("First meeting"), validators=[InputRequired(), InYears()])
    at = TimeField(_l("Start time"), validators=[InputRequired()])
    count = IntegerField(
        _l("Number of meetings"), default=1, validators=[InputRequired(), NumberRange(1, 12)]
    )
    every_weeks = IntegerField(
        _l("Every how many weeks"), default=4, validators=[InputRequired(), NumberRange(1, 26)]
    )
    duration = IntegerField(
        _l("Duration in minutes"), default=90, validators=[InputRequired(), NumberRange(15, 480)]
    )
    venue = SelectField(_l("Venue"), coerce=int, default=0)
    video_url = StringField(
        _l("Video meeting link"),
        description=_l("Give a venue, a video meeting link, or both."),
        validators=[Optional(), HttpsUrl()],
        render_kw={"inputmode": "url"},
    )

    def as_input(self) -> PlanInput:
        return PlanInput(
            first_day=self.first_day.data,
            at=self.at.data,
            count=self.count.data,
            every_weeks=self.every_weeks.data,
            duration_minutes=self.duration.data,
            venue_id=self.venue.data or None,
            video_url=self.video_url.data or "",
        )


class TopicForm(FlaskForm):
    topic = StringField(
        _l("Topic"),
        description=_l("A short title only: the case itself is never written here."),
        validators=[Optional(), Length(max=120)],
    )


class HostForm(FlaskForm):
    host = SelectField(_l("Host"), coerce=int)


class AttendanceForm(FlaskForm):
    attendees = MultiCheckboxField(_l("Who came"), coerce=int)


class ThemeForm(FlaskForm):
    text = TextAreaField(
        _l("The theme for management"),
        description=_l(
            "Write it so that nobody can be recognised: no names, no e-mail addresses. Every "
            "member of the group confirms it before it goes on."
        ),
        validators=[DataRequired(), Length(max=1000)],
    )


class SupervisorRequestForm(FlaskForm):
    """A group request for the same members (a circle's, or a closed group's renewal)."""

    school_year = SelectField(_l("School year"), coerce=int)
    sessions = IntegerField(
        _l("Number of sessions"), validators=[InputRequired(), NumberRange(min=1, max=50)]
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
    preferred_supervisor = SelectField(_l("Preferred supervisor"), coerce=int, default=0)

    def as_input(self) -> GroupRequestInput:
        return GroupRequestInput(
            school_year_id=self.school_year.data,
            sessions=self.sessions.data,
            modes=tuple(self.modes.data),
            language=self.language.data,
            wanted_from=self.wanted_from.data,
            preferred_supervisor_id=self.preferred_supervisor.data or None,
        )
