"""Approving logged sessions: pages of the budget feature."""

from typing import NamedTuple

from flask import flash, render_template, request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget import queries, services
from lahti_pool.budget.forms import (
    SESSION_STATUS_LABELS,
    ApprovalFilterForm,
    ApproveForm,
    ReturnForm,
)
from lahti_pool.budget.labels import euros_texts
from lahti_pool.budget.views import (
    _back,
    _division_choices,
    _flash_errors,
    _rendered_supervisor_choices,
    bp,
    kind_label,
    now,
)
from lahti_pool.core import versions
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import FetchedPage, Memo, link_maker
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit
from lahti_pool.sessions.models import SessionAttendance, SupervisionProcess, SupervisionSession

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
