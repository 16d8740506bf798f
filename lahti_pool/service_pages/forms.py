"""The administrator's form for one service page in one language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lahti_pool.service_pages.render import MAX_BODY


class ServicePageForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Text"),
        validators=[Length(max=MAX_BODY)],
        description=_l(
            "Markdown: a blank line between paragraphs, ## for a heading, - for a list item, "
            "[text](https://address) for a link. HTML is shown as text."
        ),
        render_kw={"rows": 18},
    )
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))
