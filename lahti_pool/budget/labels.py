"""Translated texts for budget warnings."""

from flask_babel import gettext as _

from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division


def budget_warning_text(warning) -> str:
    """E.g. "The budget of Basic education is 85 % used." (needs a request context)."""
    from flask_babel import get_locale

    if warning.division_id is None:
        return _("The pool's budget is %(percent)s %% used.", percent=warning.percent)
    division = db.session.get(Division, warning.division_id)
    return _(
        "The budget of %(division)s is %(percent)s %% used.",
        division=division.name(str(get_locale())),
        percent=warning.percent,
    )
