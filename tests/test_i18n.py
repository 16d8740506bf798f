"""Every user-facing string is translated into Finnish, Swedish and English; a person's
language follows their choice, then their sign-in provider, then their browser."""

import re
import subprocess
import sys
from pathlib import Path

import flask
import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "lahti_pool" / "translations"


def _extract(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            # babel skips folders starting with "_" by default: templates/_macros is one
            "--ignore-dirs=.*",
            "-k",
            "_l",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_catalogue_translates_every_string_in_the_code(tmp_path, lang):
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f)
    translated = {}
    for m in catalogue:
        if not m.id or m.fuzzy:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if all(strings):
            translated[m.id if isinstance(m.id, str) else m.id[0]] = strings
    missing = sorted(_extract(tmp_path) - set(translated))
    assert not missing, f"{len(missing)} strings lack a {lang} translation, e.g. {missing[:5]}"
    for msgid, strings in translated.items():
        wanted = set(re.findall(r"%\((\w+)\)s", msgid))
        for s in strings:
            assert set(re.findall(r"%\((\w+)\)s", s)) == wanted, (lang, msgid, s)


def test_pages_follow_the_browser_language(client):
    fi = client.get("/login", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
    sv = client.get("/login", headers={"Accept-Language": "sv-FI,sv;q=0.9,fi;q=0.8"})
    en = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="fi">' in fi.get_data(as_text=True)
    assert "Kirjaudu sisään" in fi.get_data(as_text=True)
    assert '<html lang="sv">' in sv.get_data(as_text=True)
    assert "Logga in" in sv.get_data(as_text=True)
    assert '<html lang="en">' in en.get_data(as_text=True)
    assert "Log in" in en.get_data(as_text=True)


def test_the_language_picker_offers_the_other_two_languages(client):
    """Each button is named in its own language and marked with it for screen readers."""
    buttons = {
        lang: re.findall(
            r'<button[^>]*name="lang" value="(\w+)" lang="(\w+)">([^<]+)</button>',
            client.get("/login", headers={"Accept-Language": lang}).get_data(as_text=True),
        )
        for lang in ("fi", "sv", "en")
    }
    assert buttons == {
        "fi": [("sv", "sv", "På svenska"), ("en", "en", "In English")],
        "sv": [("fi", "fi", "Suomeksi"), ("en", "en", "In English")],
        "en": [("fi", "fi", "Suomeksi"), ("sv", "sv", "På svenska")],
    }
    response = client.post("/language", data={"lang": "sv", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Har du glömt ditt lösenord?" in page


def test_language_switch_overrides_the_browser_and_is_remembered(client, staff, school_year):
    client.login(staff)
    response = client.post("/language", data={"lang": "fi", "next": "/dashboard"})
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fi">' in page
    from lahti_pool.extensions import db

    db.session.refresh(staff)
    assert staff.locale == "fi"


def test_dates_are_formatted_for_the_locale(client, staff, school_year):
    client.login(staff)
    fi = client.get("/dashboard", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    sv = client.get("/dashboard", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    en = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    start = school_year.starts_on
    assert f"{start.day}.{start.month}.{start.year}" in fi
    # Swedish as written in Finland (Babel's sv_FI); Sweden's would be 2026-08-01
    assert f"{start.day} aug. {start.year}" in sv
    assert start.isoformat() not in sv
    assert f"Aug {start.day}, {start.year}" in en


def test_a_swedish_speakers_pages_are_in_swedish_whatever_the_browser(client, staff, school_year):
    from lahti_pool.extensions import db

    staff.locale = "sv"
    db.session.commit()
    client.login(staff)
    page = client.get("/dashboard", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Min arbetshandledning" in page and "Logga ut" in page
    assert "Kirjaudu ulos" not in page
    start, end = school_year.starts_on, school_year.ends_on
    assert f"Läsåret pågår {start.day} aug. {start.year}–{end.day} juli {end.year}." in page


@pytest.mark.parametrize(
    ("chosen", "claim", "browser", "expected"),
    [
        ("", "sv-FI", "en", "sv"),  # no choice: the provider's claim before the browser
        ("fi", "sv-FI", "en", "fi"),  # the person's choice before the claim
        ("", "de-DE", "en", "en"),  # a language the app lacks: the browser's
        ("", None, "sv-SE,sv", "sv"),  # no claim: the browser's
    ],
)
def test_language_follows_the_choice_then_the_providers_claim_then_the_browser(
    app, client, staff, school_year, chosen, claim, browser, expected
):
    """``remember_provider_locale`` is the hook the OpenID Connect sign-in calls with the
    ID token's ``locale`` claim."""
    from lahti_pool.core.i18n import remember_provider_locale
    from lahti_pool.extensions import db

    staff.locale = chosen
    db.session.commit()
    client.login(staff)
    with app.test_request_context():  # as the sign-in's callback would, in its request
        remember_provider_locale(claim)
        remembered = dict(flask.session)
    with client.session_transaction() as session:
        session.update(remembered)
    page = client.get("/dashboard", headers={"Accept-Language": browser})
    assert f'<html lang="{expected}">' in page.get_data(as_text=True)


def test_the_request_cached_catalogue_follows_force_locale(app):
    """The catalogue is looked up once per request, but an e-mail written in the
    recipient's language (``force_locale``) inside a Finnish request is still English, and
    the page around it still Finnish: in Python, in lazy strings and in templates."""
    from flask_babel import force_locale, gettext, lazy_gettext

    lazy = lazy_gettext("Log out")
    template = app.jinja_env.from_string("{{ _('Log out') }}")
    with app.test_request_context("/", headers={"Accept-Language": "fi"}):
        finnish = [gettext("Log out"), str(lazy), template.render()]
        with force_locale("en"):
            english = [gettext("Log out"), str(lazy), template.render()]
        after = [gettext("Log out"), str(lazy), template.render()]
    assert finnish == after == ["Kirjaudu ulos"] * 3
    assert english == ["Log out"] * 3
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert [gettext("Log out"), str(lazy), template.render()] == ["Log out"] * 3


@pytest.mark.parametrize(
    ("field", "value", "finnish", "swedish"),
    [
        ("at", "25:00", "Anna kellonaika muodossa tt:mm", "Ange klockslaget i formen tt:mm"),
        (
            "mode",
            "teleport",
            "'teleport' ei ole vaihtoehto tässä kentässä",
            "'teleport' är inte ett giltigt val för detta fält",
        ),
        ("name", "", "Pakollinen.", "Det här fältet är obligatoriskt."),  # WTForms' own
    ],
)
def test_wtforms_own_messages_are_in_finnish_and_swedish(app, field, value, finnish, swedish):
    """WTForms' Finnish catalogue lacks "Not a valid time value." and has the invalid
    choice only as fuzzy: the app's catalogue fills them in. Its Swedish one is found for
    the app's Swedish (Babel's sv_FI)."""
    from flask_wtf import FlaskForm
    from wtforms import SelectChoice, SelectMultipleField, StringField, TimeField
    from wtforms.validators import InputRequired

    class Form(FlaskForm):
        class Meta:
            csrf = False

        at = TimeField()
        mode = SelectMultipleField(choices=[SelectChoice("video", "video")])
        name = StringField(validators=[InputRequired()])

    for lang, expected in (("fi", finnish), ("sv", swedish), ("en", None)):
        with app.test_request_context(
            "/", method="POST", data={"name": "x", field: value}, headers={"Accept-Language": lang}
        ):
            form = Form()
            assert not form.validate()
            (message,) = form.errors[field]
            if expected:
                assert message.startswith(expected), message
            else:
                assert "valid" in message or "required" in message, message


def test_swedish_numbers_times_and_money_are_written_as_in_finland(app):
    """Babel's sv_FI: a comma for decimals, a space for thousands, "14.05" for a time."""
    from datetime import UTC, datetime

    from flask_babel import format_currency, format_datetime, format_decimal

    with app.test_request_context("/", headers={"Accept-Language": "sv-FI"}):
        moment = datetime(2026, 12, 7, 12, 5, tzinfo=UTC)  # 14.05 in Helsinki
        assert format_datetime(moment, "short") == "7.12.2026 14.05"
        assert format_decimal(1234.5) == "1\xa0234,5"
        assert format_currency(1234.5, "EUR") == "1\xa0234,50\xa0€"


def test_every_app_context_translates_through_the_request_cached_domain(app):
    """A CLI command or a job (an app context without a request) and a request alike."""
    from flask_babel import get_domain

    from lahti_pool.core.i18n import RequestCachedDomain

    with app.app_context():
        assert isinstance(get_domain(), RequestCachedDomain)
    with app.test_request_context("/"):
        assert isinstance(get_domain(), RequestCachedDomain)


def test_the_app_reaches_into_no_private_name_of_its_libraries():
    """Private names (``_cv_app``, ``g._flask_babel``) change without notice in any release;
    the lock file pins versions, but an upgrade must not break the app silently."""
    import ast
    from pathlib import Path

    import lahti_pool

    libraries = ("flask", "flask_babel", "werkzeug", "babel", "wtforms", "sqlalchemy", "jinja2")
    private = {"_flask_babel", "domain_instance", "_cv_app", "_cv_request"}
    found = []
    for path in Path(lahti_pool.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(libraries):
                hidden = [a.name for a in node.names if a.name.startswith("_")]
                if hidden or any(p.startswith("_") for p in node.module.split(".")):
                    found.append(f"{path.name}: from {node.module} import {hidden}")
            elif isinstance(node, ast.Attribute) and node.attr in private:
                found.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert found == []
