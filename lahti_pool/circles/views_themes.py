"""Themes passed upward: draft, confirm or decline, edit; the development services' list."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lahti_pool.accounts.models import Role
from lahti_pool.circles import forms, themes
from lahti_pool.circles.models import CovisionCircle, GroupKind, ThemeState, UpwardTheme
from lahti_pool.circles.views import bp
from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SupervisionProcess


def get_theme(theme_id: int) -> UpwardTheme:
    """The theme if the current user is a member of its group (403 otherwise, 404)."""
    theme = db.get_or_404(UpwardTheme, theme_id)
    if not themes.is_member(current_user, theme):
        abort(403)
    return theme


def _group(kind: str, group_id: int):
    model = {"process": SupervisionProcess, "circle": CovisionCircle}.get(kind)
    if model is None:
        abort(404)
    group = db.get_or_404(model, group_id)
    if not themes.can_raise(current_user, group):
        abort(403)
    return group


def _back(group) -> str:
    if isinstance(group, CovisionCircle):
        return url_for("circles.detail", circle_id=group.id)
    return url_for("sessions.process_detail", process_id=group.id)


@bp.route("/themes/new/<kind>/<int:group_id>", methods=["GET", "POST"])
@login_required
def new_theme(kind: str, group_id: int):
    group = _group(kind, group_id)
    form = forms.ThemeForm()
    if form.validate_on_submit():
        try:
            theme = themes.draft_theme(current_user, group, form.text.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The theme is drafted; the other members confirm it next."), "success")
            return redirect(url_for("circles.theme", theme_id=theme.id))
    status = 400 if request.method == "POST" else 200
    return render_template("circles/theme_new.html", form=form, back_url=_back(group)), status


def _theme_page(theme: UpwardTheme, form=None):
    members = themes.group_members(theme)
    return render_template(
        "circles/theme.html",
        theme=theme,
        members=members,
        form=form or forms.ThemeForm(formdata=None, text=theme.text),
        confirm_form=ConfirmActionForm(formdata=None),
        ThemeState=ThemeState,
        kind_label=kind_label,
    )


@bp.get("/themes/<int:theme_id>")
@login_required
def theme(theme_id: int):
    return _theme_page(get_theme(theme_id))


@bp.post("/themes/<int:theme_id>/edit")
@login_required
def edit_theme(theme_id: int):
    upward = get_theme(theme_id)
    form = forms.ThemeForm()
    if form.validate_on_submit():
        try:
            themes.edit_theme(current_user, upward, form.text.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The text is changed; every member confirms it again."), "success")
            return redirect(url_for("circles.theme", theme_id=theme_id))
    return _theme_page(upward, form), 400


@bp.post("/themes/<int:theme_id>/confirm")
@login_required
def confirm_theme(theme_id: int):
    upward = get_theme(theme_id)
    if ConfirmActionForm().validate_on_submit():
        try:
            passed = themes.confirm_theme(current_user, upward, date.today())
        except DomainError as error:
            show_domain_error(None, error)
        else:
            db.session.commit()
            if passed:
                flash(_("Everybody has confirmed: the theme goes to management."), "success")
            else:
                flash(_("You confirmed the theme."), "success")
    return redirect(url_for("circles.theme", theme_id=theme_id))


@bp.route("/themes/<int:theme_id>/decline", methods=["GET", "POST"])
@login_required
def decline_theme(theme_id: int):
    upward = get_theme(theme_id)
    if not ConfirmActionForm().is_confirmed():
        return confirmation_page(
            Confirmation(
                title=_("Decline the theme?"),
                what=_("The theme stops here: it does not go to management."),
                button=_("Yes, decline the theme"),
                back_url=url_for("circles.theme", theme_id=theme_id),
                back_label=_("No, go back"),
            )
        )
    try:
        themes.decline_theme(current_user, upward)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("You declined the theme; it goes no further."), "success")
    return redirect(url_for("circles.theme", theme_id=theme_id))


def kind_label(kind: GroupKind) -> str:
    if kind == GroupKind.COVISION_CIRCLE:
        return _("A covision circle")
    return _("A supervision group")


@bp.get("/themes/passed")
@roles_required(Role.REPORTS, Role.ADMIN)
def passed_themes():
    return render_template(
        "circles/themes_passed.html", rows=themes.passed_themes(), kind_label=kind_label
    )
