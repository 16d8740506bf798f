"""Translated texts for budget warnings, and money as the pages show it."""

import functools

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from lahti_pool.core.money import format_euros
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division


def budget_warning_text(warning) -> str:
    """E.g. "The budget of Basic education is 85 % used." (needs a request context)."""
    if warning.division_id is None:
        return _("The pool's budget is %(percent)s %% used.", percent=warning.percent)
    division = db.session.get(Division, warning.division_id)
    return _(
        "The budget of %(division)s is %(percent)s %% used.",
        division=division.name(str(get_locale())),
        percent=warning.percent,
    )


@functools.lru_cache(maxsize=8192)
def _euros_text(locale: str, cents: int) -> str:
    return format_euros(cents, locale)


def euros_texts():
    """``cents`` → ``format_euros(cents)`` in the request's locale, formatted once per
    worker, locale and amount: lists show the same prices and sums again and again."""
    return functools.partial(_euros_text, str(get_locale()))


@functools.lru_cache(maxsize=8192)
def _money_markup(locale: str, cents: int | None) -> Markup:
    if cents is None:
        return Markup("–")
    return Markup('<data value="{}">{}</data>').format(cents, _euros_text(locale, cents))


def money_markups():
    """``cents`` → ``<data value="cents">1 234,50 €</data>`` (or "–" for None) in the
    request's locale: the budget page's 140 amounts, each made once per worker."""
    return functools.partial(_money_markup, str(get_locale()))


#: how a group across organisations shares its cost (budget/costkey.py CostKey)
COST_KEY_LABELS = {
    "attendance": _l("By attendance: each division pays for its attending members"),
    "equal": _l("Equal per organisation"),
    "shares": _l("Fixed shares per organisation (percentages that add up to 100 %)"),
}
