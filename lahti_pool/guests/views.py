"""Guest organisations' pages: the administrator's list, add and edit (with the budget
of its division), its officials (invite, send the link again, deactivate: also its
contact person's), and a guest official's own page of their groups."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget import queries as budget_queries
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.core.widgets import FIRST_YEAR, LAST_YEAR
from lahti_pool.extensions import db
from lahti_pool.feedback import services as feedback_services
from lahti_pool.guests import membership, services
from lahti_pool.guests.forms import EditOrganisationForm, OfficialForm, OrganisationForm
from lahti_pool.organisation.models import Organisation
from lahti_pool.requests import queries as request_queries

bp = Blueprint("guests", __name__)


def today() -> date:
    return date.today()


def get_organisation(org_id: int, officials: bool = False) -> Organisation:
    """The organisation, for the administrator (or, with ``officials``, its contact person).

    :raises 404: no such organisation
    :raises 403: the user may not manage it
    """
    org = db.get_or_404(Organisation, org_id)
    allowed = services.can_manage_officials if officials else lambda u, o: u.has_role(Role.ADMIN)
    if not allowed(current_user, org):
        abort(403)
    return org


def get_official(org: Organisation, user_id: int) -> User:
    """One of the organisation's officials, or 404."""
    user = db.get_or_404(User, user_id)
    if user not in services.officials(org):
        abort(404)
    return user


@bp.get("/admin/organisations")
@roles_required(Role.ADMIN)
def index():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("guests/organisations.html", orgs=orgs)


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.add_organisation(current_user, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The organisation is added. Set its budget and invite its officials."), "success"
            )
            return redirect(url_for("guests.edit", org_id=org.id))
    return render_template("guests/organisation_form.html", form=form, org=None)


@bp.route("/admin/organisations/<int:org_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(org_id: int):
    org = get_organisation(org_id)
    form = EditOrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            services.update_organisation(current_user, org, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("guests.edit", org_id=org.id))
    year = request.args.get("year", type=int) or today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = today().year
    division = services.division_of(org)
    return render_template(
        "guests/organisation_form.html",
        form=form,
        org=org,
        division=division,
        year=year,
        totals=budget_queries.totals(year).get(division.id),
        officials=services.officials(org),
        invite_form=OfficialForm(prefix="official"),
    )


@bp.get("/organisations/<int:org_id>/officials")
@roles_required(Role.ADMIN, Role.GUEST)
def officials(org_id: int):
    org = get_organisation(org_id, officials=True)
    return _officials_page(org, OfficialForm(prefix="official"))


def _officials_page(org: Organisation, form: OfficialForm):
    return render_template(
        "guests/officials.html", org=org, officials=services.officials(org), invite_form=form
    )


def _back(org: Organisation):
    if current_user.has_role(Role.ADMIN):
        return redirect(url_for("guests.edit", org_id=org.id))
    return redirect(url_for("guests.officials", org_id=org.id))


@bp.post("/organisations/<int:org_id>/officials")
@roles_required(Role.ADMIN, Role.GUEST)
def invite(org_id: int):
    org = get_organisation(org_id, officials=True)
    form = OfficialForm(prefix="official")
    if form.validate_on_submit():
        try:
            user = services.invite_official(current_user, org, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is invited: a link to set a password went to %(email)s.",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            return _back(org)
    return _officials_page(org, form), 400


@bp.post("/organisations/<int:org_id>/officials/<int:user_id>/link")
@roles_required(Role.ADMIN, Role.GUEST)
def resend(org_id: int, user_id: int):
    return _act(org_id, user_id, services.resend_invitation, _("The link is sent again."))


@bp.post("/organisations/<int:org_id>/officials/<int:user_id>/deactivate")
@roles_required(Role.ADMIN, Role.GUEST)
def deactivate(org_id: int, user_id: int):
    return _act(org_id, user_id, services.deactivate_official, _("The account is deactivated."))


def _act(org_id: int, user_id: int, action, done: str):
    org = get_organisation(org_id, officials=True)
    user = get_official(org, user_id)
    try:
        action(current_user, org, user)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(done, "success")
    return _back(org)


@bp.get("/my-groups")
@roles_required(Role.GUEST)
def home():
    mine = request_queries.dashboard_requests(current_user)
    org_id = membership.own_organisation_id(current_user)
    org = db.session.get(Organisation, org_id) if org_id is not None else None
    return render_template(
        "guests/home.html",
        org=org,
        manages=org is not None and services.can_manage_officials(current_user, org),
        requests=mine,
        invitations=[r for r in mine if r.can_decline_membership(current_user)],
        feedback=feedback_services.open_invitations(current_user, today()),
    )
