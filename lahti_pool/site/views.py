"""Pages every public-sector service publishes, and the administrator's log of use."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.listing import paginate
from lahti_pool.core.permissions import roles_required
from lahti_pool.site.audit_text import ACTION_LABELS, Names, action_label

bp = Blueprint("site", __name__)


@bp.get("/privacy")
def privacy():
    return render_template("site/privacy.html")


@bp.get("/accessibility")
def accessibility():
    return render_template(
        "site/accessibility.html", contact=current_app.config["ACCESSIBILITY_CONTACT"]
    )


#: the reports the development services read, in order: (endpoint, title, what it
#: answers); one whose feature this app does not have is left out
REPORT_PAGES = (
    (
        "feedback.report",
        _l("Feedback report"),
        _l(
            "How useful clients found their supervision, the atmosphere and the arrangements: "
            "averages of a closed term by division, supervisor, month or kind, and the comments."
        ),
    ),
    (
        "reports.reach",
        _l("Reach"),
        _l(
            "Who of the staff attended at least one held supervision session in a school "
            "year, and how many sessions there were per person."
        ),
    ),
    (
        "reports.availability",
        _l("Availability"),
        _l("How requests were served or are still waiting, and which on-duty slots went unused."),
    ),
    (
        "budget.overview",
        _l("Budget"),
        _l(
            "The year's budget for supervision, what is committed and spent, and the "
            "forecast, for the pool and each division."
        ),
    ),
    (
        "slots.utilisation",
        _l("Slot utilisation"),
        _l(
            "How many of the on-duty slots supervisors published were booked, and how many "
            "went unused."
        ),
    ),
)


@bp.get("/reports")
@roles_required(Role.REPORTS, Role.ADMIN)
def reports_home():
    """The development services' landing page: their reports, each with what it answers."""
    pages = [
        (url_for(endpoint), title, text)
        for endpoint, title, text in REPORT_PAGES
        if endpoint in current_app.view_functions
    ]
    return render_template(
        "site/reports_home.html",
        pages=pages,
        min_responses=current_app.config.get("REPORT_MIN_RESPONSES", 5),
    )


def _day(value: str | None, end: bool = False):
    """The start (or end) of a day typed in the search, in the pool's time zone, as UTC."""
    try:
        day = datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    local = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.max if end else time.min, tzinfo=local).astimezone(UTC)


@bp.get("/admin/audit")
@roles_required(Role.ADMIN)
def audit_log():
    """Who did what and when: search by action, person and dates."""
    action = request.args.get("action", "").strip()
    actor = request.args.get("actor", "").strip().lower()
    start, end = _day(request.args.get("start")), _day(request.args.get("end"), end=True)
    query = select(AuditEvent).outerjoin(User, AuditEvent.actor_id == User.id)
    # autoescape: a "_" or "%" typed in the search is that character, not a wildcard
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(User.email.contains(actor, autoescape=True))
    if start:
        query = query.where(AuditEvent.at >= start)
    if end:
        query = query.where(AuditEvent.at <= end)
    page = paginate(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), per_page=50, error_out=False
    )
    filters = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "site/audit.html",
        page=page,
        args=filters,
        names=Names(page.items),
        action_label=action_label,
        action_choices=sorted(
            ((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1]
        ),
        time_zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
