"""The administrator's user management: list, create, edit, (de)activate, and send a
link to set a password (the administrator never sets or sees a password)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from lahti_pool.accounts.email_changes import open_change
from lahti_pool.accounts.forms import UserForm
from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.accounts.services import (
    UserInput,
    create_user,
    send_link_by_admin,
    set_active,
    update_user,
)
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import paginate
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit

bp = Blueprint("users", __name__, url_prefix="/admin/users")

ROLE_FIELDS = {
    Role.STAFF: "role_staff",
    Role.SUPERVISOR: "role_supervisor",
    Role.ADMIN: "role_admin",
    Role.REPORTS: "role_reports",
    Role.MANAGER: "role_manager",
    Role.GUEST: "role_guest",
}


def get_user(user_id: int) -> User:
    """The user, or 404."""
    return db.get_or_404(User, user_id)


def _form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    units = db.session.execute(select(Unit.id, Unit.name).order_by(Unit.name)).all()
    form.unit.choices = [SelectChoice(0, _("— no unit —"))] + [
        SelectChoice(u.id, u.name) for u in units
    ]
    if user is not None and request.method == "GET":
        form.unit.data = user.unit_id or 0
        for role, name in ROLE_FIELDS.items():
            getattr(form, name).data = role in user.roles
    return form


def _input(form: UserForm) -> UserInput:
    return UserInput(
        email=form.email.data,
        name=form.name.data,
        job_title=form.job_title.data or "",
        unit_id=form.unit.data or None,
        roles=frozenset(r for r, name in ROLE_FIELDS.items() if getattr(form, name).data),
    )


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    query = (
        select(User)
        .options(selectinload(User.unit), selectinload(User.role_rows))
        .order_by(User.name, User.id)
    )
    if q:
        # autoescape: a "_" or "%" typed in the search is that character, not a wildcard
        query = query.where(
            or_(
                func.lower(User.name).contains(q.lower(), autoescape=True),
                func.lower(User.email).contains(q.lower(), autoescape=True),
            )
        )
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    page = paginate(query, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role, roles=list(Role))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = _form()
    if form.validate_on_submit():
        try:
            user = create_user(current_user, _input(form), invite=True)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "User %(name)s created. They get an e-mail with a link to set a password.",
                    name=user.name,
                ),
                "success",
            )
            return redirect(url_for("users.index"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int):
    user = get_user(user_id)
    form = _form(user)
    if form.validate_on_submit():
        try:
            update_user(current_user, user, _input(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes to %(name)s saved.", name=user.name), "success")
            change = open_change(user)
            if change is not None:
                flash(
                    _(
                        "The new e-mail address %(email)s takes effect when it is confirmed "
                        "through the link sent to it; the old address was told.",
                        email=change.new_email,
                    ),
                    "info",
                )
            return redirect(url_for("users.index"))
    return render_template("admin/user_form.html", form=form, user=user, pending=open_change(user))


@bp.post("/<int:user_id>/active")
@roles_required(Role.ADMIN)
def toggle_active(user_id: int):
    user = get_user(user_id)  # CSRFProtect has checked the token already
    try:
        set_active(current_user, user, not user.is_active_account)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        if user.is_active_account:
            flash(_("%(name)s can log in again.", name=user.name), "success")
        else:
            flash(_("%(name)s is deactivated and logged out.", name=user.name), "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/password-link")
@roles_required(Role.ADMIN)
def send_password_link(user_id: int):
    user = get_user(user_id)  # CSRFProtect has checked the token already
    try:
        send_link_by_admin(current_user, user)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(
            _("A link to set a password is on its way to %(email)s.", email=user.email), "success"
        )
    return redirect(url_for("users.edit", user_id=user.id))
