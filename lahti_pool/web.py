"""Web wiring: blueprints, locale, login loading, error pages, template helpers."""

import functools
import logging
import time

from flask import (
    Flask,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import DataError, SQLAlchemyError
from sqlalchemy.orm import joinedload

from lahti_pool.core import money, widgets
from lahti_pool.core.errors import is_number_out_of_range
from lahti_pool.extensions import db, login_manager
from lahti_pool.features import BLUEPRINTS, NAVIGATION, REGISTERING_MODULES

log = logging.getLogger(__name__)


def select_locale() -> str:
    """The person's language as a Babel locale: the one chosen in this browser or stored on
    their account, then their sign-in provider's ``locale`` claim, then the browser's."""
    from flask import current_app

    from lahti_pool.core.i18n import babel_locale

    config = current_app.config
    if not has_request_context():  # CLI commands and background jobs
        return babel_locale(config["BABEL_DEFAULT_LOCALE"])
    languages = config["LANGUAGES"]
    chosen = (lang for lang in _languages_in_order(languages) if lang in languages)
    return babel_locale(next(chosen, config["BABEL_DEFAULT_LOCALE"]))


def _languages_in_order(languages):
    from lahti_pool.core.i18n import PROVIDER_LANGUAGE

    yield session.get("lang")
    if current_user and current_user.is_authenticated:
        yield current_user.locale
        yield session.get(PROVIDER_LANGUAGE)
    yield request.accept_languages.best_match(languages)


@functools.cache
def _user_statement():
    """One statement for the user, the roles and the unread count for the navigation (three
    cost more than many a page's own). Built once: building one costs more than running it."""
    from lahti_pool.accounts.models import User
    from lahti_pool.core.notifications import Notification

    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    return (
        select(User, unread)
        .options(joinedload(User.role_rows))
        .where(User.id == bindparam("user_id"))
    )


@login_manager.user_loader
def load_user(user_key: str):
    """Load a user from the session; an old session version or inactive account logs out."""
    try:
        user_id, version = (int(part) for part in user_key.split(":", 1))
    except ValueError:
        return None
    row = db.session.execute(_user_statement(), {"user_id": user_id}).unique().first()
    user = row[0] if row else None
    if user is None or not user.is_active or user.session_version != version:
        # A cookie from before a logout, a password change or a deactivation.
        from lahti_pool.core import audit

        audit.record_now(user.id if user else None, "session.refused", reason="stale session")
        session.pop("_user_id", None)  # logged once, not on every later request
        return None
    g.unread = row[1]
    return user


def _unread_notifications() -> int:
    from lahti_pool.core.notifications import Notification

    if not current_user.is_authenticated:
        return 0
    if "unread" not in g:  # a user logged in during this request, or an error page
        try:
            g.unread = db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            )
        except SQLAlchemyError:  # the error page must render even when the database fails
            db.session.rollback()
            g.unread = 0
    return g.unread


def _mail_stall():
    """For an administrator, e-mail that has not moved for a while (one statement), so that
    every page of theirs says so; None for everybody else and on the outbox itself."""
    if not current_user.is_authenticated or not current_user.has_role("admin"):
        return None
    if request.endpoint == "mail.outbox":  # the page explains it itself
        return None
    from lahti_pool.core.models import utcnow
    from lahti_pool.mail.services import mail_stall

    try:
        return mail_stall(utcnow())
    except SQLAlchemyError:  # the error page must render even when the database fails
        db.session.rollback()
        return None


_navigation_cache: dict[tuple, list[tuple[str, str, str]]] = {}


def navigation_links() -> list[tuple[str, str, str]]:
    """The logged-in user's links as (endpoint, URL, label), made once per worker for each
    set of roles and language (the layout is on every page; building each link with
    ``url_for`` and a translation every time cost more than many a page's own content)."""
    roles = frozenset(current_user.roles)
    key = (roles, str(get_locale()), request.script_root)
    links = _navigation_cache.get(key)
    if links is None:
        links = _navigation_cache[key] = [
            (endpoint, url_for(endpoint), str(label))
            for who, endpoint, label in NAVIGATION
            if who is None or roles.intersection(who)
        ]
    return links


def init_app(app: Flask) -> None:
    import importlib

    for module, attribute in BLUEPRINTS:
        app.register_blueprint(getattr(importlib.import_module(module), attribute))
    for module in REGISTERING_MODULES:
        importlib.import_module(module)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from lahti_pool.accounts.forms import ROLE_LABELS
    from lahti_pool.core.notifications import notification_link, notification_text
    from lahti_pool.matching import labels as matching_labels
    from lahti_pool.requests import labels
    from lahti_pool.service_pages.services import written_pages

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["euros"] = money.format_euros
    app.jinja_env.filters["clock"] = widgets.clock
    app.jinja_env.filters["mode_label"] = lambda m: str(labels.MODE_LABELS.get(m, m))
    app.jinja_env.filters["role_label"] = lambda r: str(ROLE_LABELS.get(r, r))
    app.jinja_env.filters["language_label"] = lambda c: str(labels.LANGUAGE_LABELS.get(c, c))

    app.jinja_env.globals.update(
        reason_label=matching_labels.reason_label,
        rule_label=lambda r: str(matching_labels.RULE_LABELS.get(r, r)),
        policy_label=lambda p: str(matching_labels.POLICY_LABELS.get(p, p)),
        assignment_status_label=lambda s: str(matching_labels.ASSIGNMENT_LABELS.get(s, s)),
        offer_response_label=lambda s: str(matching_labels.OFFER_RESPONSE_LABELS.get(s, s)),
        notification_text=notification_text,
        notification_link=notification_link,
        status_label=labels.status_label,
        own_status_label=labels.own_status_label,
        own_next_step=labels.own_next_step,
        labels=labels,
        service_page_links=lambda: written_pages(get_locale().language),
    )

    @app.context_processor
    def template_helpers():
        return {
            # the language ("sv"), not the Babel locale ("sv_FI"): <html lang>, choices
            "current_locale": get_locale().language,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_time": format_time,
            "format_decimal": format_decimal,
            "unread_notifications": _unread_notifications,
            "mail_stall": _mail_stall,
            "navigation_links": navigation_links,
        }

    @app.before_request
    def session_timeouts():
        """Log out after ``IDLE_TIMEOUT_MINUTES`` idle or ``ABSOLUTE_TIMEOUT_HOURS`` in all."""
        if not current_user.is_authenticated:
            return None
        now = int(time.time())
        started = session.setdefault("login_at", now)
        last = session.get("seen_at", now)
        idle = now - last > app.config["IDLE_TIMEOUT_MINUTES"] * 60
        too_long = now - started > app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
        if idle or too_long:
            logout_user()
            session.clear()
            flash(_l("Your session ended; please log in again."), "info")
            return redirect(url_for("accounts.login", next=request.full_path))
        if "seen_at" not in session or now - last >= 30:  # not a new cookie on every request
            session["seen_at"] = now
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # The legacy XSS auditor is off, as OWASP advises: it opened leaks of its own, and
        # the CSP below (no inline script) is what stops XSS.
        response.headers.setdefault("X-XSS-Protection", "0")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        if current_user and current_user.is_authenticated:
            # Pages behind login may show personal data: never keep them in a cache.
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

    def error_page(status: int, message: str | None = None):
        return render_template(f"errors/{status}.html", message=message), status

    def refused(status: int, action: str, message: str | None = None):
        from lahti_pool.core import audit

        db.session.rollback()
        actor = current_user if current_user and current_user.is_authenticated else None
        audit.record(actor, action, None, endpoint=request.endpoint or "", path=request.path)
        db.session.commit()
        return error_page(status, message)

    @app.before_request
    def refuse_nul_characters():
        """A NUL character in the address or a form is refused (400) before any view runs:
        no text a person types holds one, and PostgreSQL can neither store nor compare it
        (the view's query would fail with a server error instead)."""
        sent = [request.path]
        for values in (request.args, request.form):
            for key, value in values.items(multi=True):
                sent += [key, value]
        if any("\x00" in text for text in sent):
            return error_page(400)
        return None

    app.register_error_handler(403, lambda e: refused(403, "access.denied"))
    for status in (404, 405, 413):
        app.register_error_handler(status, lambda e, status=status: error_page(status))

    @app.errorhandler(429)
    def too_many(error):
        from lahti_pool.core import audit

        audit.record(None, "throttled", None, endpoint=request.endpoint or "")
        db.session.commit()
        return error_page(429)

    app.register_error_handler(CSRFError, lambda e: refused(400, "csrf.refused", "csrf"))

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(error):
        """A value too large for the database or a date (a 20-digit number in the address,
        a year past 9999), where no form caught it: 400 with a message to correct it.

        SQLite raises OverflowError for a number past 64 bits, PostgreSQL a DataError for
        one past its column ("integer out of range"); the page shows neither the SQL nor
        the value."""
        db.session.rollback()
        log.warning("%s refused on %s: %s", request.method, request.endpoint, type(error).__name__)
        too_large = isinstance(error, OverflowError) or is_number_out_of_range(error)
        return error_page(400, "too_large" if too_large else "bad_value")

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return error_page(500)
