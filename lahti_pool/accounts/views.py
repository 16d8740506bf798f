"""Login, logout, the language switch, and setting a password through a one-time link."""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select, update

from lahti_pool.accounts import login_addresses, oidc
from lahti_pool.accounts.addresses import lookup_form
from lahti_pool.accounts.email_changes import (
    ChangeLinkRefused,
    check_change_link,
    use_change_link,
)
from lahti_pool.accounts.forms import ForgotPasswordForm, LanguageForm, LoginForm, SetPasswordForm
from lahti_pool.accounts.models import Role
from lahti_pool.accounts.oidc_views import before_logout
from lahti_pool.accounts.password_links import (
    REPLACED,
    LinkRefused,
    check_link,
    set_password_by_link,
)
from lahti_pool.accounts.services import authenticate, request_password_reset
from lahti_pool.core import audit
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import paginate
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import Notification
from lahti_pool.core.views import is_safe_next, show_domain_error
from lahti_pool.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def home_for(user) -> str:
    """Where a user lands after login: the page of their main role."""
    if user.has_role(Role.ADMIN):
        return url_for("requests.admin_overview")
    if user.has_role(Role.STAFF):
        return url_for("requests.dashboard")
    if user.has_role(Role.GUEST):
        return url_for("guests.home")
    if user.has_role(Role.SUPERVISOR):
        return url_for("sessions.workspace")
    if user.has_role(Role.REPORTS):
        return url_for("site.reports_home")
    return url_for("accounts.welcome")


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("accounts.login"))


@bp.get("/welcome")
def welcome():
    """The landing page for roles whose own pages come with later features."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("auth/welcome.html")


def _account_key() -> str:
    """Throttle per account name as typed, so unknown and known accounts answer alike;
    an address the account has signed in from before counts apart from all others, so
    that failures elsewhere do not lock the person out (accounts/login_addresses.py)."""
    email = lookup_form(request.form.get("email") or "")
    address = get_remote_address()
    if login_addresses.is_known(email, address):
        return f"login:{email}:from:{login_addresses.address_hash(address)}"
    return "login:" + email


def _failed(response) -> bool:
    return response.status_code != 302  # a successful login redirects


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
)
def login():
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and not oidc.may_use_local_password(user):
            db.session.rollback()  # the administrator switched staff passwords off
            audit.record(user, "login.failed", reason="local_passwords_off")
            user = None
        if user is not None:
            login_addresses.remember(user, get_remote_address())
        db.session.commit()
        if user is not None:
            session.clear()  # no session fixation: a fresh session after login
            login_user(user)
            session["login_at"] = session["seen_at"] = int(time.time())
            return redirect(next_url if is_safe_next(next_url) else home_for(user))
        # The same answer whether the address is unknown or the password wrong.
        form.password.errors.append(_("Wrong e-mail address or password."))
    return render_template(
        "auth/login.html",
        form=form,
        sso=oidc.is_enabled(),
        local_passwords=oidc.local_passwords_on(),
        provider_name=current_app.config["OIDC_PROVIDER_NAME"],
    )


def _fresh_session() -> None:
    """Log out and forget the session, keeping only the chosen language."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # A copy of this session's cookie is refused from now on (web.load_user);
        # the person's sessions on other devices end with it.
        current_user.session_version += 1
        db.session.commit()
    provider_logout = before_logout()  # signed in with the city account: offer its sign-out
    _fresh_session()
    flash(_("You have logged out."), "info")
    if provider_logout:
        session["provider_logout"] = provider_logout
        return redirect(url_for("oidc.signed_out"))
    return redirect(url_for("accounts.login"))


# --- Setting a password through a one-time link (accounts/password_links.py) -------------


def _limit(name: str) -> str:
    """The forgot-password limit, or the login's when the pool sets none of its own."""
    config = current_app.config
    return config.get(f"PASSWORD_LINK_LIMIT_PER_{name}") or config[f"LOGIN_LIMIT_PER_{name}"]


def _reset_key() -> str:
    """Throttle per address as typed, so unknown and known addresses answer alike."""
    return "password-link:" + lookup_form(request.form.get("email") or "")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("ADDRESS"), methods=["POST"])
@limiter.limit(lambda: _limit("ACCOUNT"), methods=["POST"], key_func=_reset_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            _("If the address has an account, a link is on its way. It works for 24 hours."), "info"
        )
        return redirect(url_for("accounts.login"))
    return render_template("auth/password_forgot.html", form=form)


def _link_refused(error: LinkRefused):
    session.pop("password_link", None)
    return render_template("auth/password_link_refused.html", message=error.message), error.status


@bp.get("/password/link/<token>")
def password_link(token: str):
    """Check the e-mailed link, keep its token in the session and continue at an address
    without it (so that the token is in no later request's path, form or referrer)."""
    try:
        check_link(token)
    except LinkRefused as error:
        return _link_refused(error)
    session["password_link"] = token
    return redirect(url_for("accounts.set_password"))


@bp.route("/password/new", methods=["GET", "POST"])
def set_password():
    token = session.get("password_link") or ""
    try:
        link = check_link(token)
    except LinkRefused as error:
        return _link_refused(error)
    form = SetPasswordForm()
    if form.is_submitted() and form.account.data != str(link.user.id):
        # Another link was opened in this browser after this form: its token is in the
        # session now, and this password was typed for somebody else's account.
        return _link_refused(LinkRefused(REPLACED, 409))
    form.account.data = str(link.user.id)
    if form.validate_on_submit():
        try:
            set_password_by_link(token, form.new_password.data)
        except LinkRefused as error:
            db.session.rollback()
            return _link_refused(error)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            _fresh_session()  # whoever was logged in here, the person logs in anew
            flash(_("Your password is set. You can now log in with it."), "success")
            return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("auth/password_set.html", form=form, link=link), status


# --- An administrator's change of an address: confirm or stop (accounts/email_changes.py)


@bp.route("/email/change/<token>", methods=["GET", "POST"])
def email_change(token: str):
    """The new address confirms, or the old one stops, an administrator's change. A GET
    only shows what the button does: a mail scanner opening the link changes nothing."""
    try:
        change, action = check_change_link(token)
        if request.method == "POST":  # CSRFProtect has checked the token already
            use_change_link(token)
            db.session.commit()
            return render_template("auth/email_change_done.html", change=change, action=action)
    except ChangeLinkRefused as error:
        db.session.rollback()
        return render_template("auth/password_link_refused.html", message=error.message), (
            error.status
        )
    except DomainError as error:
        db.session.rollback()
        return render_template("auth/password_link_refused.html", message=error.message), 409
    return render_template("auth/email_change.html", change=change, action=action)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("accounts.index"))


@bp.get("/notifications")
@login_required
def notifications():
    page = paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        per_page=30,
    )
    return render_template("auth/notifications.html", page=page)


@bp.post("/notifications/read")
@login_required
def notifications_read():
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("accounts.notifications"))
