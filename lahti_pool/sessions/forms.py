"""Session forms and labels: they check the shape of input; the rules live in services."""

from datetime import date

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
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lahti_pool.core.contact import HttpsUrl
from lahti_pool.core.widgets import InYears, MultiCheckboxField
from lahti_pool.requests.labels import MODE_LABELS
from lahti_pool.requests.models import SchoolYear
from lahti_pool.sessions.models import ApprovalStatus, SessionStatus
from lahti_pool.sessions.rules import COVISION_OUTCOMES, LOGGABLE_OUTCOMES
from lahti_pool.sessions.services import LogInput, SessionInput

STATUS_LABELS = {
    SessionStatus.PLANNED: _l("Planned"),
    SessionStatus.HELD: _l("Held"),
    SessionStatus.NO_SHOW: _l("Client did not show up"),
    SessionStatus.LATE_CANCELLED: _l("Late cancellation by the client"),
    SessionStatus.CANCELLED: _l("Timely cancellation by the client"),
    SessionStatus.CANCELLED_BY_SUPERVISOR: _l("Cancelled by the supervisor"),
}
COVISION_STATUS_LABELS = {
    SessionStatus.HELD: _l("Held"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}
APPROVAL_LABELS = {
    ApprovalStatus.NOT_LOGGED: _l("Not logged"),
    ApprovalStatus.PENDING: _l("Waiting for approval"),
    ApprovalStatus.APPROVED: _l("Approved"),
    ApprovalStatus.RETURNED: _l("Returned for correction"),
}

DURATION = [InputRequired(), NumberRange(min=15, max=480)]


class PlanSessionForm(FlaskForm):
    on_date = DateField(_l("Date"), validators=[InputRequired(), InYears()])
    at = TimeField(_l("Start time"), validators=[InputRequired()])
    duration = IntegerField(_l("Duration in minutes"), validators=DURATION)
    mode = SelectField(
        _l("How you meet"), choices=[SelectChoice(m.value, lbl) for m, lbl in MODE_LABELS.items()]
    )
    place = StringField(
        _l("Place"),
        description=_l(
            "A room or an address. Logistics only; never write anything about the content here."
        ),
        validators=[Optional(), Length(max=300)],
    )
    video_url = StringField(
        _l("Video meeting link"),
        description=_l(
            "For a video session: the link the invitation, the confirmation and the reminder "
            "give. Empty: your own link from your presentation."
        ),
        validators=[Optional(), HttpsUrl()],
        render_kw={"inputmode": "url"},
    )
    host = SelectField(
        _l("Host"),
        description=_l("The member who arranges the venue; the plan of hosts can rotate them."),
        coerce=int,
        default=0,
        validate_choice=False,  # the service says why another person cannot host
    )
    venue = SelectField(_l("Venue"), coerce=int, default=0, validate_choice=False)
    is_covision = BooleanField(
        _l("Covision: a peer session led by the host, without the supervisor"),
        description=_l("Uses no sessions of the members' quota and costs nothing."),
    )
    override_reason = StringField(
        _l("Reason to exceed the budget (administrator)"),
        validators=[Optional(), Length(max=500)],
    )

    def keep_fields_shown(self, is_group: bool, is_admin: bool) -> None:
        """Drop the fields the page does not show, so that what a client posts in them is
        ignored rather than refused with an error nobody can see."""
        if not is_group:
            del self.host
            del self.venue
            del self.is_covision
        if not is_admin:
            del self.override_reason

    def as_input(self) -> SessionInput:
        return SessionInput(
            on_date=self.on_date.data,
            at=self.at.data,
            duration_minutes=self.duration.data,
            mode=self.mode.data,
            place=self.place.data or "",
            video_url=self.video_url.data or "",
            is_covision=bool(self.is_covision and self.is_covision.data),
            host_user_id=(self.host.data or None) if self.host else None,
            venue_id=(self.venue.data or None) if self.venue else None,
        )


class MoveSessionForm(FlaskForm):
    """A new local date and start time for a planned session."""

    on_date = DateField(_l("New date"), validators=[InputRequired(), InYears()])
    at = TimeField(_l("New start time"), validators=[InputRequired()])


class LogSessionForm(FlaskForm):
    outcome = SelectField(_l("What happened"))
    duration = IntegerField(_l("Duration in minutes"), validators=DURATION)
    attendees = MultiCheckboxField(_l("Who attended"), coerce=int)

    def set_choices(self, is_covision: bool, members) -> None:
        labels = COVISION_STATUS_LABELS if is_covision else STATUS_LABELS
        outcomes = COVISION_OUTCOMES if is_covision else LOGGABLE_OUTCOMES
        self.outcome.choices = [SelectChoice(s.value, labels[s]) for s in outcomes]
        self.attendees.choices = [SelectChoice(m.user_id, m.user.name) for m in members]

    def as_input(self) -> LogInput:
        return LogInput(
            outcome=SessionStatus(self.outcome.data),
            duration_minutes=self.duration.data,
            attendee_ids=frozenset(self.attendees.data or ()),
        )


class GoalsForm(FlaskForm):
    goals = TextAreaField(
        _l("Goals agreed at the first session"),
        description=_l(
            "Confidential: only the supervisor and the clients see this. Keep it short."
        ),
        validators=[Optional(), Length(max=2000)],
    )


class PracticeForm(FlaskForm):
    midpoint_on = DateField(_l("Mid-point review"), validators=[Optional(), InYears()])
    closing_on = DateField(
        _l("Closing evaluation"),
        description=_l("Setting it invites the clients to give feedback."),
        validators=[Optional(), InYears()],
    )


class ConfirmForm(FlaskForm):
    """A button that needs nothing but the CSRF token."""


class YearForm(FlaskForm):
    """The workspace's choice of school year (a GET form)."""

    class Meta:
        csrf = False

    year = SelectField(_l("School year"), coerce=int, validate_choice=False)

    def choose(self, years: list[SchoolYear], today: date) -> SchoolYear | None:
        """The year asked for; else the latest begun by ``today`` (``years`` latest first)."""
        self.year.choices = [SelectChoice(y.id, y.label) for y in years]
        chosen = {y.id: y for y in years}.get(self.year.data) if self.year.raw_data else None
        if chosen is None:
            begun = [y for y in years if y.starts_on <= today]
            chosen = begun[0] if begun else (years[-1] if years else None)
        self.year.data = chosen.id if chosen else None
        return chosen
