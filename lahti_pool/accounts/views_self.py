"""The person's own account pages."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from lahti_pool.accounts import self_service
from lahti_pool.accounts.forms import EmailChangeForm, PasswordChangeForm
from lahti_pool.core.errors import DomainError
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(password_form=None, email_form=None, status=200):
    return (
        render_template(
            "auth/account.html",
            password_form=password_form or PasswordChangeForm(),
            email_form=email_form or EmailChangeForm(),
        ),
        status,
    )


@bp.get("/")
@login_required
def index():
    return _page()


def _change(form, change, success):
    if form.validate_on_submit():
        try:
            change(form)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            # This session carries the new session version; the others end.
            login_user(current_user._get_current_object())
            flash(success, "success")
            return redirect(url_for("account.index"))
    return None


@bp.post("/password")
@login_required
def password():
    form = PasswordChangeForm()
    done = _change(
        form,
        lambda f: self_service.change_password(
            current_user, f.current_password.data, f.new_password.data
        ),
        _("Your password is changed. Your other sessions have ended."),
    )
    return done or _page(password_form=form, status=400)


@bp.post("/email")
@login_required
def email():
    form = EmailChangeForm()
    done = _change(
        form,
        lambda f: self_service.change_email(current_user, f.current_password.data, f.email.data),
        _("Your e-mail address is changed."),
    )
    return done or _page(email_form=form, status=400)


@bp.get("/data.json")
@login_required
def data_json():
    return Response(
        self_service.personal_data_json(current_user),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@bp.get("/data.csv")
@login_required
def data_csv():
    return Response(
        self_service.personal_data_csv(current_user, get_locale().language),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="my-data.csv"'},
    )
