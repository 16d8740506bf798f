from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from lahti_pool.feedback.services import FeedbackInput

SCALE = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


def _rating(label):
    return RadioField(label, choices=SCALE, validators=[InputRequired()], coerce=int)


class FeedbackForm(FlaskForm):
    usefulness = _rating(_l("How useful was the session for your work? (1 = not at all, 5 = very)"))
    atmosphere = _rating(_l("How safe and confidential did the session feel? (1–5)"))
    arrangements = _rating(_l("How well did the practical arrangements work? (1–5)"))
    availability = _rating(
        _l("How easy was it to get supervision when you needed it? (1 = very hard, 5 = very easy)")
    )
    comment = TextAreaField(
        _l("Anything else? (optional)"),
        description=_l("Do not write names. Comments are shown only in groups of five or more."),
        validators=[Optional(), Length(max=2000)],
    )

    def as_input(self) -> FeedbackInput:
        return FeedbackInput(
            self.usefulness.data,
            self.atmosphere.data,
            self.arrangements.data,
            self.comment.data or "",
            self.availability.data,
        )


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form

    by = SelectField(
        _l("Group by"),
        choices=[
            SelectChoice("division", _l("Division")),
            SelectChoice("supervisor", _l("Supervisor")),
            SelectChoice("month", _l("Month")),
            SelectChoice("kind", _l("Kind of supervision")),
        ],
        default="division",
    )
    #: the terms whose feedback has closed (lahti_pool/feedback/rules.py), set by the view
    term = SelectField(_l("Term"), choices=[])
