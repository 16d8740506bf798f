"""Invoice statements: pages of the budget feature."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lahti_pool.accounts.models import Role
from lahti_pool.budget import statements
from lahti_pool.budget.forms import (
    GenerateForm,
)
from lahti_pool.budget.models import InvoiceStatement
from lahti_pool.budget.views import (
    _flash_errors,
    _supervisor_choices,
    bp,
    kind_label,
    month_name,
    now,
)
from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import paginate
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import Supervisor

# --- Invoice statements ----------------------------------------------------------------


def get_statement(statement_id: int) -> InvoiceStatement:
    """The statement if the current user may see it.

    :raises 404: no such statement
    :raises 403: the user is neither the administrator nor the statement's supervisor
        (while they hold the supervisor role: a former supervisor no longer reads them)
    """
    statement = db.get_or_404(InvoiceStatement, statement_id)
    own = statement.supervisor.user_id == current_user.id and current_user.has_role(Role.SUPERVISOR)
    if not (current_user.has_role(Role.ADMIN) or own):
        abort(403)
    return statement


@bp.get("/admin/statements")
@roles_required(Role.ADMIN)
def statements_index():
    form = GenerateForm()
    form.supervisor.choices = _supervisor_choices(None)
    query = (
        select(InvoiceStatement)
        .options(selectinload(InvoiceStatement.supervisor))
        .order_by(InvoiceStatement.year.desc(), InvoiceStatement.month.desc(), InvoiceStatement.id)
    )
    page = paginate(query, per_page=50, error_out=False)
    return render_template(
        "budget/statements.html",
        form=form,
        page=page,
        labels=statements.STATUS_LABELS,
        month_name=month_name,
    )


@bp.post("/admin/statements/generate")
@roles_required(Role.ADMIN)
def generate_statement():
    form = GenerateForm()
    form.supervisor.choices = _supervisor_choices(None)
    if not form.validate():
        _flash_errors(form)
        return redirect(url_for("budget.statements_index"))
    supervisor = db.get_or_404(Supervisor, form.supervisor.data)
    month = form.month.data
    try:
        statement = statements.generate_statement(
            current_user, supervisor, month.year, month.month, now()
        )
    except DomainError as error:
        show_domain_error(None, error)
        return redirect(url_for("budget.statements_index"))
    db.session.commit()
    flash(_("The draft statement is ready; check it before sending."), "success")
    return redirect(url_for("budget.statement_detail", statement_id=statement.id))


@bp.get("/statements/<int:statement_id>")
@login_required
def statement_detail(statement_id: int):
    statement = get_statement(statement_id)
    return render_template(
        "budget/statement_detail.html",
        statement=statement,
        kind_label=kind_label,
        line_vat=statements.line_vat,
        labels=statements.STATUS_LABELS,
        notes=statements.NOTE_LABELS,
        month_name=month_name,
    )


def _download(statement: InvoiceStatement, ext: str, body, mimetype: str) -> Response:
    sup = statement.supervisor
    name = f"statement_{sup.business_id or sup.id}_{statement.year}-{statement.month:02d}.{ext}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/statements/<int:statement_id>.csv")
@login_required
def statement_csv(statement_id: int):
    statement = get_statement(statement_id)
    rows = statements.export_rows(statement, kind_label)
    body = statements.to_csv(rows, get_locale().language)
    return _download(statement, "csv", body, "text/csv")


@bp.get("/statements/<int:statement_id>.xlsx")
@login_required
def statement_xlsx(statement_id: int):
    statement = get_statement(statement_id)
    body = statements.to_xlsx(statement, statements.export_rows(statement, kind_label))
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(statement, "xlsx", body, mimetype)


def _statement_action(statement_id: int, action, success: str):
    statement = db.get_or_404(InvoiceStatement, statement_id)
    try:
        action(current_user, statement, now())
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("budget.statement_detail", statement_id=statement_id))


@bp.route("/admin/statements/<int:statement_id>/send", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def send_statement(statement_id: int):
    """Mark a statement sent, after a page that says it freezes."""
    statement = db.get_or_404(InvoiceStatement, statement_id)
    if not ConfirmActionForm().is_confirmed():
        if statement.status != "draft":
            flash(_("This statement has already been sent."), "danger")
            return redirect(url_for("budget.statement_detail", statement_id=statement_id))
        return confirmation_page(
            Confirmation(
                title=_("Mark the statement sent?"),
                what=_(
                    "The statement is frozen as it is now: it never changes again, and "
                    "later corrections go on the next month's statement as adjustments."
                ),
                button=_("Yes, mark it sent"),
                back_url=url_for("budget.statement_detail", statement_id=statement_id),
                back_label=_("No, keep it a draft"),
                facts=[
                    (_("Supervisor"), statement.supervisor.name),
                    (_("Month"), f"{month_name(statement.year, statement.month)} {statement.year}"),
                    (_("Lines"), str(len(statement.lines))),
                ],
            )
        )
    return _statement_action(
        statement_id, statements.send_statement, _("The statement is sent and frozen.")
    )


@bp.post("/admin/statements/<int:statement_id>/paid")
@roles_required(Role.ADMIN)
def mark_paid(statement_id: int):
    return _statement_action(statement_id, statements.mark_paid, _("The statement is paid."))


@bp.get("/statements")
@roles_required(Role.SUPERVISOR)
def my_statements():
    rows = db.session.scalars(
        select(InvoiceStatement)
        .join(Supervisor, InvoiceStatement.supervisor_id == Supervisor.id)
        .where(Supervisor.user_id == current_user.id)
        .order_by(InvoiceStatement.year.desc(), InvoiceStatement.month.desc())
    ).all()
    return render_template(
        "budget/my_statements.html",
        rows=rows,
        labels=statements.STATUS_LABELS,
        month_name=month_name,
    )
