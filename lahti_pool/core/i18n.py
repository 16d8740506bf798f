"""Translations looked up once per request and locale instead of once per string.

Flask-Babel resolves the locale and its catalogue on every ``gettext``, lazy string and
template ``_()``: about 12 µs each, which a 50-row table with a few labels per row pays
hundreds of times. :class:`RequestCachedDomain` keeps the catalogue it found on the
request's ``g``, together with the locale object it was found for. ``force_locale`` (the
e-mails go out in the recipient's language) swaps that object in Flask-Babel's context,
so the next lookup sees another object and looks the catalogue up again.
"""

from flask import Flask
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_babel

_KEY = "_lahti_translations"


class RequestCachedDomain(Domain):
    def get_translations(self):
        app_ctx = _cv_app.get(None)
        if app_ctx is None:  # outside any app context: Flask-Babel's null translations
            return super().get_translations()
        store = app_ctx.g.__dict__
        locale = getattr(store.get("_flask_babel"), "babel_locale", None)
        cached = store.get(_KEY)
        if cached is not None and locale is not None and cached[0] is locale:
            return cached[1]
        translations = super().get_translations()  # resolves the locale when not yet done
        store[_KEY] = (getattr(store.get("_flask_babel"), "babel_locale", None), translations)
        return translations


def install(app: Flask, babel: Babel) -> None:
    """Make :class:`RequestCachedDomain` the app's domain and the templates' (after
    ``babel.init_app``).

    ``Babel.domain_instance`` is a cached property, so setting it on the instance is how
    a domain of one's own is put in its place.
    """
    domain = babel.domain_instance = RequestCachedDomain(domain=get_babel(app).default_domain)
    # The templates' _() as Flask-Babel installs it, minus its per-call domain lookup.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
