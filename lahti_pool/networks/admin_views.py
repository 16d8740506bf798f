"""The administrator's side of the peer networks: create networks, the organisations
taking part, coordinators (a per-network role) and the link to the city's platform."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import is_row_id
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.networks import services
from lahti_pool.networks.forms import (
    NETWORK_KIND_LABELS,
    CoordinatorForm,
    NetworkForm,
    NetworkSettingsForm,
    OrganisationForm,
)
from lahti_pool.networks.models import NetworkCoordinator, NetworkKind, PeerNetwork
from lahti_pool.organisation.models import Organisation

bp = Blueprint("networks_admin", __name__, url_prefix="/admin/networks")


def _network_form() -> NetworkForm:
    form = NetworkForm()
    parents = db.session.scalars(
        select(PeerNetwork)
        .where(PeerNetwork.kind == NetworkKind.ORGANISATIONS)
        .order_by(PeerNetwork.name)
    ).all()
    form.parent_id.choices = [SelectChoice(0, _("None: the city's staff only"))] + [
        SelectChoice(p.id, p.name) for p in parents
    ]
    return form


def _network_or_404(network_id: int) -> PeerNetwork:
    network = db.session.get(PeerNetwork, network_id) if is_row_id(network_id) else None
    if network is None:
        abort(404)
    return network


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = _network_form()
    theme = request.args.get("theme", "").strip()[:200]
    if request.method == "GET" and theme:  # proposed by a needs survey (surveys/proposals.py)
        form.name.data, form.kind.data = theme, NetworkKind.THEMED.value
    if form.validate_on_submit():
        try:
            network = services.create_network(
                current_user,
                form.name.data,
                NetworkKind(form.kind.data),
                form.description.data or "",
                form.parent_id.data or None,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The network is created."), "success")
            return redirect(url_for("networks_admin.edit", network_id=network.id))
    networks = db.session.scalars(
        select(PeerNetwork).order_by(PeerNetwork.kind, PeerNetwork.name)
    ).all()
    status = 400 if request.method == "POST" else 200
    return render_template(
        "networks/admin_index.html", form=form, networks=networks, kinds=NETWORK_KIND_LABELS
    ), status


def _edit_page(network, settings=None, organisation=None, coordinator=None, status=200):
    settings = settings or NetworkSettingsForm(obj=network, formdata=None)
    organisation = organisation or OrganisationForm(formdata=None)
    taking_part = services.taking_part(network)
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)
    ).all()
    organisation.organisation_id.choices = [
        SelectChoice(o.id, o.name) for o in organisations if o.id not in taking_part
    ]
    coordinators = db.session.scalars(
        select(NetworkCoordinator).where(NetworkCoordinator.network_id == network.id)
    ).all()
    return render_template(
        "networks/admin_edit.html",
        network=network,
        settings=settings,
        organisation=organisation,
        coordinator=coordinator or CoordinatorForm(formdata=None),
        coordinators=coordinators,
        taking_part=[o for o in organisations if o.id in taking_part],
        kinds=NETWORK_KIND_LABELS,
    ), status


@bp.get("/<int:network_id>")
@roles_required(Role.ADMIN)
def edit(network_id: int):
    return _edit_page(_network_or_404(network_id))


@bp.post("/<int:network_id>")
@roles_required(Role.ADMIN)
def save(network_id: int):
    network = _network_or_404(network_id)
    form = NetworkSettingsForm()
    if form.validate():
        try:
            services.update_network(
                current_user, network, form.description.data or "", form.board_url.data or ""
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The network is saved."), "success")
            return redirect(url_for("networks_admin.edit", network_id=network.id))
    return _edit_page(network, settings=form, status=400)


@bp.post("/<int:network_id>/organisations")
@roles_required(Role.ADMIN)
def add_organisation(network_id: int):
    network = _network_or_404(network_id)
    form = OrganisationForm()
    form.organisation_id.choices = [  # the service says what is wrong with a choice
        SelectChoice(o_id, "") for o_id in db.session.scalars(select(Organisation.id))
    ]
    if form.validate():
        try:
            services.add_organisation(current_user, network, form.organisation_id.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The organisation takes part in the network."), "success")
            return redirect(url_for("networks_admin.edit", network_id=network.id))
    return _edit_page(network, organisation=form, status=400)


@bp.post("/<int:network_id>/coordinators")
@roles_required(Role.ADMIN)
def grant(network_id: int):
    network = _network_or_404(network_id)
    form = CoordinatorForm()
    if form.validate():
        try:
            user = services.grant_coordinator(current_user, network, form.email.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s now coordinates the network.", name=user.name), "success")
            return redirect(url_for("networks_admin.edit", network_id=network.id))
    return _edit_page(network, coordinator=form, status=400)


@bp.post("/<int:network_id>/coordinators/<int:user_id>/revoke")
@roles_required(Role.ADMIN)
def revoke(network_id: int, user_id: int):
    network = _network_or_404(network_id)
    try:
        services.revoke_coordinator(current_user, network, user_id)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("The coordinator's role is taken away."), "success")
    return redirect(url_for("networks_admin.edit", network_id=network.id))
