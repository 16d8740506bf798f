from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class YearForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form for a report

    #: the school years that have started, set by the view
    year = SelectField(_l("School year"), choices=[])
