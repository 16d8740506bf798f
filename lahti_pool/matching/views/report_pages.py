"""Report pages: pages of the matching feature."""

import csv
import io
from datetime import date, timedelta

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from lahti_pool.accounts.models import Role
from lahti_pool.core import versions
from lahti_pool.core.listing import FetchedPage, bounded_page
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import commit_created
from lahti_pool.core.widgets import years_message
from lahti_pool.matching import reports
from lahti_pool.matching.forms import PeriodForm
from lahti_pool.matching.views import bp, today
from lahti_pool.requests.quota import school_year_for


@bp.get("/capacity")
@roles_required(Role.ADMIN)
def capacity_view():
    year = school_year_for(today())
    commit_created()
    page = bounded_page(request.args.get("page", 1, type=int), 50)
    # Supervisors, their loads and users (names), and the year's processes (orders).
    report = versions.cached(
        ("supervisors", "sessions"),
        ("matching.capacity_report", year.id, page),
        lambda: reports.capacity_report(year, page),
    )
    return render_template(
        "matching/capacity.html",
        year=year,
        rows=report["rows"],
        totals=report["totals"],
        # As the template's _(): the translation is markup, the name is escaped into it.
        utilisation_of=Markup(_("Utilisation of %(name)s")),  # nosec B704  # noqa: S704
        page=FetchedPage(  # the cached report holds this page's rows and the total
            page=page,
            per_page=50,
            error_out=False,
            fetch=lambda _limit, _offset: (report["rows"], report["count"]),
        ),
    )


@bp.get("/orders.csv")
@roles_required(Role.ADMIN)
def orders_csv():
    form = PeriodForm(request.args)
    if not form.validate() or form.end.data < form.start.data:
        far = years_message() in form.start.errors + form.end.errors
        flash(
            years_message()
            if far
            else _("Choose a period: a start date and an end date on or after it."),
            "danger",
        )
        return redirect(url_for("matching.capacity_view"))
    # the day after the period (the form keeps it far from date.max, where none exists)
    end_exclusive = min(form.end.data, date.max - timedelta(days=1)) + timedelta(days=1)
    rows = reports.order_rows(form.start.data, end_exclusive)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(reports.ORDER_COLUMNS)
    writer.writerows(rows)
    filename = f"orders_{form.start.data}_{form.end.data}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
