"""Hosting forms: they check the shape of input; the rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from lahti_pool.hosting.services import PlanRow, VenueInput


class VenueForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    address = StringField(
        _l("Address"),
        description=_l("Street address and town, as the invitations give it."),
        validators=[Optional(), Length(max=300)],
    )
    accessibility_note = TextAreaField(
        _l("Accessibility"),
        description=_l(
            "Step-free access, a hearing loop, parking, how to find the room. "
            "Invitations carry this."
        ),
        validators=[Optional(), Length(max=1000)],
    )
    organisation = SelectField(
        _l("Organisation"),
        description=_l("Whose venue it is; none for the city's and for special venues."),
        coerce=int,
        default=0,
    )
    is_active = BooleanField(_l("In use"), default=True)

    def as_input(self) -> VenueInput:
        return VenueInput(
            name=self.name.data or "",
            address=self.address.data or "",
            accessibility_note=self.accessibility_note.data or "",
            organisation_id=self.organisation.data or None,
            is_active=bool(self.is_active.data),
        )


class PlanForm(FlaskForm):
    """The plan's buttons; each row is a ``PlanRowForm`` with its own prefix."""


class PlanRowForm(FlaskForm):
    """One meeting of the plan: its host and venue (0 for none)."""

    class Meta:
        csrf = False  # the page's PlanForm carries the token

    # a value outside the lists reaches the service, which says what is wrong with it
    host = SelectField(_l("Host"), coerce=int, default=0, validate_choice=False)
    venue = SelectField(_l("Venue"), coerce=int, default=0, validate_choice=False)

    def as_row(self, session_id: int) -> PlanRow:
        return PlanRow(session_id, self.host.data or None, self.venue.data or None)
