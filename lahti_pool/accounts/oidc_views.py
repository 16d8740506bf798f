"""Signing in with the city account (OpenID Connect), signing out of it, and the
administrator's sign-in policy. The protocol and the account rules are in accounts/oidc.py."""

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from sqlalchemy import delete, select
from wtforms import BooleanField

from lahti_pool.accounts import oidc, oidc_accounts
from lahti_pool.accounts.identities import ExternalIdentity, current_policy
from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.models import utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import is_safe_next
from lahti_pool.extensions import db
from lahti_pool.organisation.job_groups import LABELS as JOB_GROUP_LABELS
from lahti_pool.organisation.job_groups import JobGroup

bp = Blueprint("oidc", __name__)
bp.record_once(lambda state: oidc.check_config(state.app.config))

#: a sign-in left unfinished this long is refused when the provider's answer comes back
PENDING_SECONDS = 600
#: the longest ID token kept in the (4 kB) session cookie for the provider's sign-out
MAX_HINT_CHARS = 1800


def _callback_url() -> str:
    return url_for("oidc.callback", _external=True)


def _unavailable():
    return render_template(
        "auth/sso_unavailable.html", local_allowed=oidc.local_passwords_on()
    ), 503


@bp.get("/login/sso")
def start():
    """Leave for the provider with a fresh state, nonce and PKCE verifier."""
    if not oidc.is_enabled():
        abort(404)
    try:
        pending = oidc.begin(_callback_url())
    except oidc.ProviderUnavailable:
        return _unavailable()
    next_url = request.args.get("next")
    session["oidc_pending"] = {
        "state": pending.state,
        "nonce": pending.nonce,
        "code_verifier": pending.code_verifier,
        "next": next_url if is_safe_next(next_url) else None,
        "at": int(time.time()),
    }
    return redirect(pending.url)


@bp.get("/login/sso/callback")
def callback():
    """The provider's answer: check it, find the account, start a fresh session."""
    if not oidc.is_enabled():
        abort(404)
    # One use only: a second answer with the same state (a replay) finds nothing here.
    pending = session.pop("oidc_pending", None)
    if pending and time.time() - pending.get("at", 0) > PENDING_SECONDS:
        pending = None
    claims = None
    try:
        claims, id_token = oidc.fetch_id_token(pending or {}, request.args, _callback_url())
        user = oidc_accounts.account_for(claims)
    except oidc.ProviderUnavailable:
        db.session.rollback()
        return _unavailable()
    except oidc.SignInRefused as refused:
        db.session.rollback()  # nothing linked, nothing created
        oidc_accounts.record_refusal(refused.reason, claims)
        return render_template(
            "auth/sso_refused.html",
            message=_(refused.message),
            local_allowed=oidc.local_passwords_on(),
        ), refused.status
    db.session.commit()
    lang = session.get("lang")
    session.clear()  # no session fixation: a fresh session after login
    if lang:
        session["lang"] = lang
    login_user(user)
    session["login_at"] = session["seen_at"] = int(time.time())
    # The hint lets the provider end the right session without asking; a token too big
    # for the session cookie (Entra ID with many groups) is left out and the provider asks.
    session["oidc_signed_in"] = True
    if len(id_token) <= MAX_HINT_CHARS:
        session["oidc_id_token"] = id_token
    from lahti_pool.accounts.views import home_for

    next_url = pending.get("next") if pending else None
    return redirect(next_url if is_safe_next(next_url) else home_for(user))


@bp.get("/logged-out")
def signed_out():
    """After the pool's sign-out: offer the provider's, which ends the city-account session."""
    provider_url = session.pop("provider_logout", None)
    if not provider_url:
        return redirect(url_for("accounts.login"))
    return render_template("auth/logged_out.html", provider_url=provider_url)


def before_logout() -> str | None:
    """Called by the pool's logout before the session is cleared: the provider's sign-out
    URL when this session came through the provider, else None."""
    if not session.get("oidc_signed_in"):
        return None
    return oidc.provider_logout_url(
        session.get("oidc_id_token"), url_for("accounts.login", _external=True)
    )


# --- The administrator: the sign-in setting, a person's link ------------------------------


@bp.app_template_global()
def city_account(user_id: int) -> ExternalIdentity | None:
    """The user's link to the city account, for the administrator's user page."""
    return db.session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.user_id == user_id).limit(1)
    )


@bp.app_template_global()
def job_group_label(group: str) -> str:
    return _(JOB_GROUP_LABELS.get(group, JOB_GROUP_LABELS[JobGroup.OTHER]))


@bp.post("/admin/users/<int:user_id>/city-account/unlink")
@roles_required(Role.ADMIN)
def unlink(user_id: int):
    """Forget the user's link to the city account: their next sign-in links anew (say, after
    HR corrected a staff number that linked the wrong person)."""
    user = db.get_or_404(User, user_id)
    removed = db.session.execute(
        delete(ExternalIdentity).where(ExternalIdentity.user_id == user.id)
    ).rowcount
    if removed:
        user.session_version += 1  # whoever signed in through the old link is signed out
        audit.record(current_user, "user.sso_unlinked", user)
        db.session.commit()
        flash(_("The link to the city account is removed."), "success")
    return redirect(url_for("users.edit", user_id=user.id))


class SignInPolicyForm(FlaskForm):
    local_passwords = BooleanField(
        _l("Staff may also sign in with a password of the pool"),
        description=_l(
            "When off, only external (contracted) supervisors sign in with a password; "
            "everybody else signs in with the city account."
        ),
    )


@bp.route("/admin/sign-in", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def policy():
    policy = current_policy()
    # an unchecked box sends nothing: on a POST the form must not fall back to the stored value
    form = SignInPolicyForm(obj=policy if request.method == "GET" else None)
    enabled = oidc.is_enabled()
    if form.validate_on_submit():
        wanted = bool(form.local_passwords.data)
        if not wanted and not enabled:
            form.local_passwords.errors.append(
                _(
                    "Single sign-on is not configured: switching passwords off would "
                    "lock everybody but the external supervisors out."
                )
            )
        else:
            if policy.local_passwords != wanted:
                policy.local_passwords = wanted
                policy.changed_at, policy.changed_by_id = utcnow(), current_user.id
                db.session.add(policy)
                audit.record(current_user, "sign_in.policy_changed", local_passwords=wanted)
                db.session.commit()
            flash(_("The sign-in setting is saved."), "success")
            return redirect(url_for("oidc.policy"))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/sign_in_policy.html",
        form=form,
        enabled=enabled,
        provider=current_app.config.get("OIDC_ISSUER", ""),
    ), status
