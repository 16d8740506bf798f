"""Translations looked up once per request and locale instead of once per string.

Flask-Babel resolves the locale and its catalogue on every ``gettext``, lazy string and
template ``_()``: about 12 µs each, which a 50-row table with a few labels per row pays
hundreds of times. :class:`RequestCachedDomain` keeps the catalogue it found together
with the locale object it was found for. Flask-Babel makes a new locale object for each
request (its locale selector's answer) and for each ``force_locale`` (the e-mails go out
in the recipient's language), and ``get_locale()`` returns the same object until one of
them changes it: so the catalogue is looked up once per request and locale.

Only public APIs of Flask and Flask-Babel: a ``Domain`` subclass (its documented
extension point), ``get_locale``, ``Domain.as_default`` on every app context (Flask's
``appcontext_pushed`` signal), and Babel's ``Translations.merge``.
"""

import functools
import threading
from pathlib import Path

from babel import support
from flask import Flask, Request, appcontext_pushed, current_app, session
from flask_babel import Babel, Domain, get_babel, get_locale, gettext, ngettext
from werkzeug.utils import cached_property
from wtforms.i18n import messages_path

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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per thread: the locale object last asked for and its catalogue. Holding the
        # object keeps it alive, so ``is`` cannot match another request's locale.
        self._last = threading.local()

    def get_translations(self):
        locale = get_locale()  # None outside an app context
        last = getattr(self._last, "pair", None)
        if last is not None and last[0] is locale and locale is not None:
            return last[1]
        translations = super().get_translations()
        if locale is not None:
            self._last.pair = (locale, translations)
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
    """Make :class:`RequestCachedDomain` the domain of every app context of ``app`` (a
    request, a CLI command, a job) and the templates' (after ``babel.init_app``)."""
    app.request_class = AppRequest
    domain = RequestCachedDomain(domain=get_babel(app).default_domain)

    def use_domain(sender: Flask, **_extra) -> None:
        domain.as_default()  # Flask-Babel's gettext, lazy strings and formats use it

    # Held by the app: blinker keeps only a weak reference to a receiver.
    app.extensions["lahti_pool_i18n"] = use_domain
    appcontext_pushed.connect(use_domain, app)
    # The templates' _() as Flask-Babel installs it, minus its per-call domain lookup.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
