"""The reach and availability reports for the administrator and development services."""

from datetime import timedelta

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role
from lahti_pool.core.models import utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import ListPage
from lahti_pool.organisation.job_groups import LABELS as JOB_GROUP_LABELS
from lahti_pool.reports import availability as availability_queries
from lahti_pool.reports import reach as reach_queries
from lahti_pool.reports.forms import YearForm
from lahti_pool.sessions.rules import local_date

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _year(today):
    """The form and the chosen school year (the latest by default); None before any."""
    form = YearForm(request.args)
    years = reach_queries.school_years(today)
    form.year.choices = [SelectChoice(str(y.id), y.label) for y in years]
    chosen = next((y for y in years if str(y.id) == form.year.data), years[0] if years else None)
    form.year.data = str(chosen.id) if chosen else None
    return form, years, chosen


def _k() -> int:
    return current_app.config.get("REPORT_MIN_RESPONSES", 5)


@bp.get("/reach")
@roles_required(Role.ADMIN, Role.REPORTS)
def reach():
    today = local_date(utcnow())
    form, years, year = _year(today)
    figures = None
    if year is not None:
        until = reach_queries.counted_until(year, today)
        figures = reach_queries.reach(year, until, _k()) if until >= year.starts_on else None
    units = ListPage(per_page=50, error_out=False, rows=figures.units if figures else [])
    return render_template(
        "reports/reach.html",
        form=form,
        year=year,
        figures=figures,
        units=units,
        trend=reach_queries.trend(years, today, _k()),
        divisions=reach_queries.division_names(str(get_locale())),
        job_groups=JOB_GROUP_LABELS,
        k=_k(),
    )


@bp.get("/availability")
@roles_required(Role.ADMIN, Role.REPORTS)
def availability():
    now = utcnow()
    today = local_date(now)
    form, _years, year = _year(today)
    figures = availability_queries.availability(year.id, today, _k()) if year else None
    monday = today - timedelta(days=today.weekday())
    slots = availability_queries.unused_slots(
        monday - timedelta(weeks=8), today, now.replace(second=0, microsecond=0)
    )
    return render_template(
        "reports/availability.html",
        form=form,
        year=year,
        figures=figures,
        slots=slots,
        k=_k(),
    )
