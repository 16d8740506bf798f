"""Forms of the nudges: the administrator's message to a unit's managers, and stopping."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lahti_pool.nudges.uptake import MAX_BODY, MAX_SUBJECT


class UnitMessageForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=MAX_SUBJECT)])
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description=_l(
            "Plain text; a blank line starts a new paragraph. The e-mail adds a link to the "
            "app and a link to stop these messages."
        ),
        render_kw={"rows": 12},
    )
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send to the managers"))


class StopForm(FlaskForm):
    """A button: a link alone would be followed by mail scanners that open every link."""
