"""Approval of logged sessions, budgets, the budget page and the invoice statements."""

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget import funding, queries, services
from lahti_pool.budget.forecast import MONTHS, SUMMER_BREAK
from lahti_pool.budget.forms import (
    BudgetForm,
    OverviewForm,
)
from lahti_pool.budget.labels import euros_texts, money_markups
from lahti_pool.budget.models import Budget, SessionCost
from lahti_pool.core import versions
from lahti_pool.core.errors import DomainError
from lahti_pool.core.money import cents_to_euros
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import is_safe_next, show_domain_error
from lahti_pool.core.widgets import FIRST_YEAR, LAST_YEAR, RenderedChoices, years_message
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.labels import KIND_LABELS
from lahti_pool.sessions.models import SessionAttendance, SupervisionSession
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
        funding_lines=funding.funding_lines(year),
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


def month_name(year: int, month: int, width: str = "LLLL") -> str:
    """A month standing alone: stand-alone forms (Finnish "joulukuu", not "joulukuuta")."""
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
        x_labels=[month_name(s.fiscal_year, r.month, "LLL") for r in rows],
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


# The pages in the modules below register on ``bp`` when imported.
from lahti_pool.budget.views import (  # noqa: E402, F401
    approval_pages,
    funding_pages,
    invoice_pages,
    org_pages,
)
