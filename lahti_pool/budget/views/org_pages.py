"""A group's cost key and the statements per organisation: pages of the budget feature."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_login import current_user
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role
from lahti_pool.budget import cost_keys, org_statements
from lahti_pool.budget.costkey import CITY, format_points, shares_from_form
from lahti_pool.budget.forms import CostKeyForm, OrgStatementForm
from lahti_pool.budget.labels import COST_KEY_LABELS, budget_warning_text
from lahti_pool.budget.services import shares_of
from lahti_pool.budget.views import bp, kind_label, month_name, today
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.core.widgets import FIRST_YEAR, LAST_YEAR
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Organisation
from lahti_pool.organisation.orgs import CITY_NAME
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.models import SupervisionProcess

# --- A group's cost key ----------------------------------------------------------------


def _cost_key_page(process: SupervisionProcess, form: CostKeyForm, shares):
    return render_template(
        "budget/cost_key.html",
        process=process,
        form=form,
        organisations=cost_keys.group_organisations(process),
        shares=shares,
        current_label=COST_KEY_LABELS.get(process.cost_key, process.cost_key),
        current_shares=shares_of(process),
        format_points=format_points,
        pending=len(cost_keys.sessions_to_resplit(process)),
    )


@bp.route("/admin/processes/<int:process_id>/cost-key", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def cost_key(process_id: int):
    """Change a group's cost key, with a reason; only sessions not yet approved follow."""
    process = db.get_or_404(SupervisionProcess, process_id)
    if process.kind != RequestKind.GROUP:
        abort(404)
    if request.method == "GET":
        form = CostKeyForm(formdata=None, cost_key=process.cost_key)
        typed = {f"share-{org}": format_points(p) for org, p in shares_of(process).items()}
        return _cost_key_page(process, form, typed)
    form = CostKeyForm()
    if not form.validate():
        return _cost_key_page(process, form, request.form)
    try:
        shares = shares_from_form(request.form) if form.cost_key.data == "shares" else {}
        count, warnings = cost_keys.change_cost_key(
            current_user,
            process,
            form.cost_key.data,
            shares,
            form.reason.data or "",
            form.budget_override_reason.data or "",
        )
    except DomainError as error:
        fields = {"shares": "cost_key", "override_reason": "budget_override_reason"}
        error.field = fields.get(error.field, error.field)
        show_domain_error(form, error)
        process = db.get_or_404(SupervisionProcess, process_id)
        return _cost_key_page(process, form, request.form)
    db.session.commit()
    flash(
        ngettext(
            "The cost key is changed; %(num)s session not yet approved was split again. "
            "Approved sessions keep their costs.",
            "The cost key is changed; %(num)s sessions not yet approved were split again. "
            "Approved sessions keep their costs.",
            count,
        ),
        "success",
    )
    for warning in warnings:
        flash(budget_warning_text(warning), "warning")
    return redirect(url_for("sessions.process_detail", process_id=process_id))


# --- Statements per organisation -------------------------------------------------------


def _organisation_choices() -> list[SelectChoice]:
    guests = db.session.execute(
        db.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    return [SelectChoice(CITY, str(CITY_NAME)), *(SelectChoice(i, name) for i, name in guests)]


@bp.get("/organisation-statements")
@roles_required(Role.ADMIN, Role.GUEST)
def organisation_statements():
    """The administrator chooses any organisation; a guest official sees their own."""
    form = OrgStatementForm(request.args)
    is_admin = current_user.has_role(Role.ADMIN)
    own = org_statements.organisation_of(current_user)
    if is_admin:
        form.organisation.choices = _organisation_choices()
    elif own is None or own == CITY:
        abort(403)
    else:
        form.organisation.choices = [SelectChoice(own, "")]
        form.organisation.data = own
    statement = None
    if request.args and form.validate():
        month = form.month.data
        statement = org_statements.organisation_statement(
            form.organisation.data, month.year, month.month
        )
    elif not request.args:
        form.month.data = today().replace(day=1)
        form.organisation.errors = form.month.errors = []
    return render_template(
        "budget/org_statements.html",
        form=form,
        is_admin=is_admin,
        statement=statement,
        kind_label=kind_label,
        month_name=month_name,
    )


def _readable(organisation: int, year: int, month: int) -> org_statements.OrgStatement:
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        abort(404)
    if not org_statements.may_read(current_user, organisation):
        abort(403)
    if organisation != CITY and db.session.get(Organisation, organisation) is None:
        abort(404)
    return org_statements.organisation_statement(organisation, year, month)


def _download(statement: org_statements.OrgStatement, ext: str, body, mimetype: str):
    name = f"organisation_{statement.organisation}_{statement.year}-{statement.month:02d}.{ext}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/organisation-statements/<int:organisation>/<int:year>/<int:month>.csv")
@roles_required(Role.ADMIN, Role.GUEST)
def organisation_statement_csv(organisation: int, year: int, month: int):
    statement = _readable(organisation, year, month)
    rows = org_statements.export_rows(statement, kind_label)
    body = org_statements.to_csv(rows, get_locale().language)
    return _download(statement, "csv", body, "text/csv")


@bp.get("/organisation-statements/<int:organisation>/<int:year>/<int:month>.xlsx")
@roles_required(Role.ADMIN, Role.GUEST)
def organisation_statement_xlsx(organisation: int, year: int, month: int):
    statement = _readable(organisation, year, month)
    body = org_statements.to_xlsx(statement, org_statements.export_rows(statement, kind_label))
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(statement, "xlsx", body, mimetype)
