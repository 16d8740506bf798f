"""Translations looked up once per request and locale instead of once per string.

Flask-Babel resolves the locale and its catalogue on every ``gettext``, lazy string and
template ``_()``: about 12 µs each, which a 50-row table with a few labels per row pays
hundreds of times. :class:`RequestCachedDomain` keeps the catalogue it found on the
request's ``g``, together with the locale object it was found for. ``force_locale`` (the
e-mails go out in the recipient's language) swaps that object in Flask-Babel's context,
so the next lookup sees another object and looks the catalogue up again.
"""

import functools
from pathlib import Path

from babel import support
from flask import Flask, Request, current_app, session
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_babel, get_locale, gettext, ngettext
from werkzeug.utils import cached_property
from wtforms.i18n import messages_path

_KEY = "_lahti_translations"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

#: the Babel locale each language is shown in, where it is not the language itself: Swedish
#: as written in Finland ("7.12.2026", "14.05"; plain "sv" gives Sweden's "2026-12-07").
#: Its catalogue is still ``translations/sv`` (and WTForms' ``sv``): Babel falls back.
BABEL_LOCALES = {"sv": "sv_FI"}
#: the session key for the language the sign-in provider's ``locale`` claim names
PROVIDER_LANGUAGE = "provider_lang"


def babel_locale(language: str) -> str:
    """The Babel locale of one of the app's languages ("sv" → "sv_FI")."""
    return BABEL_LOCALES.get(language, language)


def language_of(tag: str | None) -> str | None:
    """One of the app's ``LANGUAGES`` for a language tag ("sv-FI", "sv_SE", "EN"), or None."""
    language = (tag or "").replace("_", "-").split("-")[0].strip().lower()
    return language if language in current_app.config["LANGUAGES"] else None


def remember_provider_locale(claim: str | None) -> None:
    """At sign-in through a provider: pages follow its ``locale`` claim while the person has
    chosen no language (``User.locale`` empty), before the browser's Accept-Language."""
    language = language_of(claim)
    if language:
        session[PROVIDER_LANGUAGE] = language
    else:
        session.pop(PROVIDER_LANGUAGE, None)


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


@functools.cache
def wtforms_translations(locale: str):
    """WTForms' own catalogue for the locale, with the app's filling its gaps.

    WTForms' Finnish catalogue leaves a few of its messages untranslated or fuzzy (so left
    out when compiled): "Not a valid time value." and the invalid-choice message among
    them, which showed in English on Finnish pages. The app's catalogue has them
    (:func:`_wtforms_gaps`), and is merged over WTForms' once per worker and locale.
    """
    theirs = support.Translations.load(messages_path(), [locale], domain="wtforms")
    ours = support.Translations.load(str(TRANSLATIONS), [locale])
    if isinstance(theirs, support.Translations) and isinstance(ours, support.Translations):
        theirs.merge(ours)
        return theirs
    return ours if isinstance(ours, support.Translations) else theirs


def _wtforms_gaps() -> None:  # pragma: no cover - never called: read by pybabel extract
    """WTForms' messages its Finnish catalogue lacks, for the app's catalogue to translate."""
    gettext("Not a valid time value.")
    gettext("Not a valid week value.")
    gettext("This field cannot be edited.")
    gettext("This field is disabled and cannot have a value.")
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    )
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    )


class AppRequest(Request):
    @cached_property
    def wtforms_translations(self):
        """Flask-WTF translates WTForms' messages with this attribute of the request when it
        is set (``flask_wtf.i18n``); looked up only when a form has something to say."""
        return wtforms_translations(str(get_locale()))


def install(app: Flask, babel: Babel) -> None:
    """Make :class:`RequestCachedDomain` the app's domain and the templates' (after
    ``babel.init_app``).

    ``Babel.domain_instance`` is a cached property, so setting it on the instance is how
    a domain of one's own is put in its place.
    """
    app.request_class = AppRequest
    domain = babel.domain_instance = RequestCachedDomain(domain=get_babel(app).default_domain)
    # The templates' _() as Flask-Babel installs it, minus its per-call domain lookup.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
