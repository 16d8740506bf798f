"""A user's private calendar feed of their sessions, and the page that manages its address."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lahti_pool.accounts.calendar_tokens import (
    renew_calendar_token,
    revoke_calendar_token,
    user_for_token,
)
from lahti_pool.core.mailer import absolute_url, recipient_locale
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.sessions.calendar import feed_ics

calendar_bp = Blueprint("calendar", __name__, url_prefix="/calendar")


@calendar_bp.get("/")
@login_required
def settings():
    return render_template("calendar/calendar_settings.html", feed_url=None)


@calendar_bp.post("/token")
@login_required
def create_token():
    """Show the new address on this one page: only a hash of its secret is kept."""
    token = renew_calendar_token(current_user)
    db.session.commit()
    flash(_("Your calendar has a new address; the old one no longer works."), "success")
    feed_url = absolute_url("calendar.feed", _fallback=None, token=token)
    return render_template("calendar/calendar_settings.html", feed_url=feed_url)


@calendar_bp.post("/token/revoke")
@login_required
def revoke_token():
    revoke_calendar_token(current_user)
    db.session.commit()
    flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("calendar.settings"))


@calendar_bp.get("/<token>.ics")
def feed(token: str):
    """The private feed: no login (calendar apps cannot log in); the token is the secret."""
    user = user_for_token(token)
    if user is None:
        abort(404)
    with force_locale(recipient_locale(user)):  # the owner's language, not the calendar app's
        ics = feed_ics(user, utcnow())
    response = Response(ics, mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="supervision.ics"'
    return response
