"""Venues (the administrator's) and the plan of a group process's hosts."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.hosting import forms, services
from lahti_pool.hosting.labels import host_checklist
from lahti_pool.organisation.models import Organisation, Venue
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.logistics import host_choices
from lahti_pool.sessions.models import ProcessStatus, SupervisionProcess

bp = Blueprint("hosting", __name__)
bp.add_app_template_global(host_checklist, "host_checklist")


# --- Venues ---------------------------------------------------------------------------


@bp.get("/admin/venues")
@roles_required(Role.ADMIN)
def venues():
    rows = db.session.scalars(select(Venue).order_by(Venue.is_active.desc(), Venue.name)).all()
    return render_template("hosting/venues.html", venues=rows)


@bp.route("/admin/venues/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def venue_new():
    return _venue_page(None)


@bp.route("/admin/venues/<int:venue_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def venue_edit(venue_id: int):
    return _venue_page(db.get_or_404(Venue, venue_id))


def _venue_page(venue: Venue | None):
    form = forms.VenueForm(obj=venue)
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = [(0, _("None: the city's, or a special venue"))] + [
        (o.id, o.name) for o in organisations
    ]
    if request.method == "GET" and venue is not None:
        form.organisation.data = venue.organisation_id or 0
    if form.validate_on_submit():
        try:
            services.save_venue(current_user, venue, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The venue is saved."), "success")
            return redirect(url_for("hosting.venues"))
    status = 400 if form.errors else 200
    return render_template("hosting/venue_form.html", form=form, venue=venue), status


# --- The plan of hosts ----------------------------------------------------------------


def get_process(process_id: int) -> SupervisionProcess:
    """The process if the current user may see its plan of hosts.

    :raises 404: no such process, or not a group
    :raises 403: neither its supervisor, one of its members, nor the administrator
    """
    process = db.get_or_404(SupervisionProcess, process_id)
    if process.kind != RequestKind.GROUP:
        abort(404)
    if not services.can_see_plan(current_user, process):
        abort(403)
    return process


@bp.route("/processes/<int:process_id>/hosts", methods=["GET", "POST"])
@login_required
def plan(process_id: int):
    process = get_process(process_id)
    editable = (
        services.can_edit_plan(current_user, process) and process.status == ProcessStatus.ACTIVE
    )
    if request.method == "POST" and not editable:
        abort(403)
    form, sessions = forms.PlanForm(), services.planned_sessions(process)
    proposing = request.form.get("action") == "propose"
    if proposing and form.validate_on_submit():
        proposal = {p.session_id: p for p in services.propose_plan(process)}
        rows = [
            _row_form(s.id, proposal[s.id].host_user_id, proposal[s.id].venue_id) for s in sessions
        ]
        flash(_("A fair rotation is proposed below: check it, change any row, and save."), "info")
    else:
        rows = [_row_form(s.id, s.host_user_id, s.venue_id, request.form) for s in sessions]
    _set_choices(process, rows, sessions)
    if not proposing and form.validate_on_submit() and all(r.validate() for r in rows):
        rows_in = [r.as_row(s.id) for r, s in zip(rows, sessions, strict=True)]
        try:
            changed = services.save_plan(current_user, process, rows_in)
        except DomainError as error:
            show_domain_error(None, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The plan of hosts is saved; %(num)s session changed.",
                    "The plan of hosts is saved; %(num)s sessions changed.",
                    changed,
                ),
                "success",
            )
            return redirect(url_for("hosting.plan", process_id=process.id))
    status = 400 if request.method == "POST" and not proposing else 200  # saved: redirected
    return render_template(
        "hosting/plan.html",
        process=process,
        form=form,
        rows=list(zip(sessions, rows, strict=True)),
        editable=editable,
    ), status


def _row_form(session_id: int, host_id, venue_id, formdata=None) -> forms.PlanRowForm:
    return forms.PlanRowForm(
        formdata=formdata or None, prefix=f"s{session_id}", host=host_id or 0, venue=venue_id or 0
    )


def _set_choices(process, rows, sessions) -> None:
    hosts, venues = host_choices(process, _("Not named"))
    for row, sup_session in zip(rows, sessions, strict=True):
        row.host.choices = hosts
        own = sup_session.venue  # a venue no longer in use stays on the sessions it had
        extra = [(own.id, own.name)] if own and own.id not in {v for v, _n in venues} else []
        row.venue.choices = venues + extra
