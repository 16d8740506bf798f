"""Approval of logged sessions, budgets, the budget page and the invoice statements."""

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget import queries, services, statements
from lahti_pool.budget.forecast import MONTHS, SUMMER_BREAK
from lahti_pool.budget.forms import (
    SESSION_STATUS_LABELS,
    ApprovalFilterForm,
    ApproveForm,
    BudgetForm,
    GenerateForm,
    OverviewForm,
    ReturnForm,
)
from lahti_pool.budget.labels import euros_texts, money_markups
from lahti_pool.budget.models import Budget, InvoiceStatement, SessionCost
from lahti_pool.core import versions
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import FetchedPage, Memo, link_maker, paginate
from lahti_pool.core.money import cents_to_euros
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import is_safe_next, show_domain_error
from lahti_pool.core.widgets import FIRST_YEAR, LAST_YEAR, RenderedChoices, years_message
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.labels import KIND_LABELS
from lahti_pool.sessions.models import SessionAttendance, SupervisionProcess, SupervisionSession
from lahti_pool.supervisors.models import Supervisor

bp = Blueprint("budget", __name__)

#: the chart is an image document: it may use its own inline <style>, nothing else
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def today() -> date:
    return date.today()


def now() -> datetime:
    return datetime.now(UTC)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


class DivisionRef(NamedTuple):
    """A division as the budget pages name it (plain data, so it can be cached)."""

    id: int
    code: str
    name_fi: str
    name_en: str

    def name(self, locale: str) -> str:
        """As ``Division.name``."""
        return self.name_en if locale == "en" else self.name_fi


@versions.cached_read(Division)
def _divisions() -> list[DivisionRef]:
    """Every division by code, read once per worker until a division changes."""
    rows = db.session.execute(
        select(Division.id, Division.code, Division.name_fi, Division.name_en).order_by(
            Division.code
        )
    )
    return [DivisionRef(*row) for row in rows]


def _division_choices(first: str) -> list[SelectChoice]:
    return _division_choice_list(first, str(get_locale()))


@versions.cached_read(Division)
def _division_choice_list(first: str, locale: str) -> list[SelectChoice]:
    return [SelectChoice(0, first)] + [
        SelectChoice(d.id, f"{d.code} – {d.name(locale)}") for d in _divisions()
    ]


@versions.cached_read(Supervisor, User)
def _supervisor_names() -> list[tuple[int, str]]:
    """Every supervisor's id and name by name (inactive ones may still have sessions)."""
    rows = db.session.execute(
        select(Supervisor.id, User.name)
        .join(User, Supervisor.user_id == User.id)
        .order_by(User.name, Supervisor.id)
    )
    return [(i, name) for i, name in rows]


@versions.cached_read(Supervisor, User)
def _rendered_supervisor_choices(first: str) -> RenderedChoices:
    """``first`` (value 0) and every supervisor, their options' markup rendered once per
    worker until a supervisor or a user changes (``LongSelect``)."""
    return RenderedChoices(_supervisor_choices(first))


def _supervisor_choices(first: str | None) -> list[SelectChoice]:
    choices = [SelectChoice(i, name) for i, name in _supervisor_names()]
    return ([SelectChoice(0, first)] if first else []) + choices


def _back(endpoint: str):
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for(endpoint))


def _flash_errors(form) -> None:
    flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")


# --- Approval --------------------------------------------------------------------------


class _ApprovalRow(NamedTuple):
    """One row of the approval list with its texts formatted (once per distinct value)."""

    id: int
    day: str
    supervisor: str
    reference: str
    kind: str
    status: str
    duration: Markup
    attended: int
    attendees: int
    price: str
    pick_label: Markup
    return_url: str


def _approval_rows(rows: list[queries.PendingRow]) -> list[_ApprovalRow]:
    days = Memo(format_date)
    kinds = Memo(kind_label)
    statuses = Memo(lambda status: str(SESSION_STATUS_LABELS[status]))
    euros = euros_texts()
    # As the template's _(): the translation is markup, the values are escaped into it.
    minutes_text = Markup(_("%(n)s min"))  # nosec B704  # noqa: S704
    minutes = Memo(lambda n: minutes_text % {"n": n})
    pick_text = Markup(_("Select the session of %(day)s, %(ref)s"))  # nosec B704  # noqa: S704
    return_url = link_maker("budget.return_session", "session_id")
    result = []
    for r in rows:
        day, duration, kind, status = (
            days[r.on_date],
            minutes[r.duration_minutes],
            kinds[r.kind],
            statuses[r.status],
        )
        reference = r.reference
        result.append(
            _ApprovalRow(
                r.id,
                day,
                r.supervisor_name,
                reference,
                kind,
                status,
                duration,
                r.attended,
                r.attendees,
                euros(r.price_cents),
                pick_text % {"day": day, "ref": reference},
                return_url(r.id),
            )
        )
    return result


@bp.get("/admin/approvals")
@roles_required(Role.ADMIN)
def approvals():
    form = ApprovalFilterForm(request.args)
    form.supervisor.choices = _rendered_supervisor_choices(_("All supervisors"))
    form.division.choices = _division_choices(_("All divisions"))
    filters = (
        (form.supervisor.data, form.month_tuple(), form.division.data)
        if form.validate()
        else (None, None, None)
    )
    page = FetchedPage(
        per_page=50,
        error_out=False,
        fetch=lambda limit, offset: (queries.pending_rows(limit, offset, *filters), None),
        total=lambda: _pending_count(*filters),
    )
    return render_template(
        "budget/approvals.html",
        form=form,
        page=page,
        rows=_approval_rows(page.items),
        return_form=ReturnForm(),
        filters={k: v for k, v in request.args.items() if k != "page"},
    )


# Kept until a session or (for the filters) a process or a user's unit moves.
@versions.cached_read(SupervisionSession, SupervisionProcess, SessionAttendance, User, Unit)
def _pending_count(
    supervisor_id: int | None, month: tuple[int, int] | None, division_id: int | None
) -> int:
    return queries.pending_count(supervisor_id, month, division_id)


@bp.post("/admin/approvals/approve")
@roles_required(Role.ADMIN)
def approve():
    form = ApproveForm()
    ids = form.chosen_ids() if form.validate() else []
    chosen = db.session.scalars(
        select(SupervisionSession).where(SupervisionSession.id.in_(ids))
    ).all()
    try:
        count = services.approve_sessions(current_user, list(chosen), now())
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(ngettext("%(num)s session approved.", "%(num)s sessions approved.", count), "success")
    return _back("budget.approvals")


@bp.post("/admin/approvals/<int:session_id>/return")
@roles_required(Role.ADMIN)
def return_session(session_id: int):
    sup_session = db.get_or_404(SupervisionSession, session_id)
    form = ReturnForm()
    if not form.validate():
        _flash_errors(form)
        return _back("budget.approvals")
    try:
        services.return_session(current_user, sup_session, form.reason.data)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("The session is returned to its supervisor to correct."), "success")
    return _back("budget.approvals")


# --- Budgets ---------------------------------------------------------------------------


@bp.route("/admin/budgets", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def budgets():
    form = BudgetForm()
    form.division.choices = _division_choices(_("The whole pool"))
    year = request.args.get("year", type=int) or today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        flash(years_message(), "danger")
        year = today().year
    if request.method == "GET":
        form.fiscal_year.data = year
    if form.validate_on_submit():
        try:
            services.set_budget(current_user, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The budget is saved."), "success")
            return redirect(url_for("budget.budgets", year=form.fiscal_year.data))
    rows = db.session.scalars(select(Budget).where(Budget.fiscal_year == year)).all()
    rows = sorted(rows, key=lambda b: (b.division is not None, b.division and b.division.code))
    return render_template("budget/budgets.html", form=form, year=year, rows=rows)


# --- The budget page -------------------------------------------------------------------


def _choice() -> tuple[OverviewForm, int, int | None]:
    """The fiscal year and the budget line (None: the pool) asked for in the query string."""
    form = OverviewForm(request.args)
    form.division.choices = _division_choices(_("The whole pool"))
    if not form.validate():
        return form, today().year, None
    form.year.data = form.year.data or today().year
    return form, form.year.data, form.division.data or None


@bp.get("/budget")
@roles_required(Role.ADMIN, Role.REPORTS)
def overview():
    form, year, division_id = _choice()
    reports_only = not current_user.has_role(Role.ADMIN)
    # Development services see aggregates only: a unit needs 5 clients behind it.
    min_people = 5 if reports_only else 0
    return render_template(
        "budget/overview.html",
        form=form,
        s=_summary(year, division_id),
        divisions=_divisions(),
        by_division=queries.monthly_spent_by_division(year, _sums(year)),
        units=_top_units(year, division_id, min_people),
        reports_only=reports_only,
        euros=euros_texts(),
        money=money_markups(),
        month_name=month_name,
        summer=SUMMER_BREAK,
        months=MONTHS,
    )


# Sums over a year of sessions, recomputed only when what they read changes.


@versions.cached_read(SessionCost, SupervisionSession)
def _sums(year: int) -> queries.MonthDivisionSums:
    return queries.month_division_sums(year)


def _summary(year: int, division_id: int | None) -> queries.BudgetSummary:
    return _summary_on(year, division_id, today())  # the forecast starts from this month


@versions.cached_read(SessionCost, SupervisionSession, Budget)
def _summary_on(year: int, division_id: int | None, day: date) -> queries.BudgetSummary:
    return queries.summary(year, division_id, day, _sums(year))


@versions.cached_read(SessionCost, SupervisionSession, SessionAttendance, User, Unit)
def _top_units(year: int, division_id: int | None, min_people: int):
    return queries.top_units(year, division_id, min_people=min_people)


def month_name(year: int, month: int, width: str = "MMMM") -> str:
    return _month_name(str(get_locale()), year, month, width)


@functools.lru_cache(maxsize=1024)
def _month_name(locale: str, year: int, month: int, width: str) -> str:
    """Once per worker and locale: the budget page names 24 months per view."""
    return format_date(date(year, month, 1), width)


def _euros(cents: int | None) -> Decimal | None:
    """Decimal euros for the chart (pygal plots numbers; figures stay exact)."""
    return None if cents is None else cents_to_euros(cents)


def _drop_scripts(root):
    """pygal always embeds a config <script>; the chart is an image and needs none."""
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return root


def chart_svg(s: queries.BudgetSummary) -> str:
    import pygal  # loaded for the chart only, not in every worker

    rows = s.chart()
    chart = pygal.Line(
        disable_xml_declaration=True,
        js=[],
        width=800,
        height=400,
        legend_at_bottom=True,
        allow_interruptions=True,
        title=_("Cumulative money, %(year)s (€)", year=s.fiscal_year),
        x_labels=[month_name(s.fiscal_year, r.month, "MMM") for r in rows],
    )
    chart.add_xml_filter(_drop_scripts)
    chart.add(_("Spent"), [_euros(r.spent_cents) for r in rows])
    chart.add(_("Spent, awaiting approval and committed"), [_euros(r.known_cents) for r in rows])
    chart.add(_("Forecast"), [_euros(r.forecast_cents) for r in rows])
    if s.totals.budget_cents is not None:
        chart.add(_("Budget"), [_euros(r.budget_cents) for r in rows])
    return chart.render(is_unicode=True)


@versions.cached_read(SessionCost, SupervisionSession, Budget)
def _chart_svg(year: int, division_id: int | None, day: date, locale: str) -> str:
    """The chart of ``_summary_on``'s figures in ``locale`` (the request's)."""
    return chart_svg(_summary_on(year, division_id, day))


@bp.get("/budget/chart.svg")
@roles_required(Role.ADMIN, Role.REPORTS)
def chart():
    _form, year, division_id = _choice()
    # The same image for every reader of these aggregates: drawn once per data version,
    # language and day, as pygal takes ~10 ms to draw it.
    svg = _chart_svg(year, division_id, today(), str(get_locale()))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response


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
        "budget/statements.html", form=form, page=page, labels=statements.STATUS_LABELS
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
    return _download(statement, "csv", statements.to_csv(rows), "text/csv")


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


@bp.post("/admin/statements/<int:statement_id>/send")
@roles_required(Role.ADMIN)
def send_statement(statement_id: int):
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
    return render_template("budget/my_statements.html", rows=rows, labels=statements.STATUS_LABELS)
