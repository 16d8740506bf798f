"""Peer network forms: they check the shape of input; the rules live in rules.py."""

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

from lahti_pool.core.models import MAX_ROW_ID
from lahti_pool.core.widgets import InYears
from lahti_pool.networks.models import EventKind, NetworkKind
from lahti_pool.networks.rules import MAX_POST, MAX_REASON, EventInput

EVENT_KIND_LABELS = {
    EventKind.WEBINAR: _l("Webinar"),
    EventKind.WORKSHOP: _l("Workshop"),
    EventKind.SPARRING: _l("Sparring"),
    EventKind.DISCUSSION: _l("Discussion"),
}
NETWORK_KIND_LABELS = {
    NetworkKind.THEMED: _l("Themed peer network"),
    NetworkKind.ORGANISATIONS: _l("Network of organisations"),
}


class NetworkForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value, label) for k, label in NETWORK_KIND_LABELS.items()],
    )
    description = TextAreaField(
        _l("Theme and who it is for"), validators=[Optional(), Length(max=2000)]
    )
    parent_id = SelectField(_l("Network of organisations"), coerce=int, choices=[])


class NetworkSettingsForm(FlaskForm):
    description = TextAreaField(
        _l("Theme and who it is for"), validators=[Optional(), Length(max=2000)]
    )
    board_url = StringField(
        _l("The city's discussion platform"),
        description=_l(
            "An https:// address. When given, the network's board links there and nobody "
            "posts in this app."
        ),
        validators=[Optional(), Length(max=500)],
    )


class OrganisationForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int, choices=[])


class CoordinatorForm(FlaskForm):
    email = StringField(
        _l("Coordinator's e-mail address"), validators=[DataRequired(), Length(max=254)]
    )


class EventForm(FlaskForm):
    kind = SelectField(
        _l("Kind of event"),
        choices=[SelectChoice(k.value, label) for k, label in EVENT_KIND_LABELS.items()],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    on_date = DateField(_l("Date"), validators=[InputRequired(), InYears()])
    start_time = TimeField(
        _l("Start time"), description=_l("Finnish time."), validators=[InputRequired()]
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"), default=90, validators=[InputRequired(), NumberRange(0, 100_000)]
    )
    capacity = IntegerField(
        _l("Places"), default=20, validators=[InputRequired(), NumberRange(0, 100_000)]
    )
    venue_id = SelectField(_l("Venue"), coerce=int, choices=[])
    video_url = StringField(
        _l("Video link"),
        description=_l("For a webinar or a remote meeting; leave the venue empty."),
        validators=[Optional(), Length(max=500)],
    )
    description = TextAreaField(_l("Programme"), validators=[Optional(), Length(max=2000)])

    def as_input(self) -> EventInput:
        venue_id = self.venue_id.data
        return EventInput(
            kind=self.kind.data,
            title=self.title.data or "",
            on_date=self.on_date.data,
            at=self.start_time.data,
            duration_minutes=self.duration_minutes.data,
            capacity=self.capacity.data,
            venue_id=venue_id if venue_id and 0 < venue_id <= MAX_ROW_ID else None,
            video_url=self.video_url.data or "",
            description=self.description.data or "",
        )


class PostForm(FlaskForm):
    body = TextAreaField(
        _l("Message"),
        description=_l("Markdown: **bold**, *italic*, lists and links."),
        validators=[DataRequired(), Length(max=MAX_POST)],
    )
    parent_id = IntegerField(validators=[Optional(), NumberRange(1, MAX_ROW_ID)])


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason for hiding"),
        description=_l("The author and the members see it."),
        validators=[DataRequired(), Length(max=MAX_REASON)],
    )
