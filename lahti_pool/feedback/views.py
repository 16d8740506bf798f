"""Feedback forms for clients, and aggregate reports for development services."""

from datetime import date
from itertools import groupby
from operator import itemgetter

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import versions
from lahti_pool.core.errors import DomainError
from lahti_pool.core.exports import csv_download, safe_cell
from lahti_pool.core.listing import FetchedPage
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import ListPage, show_domain_error
from lahti_pool.extensions import db
from lahti_pool.feedback import services
from lahti_pool.feedback.forms import FeedbackForm, ReportForm
from lahti_pool.feedback.models import FeedbackInvitation, FeedbackResponse
from lahti_pool.feedback.rules import Term, parse_term, reportable_terms
from lahti_pool.organisation.models import Division
from lahti_pool.requests.labels import KIND_LABELS
from lahti_pool.sessions.models import SupervisionSession
from lahti_pool.supervisors.models import Supervisor

bp = Blueprint("feedback", __name__)


def get_invitation(invitation_id: int) -> FeedbackInvitation:
    """The invitation of the current user.

    :raises 404: no such invitation, or somebody else's (nobody learns whose it is)
    """
    invitation = db.session.get(FeedbackInvitation, invitation_id)
    if invitation is None or invitation.user_id != current_user.id:
        abort(404)
    return invitation


@bp.route("/feedback/<int:invitation_id>", methods=["GET", "POST"])
@roles_required(Role.STAFF, Role.GUEST)
def give(invitation_id: int):
    invitation = get_invitation(invitation_id)
    form = FeedbackForm()
    if invitation.answered:
        return render_template("feedback/thanks.html")
    closes = services.closes_on(db.session.get(SupervisionSession, invitation.session_id).on_date)
    if date.today() >= closes:
        return render_template("feedback/closed.html", closes=closes)
    if form.validate_on_submit():
        try:
            services.give_feedback(current_user, invitation, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for("requests.dashboard"))
    return render_template("feedback/give.html", form=form)


def _labels(by: str, keys) -> dict:
    locale = str(get_locale())
    if by == "division":
        names = {d.id: d.name(locale) for d in db.session.scalars(select(Division))}
        return {k: names.get(k, _("No division")) for k in keys}
    if by == "supervisor":
        rows = db.session.execute(
            select(Supervisor.id, User.name)
            .join(User, Supervisor.user_id == User.id)
            .where(Supervisor.id.in_(list(keys)))
        )
        return {supervisor_id: name for supervisor_id, name in rows}
    if by == "month":
        return {k: format_date(k, "LLLL yyyy") for k in keys}
    return {k: str(KIND_LABELS.get(k, k)) for k in keys}


#: the heading of comments listed under no cell (by month)
UNDATED = object()


def term_label(term: Term) -> str:
    if term.autumn:
        return _("Autumn term %(year)s", year=term.year)
    return _("Spring term %(year)s", year=term.year)


def _report(supervisor_id=None):
    """The report's form and figures for a whole term whose feedback has closed: never a
    period of the reader's choosing, nor one still taking answers (rules.py says why)."""
    form = ReportForm(request.args)
    terms = reportable_terms(date.today(), current_app.config["FEEDBACK_DAYS_AFTER_TERM"])
    form.term.choices = [SelectChoice(t.key, term_label(t)) for t in terms]
    term = parse_term(form.term.data)
    if term not in terms:
        term = terms[0]
        form.term.data = term.key
    start, end = term.start, term.end
    by = form.by.data if form.by.data in services.DIMENSIONS else "division"
    k = current_app.config.get("REPORT_MIN_RESPONSES", 5)
    cells, total = _aggregate(by, start, end, k, supervisor_id)
    return form, by, term, cells, total


# Counts and averages only (comments are fetched apart), until feedback changes.
@versions.cached_read(FeedbackResponse)
def _aggregate(by: str, start: date, end: date, k: int, supervisor_id: int | None):
    return services.aggregate(by, start, end, k, supervisor_id)


def _visible(cells: list[services.Cell]) -> tuple:
    return tuple(c.key for c in cells if c.averages is not None)


@versions.cached_read(
    FeedbackResponse,
    key=lambda by, term, cells, limit, offset: (by, term.key, _visible(cells), limit, offset),
)
def _comment_rows(by: str, term: Term, cells: list[services.Cell], limit: int, offset: int):
    """A page of the visible cells' comments as plain rows, kept until feedback changes:
    sorted by cell and month they cost ~10 ms of SQL at city scale."""
    query = services.comments_query(by, term.start, term.end, cells)
    return db.session.execute(query.limit(limit).offset(offset)).all()


def _render_report(supervisor_id=None, own=False):
    """The report page: a page of cells and, apart, a page of the visible cells' comments."""
    form, by, term, cells, total = _report(supervisor_id)
    # The cells are aggregated in SQL and suppressed together (a hidden figure depends
    # on the others), then shown 50 at a time.
    cell_page = ListPage(per_page=50, error_out=False, rows=cells)
    comments, grouped = None, []
    if not own:  # written comments go to the development services, never to the supervisor
        comments = FetchedPage(
            fetch=lambda limit, offset: (
                _comment_rows(by, term, cells, limit, offset),
                services.comment_count(cells),
            ),
            page=request.args.get("comments", 1, type=int),
            per_page=50,
            error_out=False,
        )
        if by == "month":  # one list under no month: a month would date each comment
            grouped = [(UNDATED, list(comments.items))] if comments.items else []
        else:
            grouped = [
                (key, list(rows)) for key, rows in groupby(comments.items, key=itemgetter(0))
            ]
    keys = {c.key for c in cell_page.items} | {k for k, _rows in grouped if k is not UNDATED}
    period = {"by": by, "term": term.key}
    return render_template(
        "feedback/report.html",
        form=form,
        by=by,
        term_name=term_label(term),
        closes_after=current_app.config["FEEDBACK_DAYS_AFTER_TERM"],
        page=cell_page,
        total=total,
        comments=comments,
        grouped_comments=grouped,
        names=_labels(by, keys),
        undated=UNDATED,
        k=current_app.config.get("REPORT_MIN_RESPONSES", 5),
        period=period,
        csv_url=None if own else url_for("feedback.report_csv", **period),
        own=own,
    )


@bp.get("/reports/feedback")
@roles_required(Role.REPORTS, Role.ADMIN)
def report():
    return _render_report()


@bp.get("/reports/feedback.csv")
@roles_required(Role.REPORTS, Role.ADMIN)
def report_csv():
    form, by, term, cells, total = _report()
    labels = _labels(by, [c.key for c in cells])
    rows = [[by, "responses", *services.RATINGS, "availability"]]
    for cell in cells:
        figures = [cell.averages[r] for r in services.RATINGS] if cell.averages else [""] * 3
        n = cell.n if cell.averages else ""
        availability = "" if cell.availability is None else cell.availability
        rows.append([safe_cell(str(labels[cell.key])), n, *figures, availability])
    if total is not None:
        availability = "" if total.availability is None else total.availability
        averages = [total.averages[r] for r in services.RATINGS]
        rows.append(["all", total.n, *averages, availability])
    return csv_download(rows, f"feedback_{by}_{term.key}.csv")


@bp.get("/feedback/mine")
@roles_required(Role.SUPERVISOR)
def mine():
    supervisor_id = db.session.scalar(
        select(Supervisor.id).where(Supervisor.user_id == current_user.id)
    )
    if supervisor_id is None:
        abort(404)
    return _render_report(supervisor_id, own=True)
