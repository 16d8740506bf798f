"""The on-duty slots' utilisation report."""

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import versions
from lahti_pool.core.listing import BoundedPagination
from lahti_pool.core.permissions import roles_required
from lahti_pool.sessions.models import SupervisionSession
from lahti_pool.slots import queries as slot_queries
from lahti_pool.slots import rules as slot_rules
from lahti_pool.slots.forms import (
    UtilisationForm,
)
from lahti_pool.slots.models import OnDutySlot
from lahti_pool.slots.views import _supervisor_choices, bp, now, today
from lahti_pool.supervisors.models import Supervisor

# --- The administrator's report -------------------------------------------------------


class UtilisationPage(BoundedPagination):
    """A page of grouped utilisation rows with ``totals`` of all (``db.paginate`` keeps
    only a select's first column); one query gives the rows, their number and totals.

    The figures are cached until slots or sessions change (core/versions.py); "now",
    which splits held from unused slots, counts by the minute.
    """

    def _query_items(self) -> list[slot_queries.UtilisationRow]:
        start, end, supervisor_id, at = (
            self._query_args[k] for k in ("start", "end", "supervisor_id", "at")
        )
        limit, offset = self.per_page, self._query_offset
        rows, self._count, self.totals = _utilisation_page(
            start, end, supervisor_id, at, limit, offset
        )
        return rows

    def _query_count(self) -> int:
        return self._count


@versions.cached_read(OnDutySlot, SupervisionSession, Supervisor, User)
def _utilisation_page(start, end, supervisor_id, at, limit, offset):
    query = slot_queries.utilisation_query(start, end, at, supervisor_id)
    return slot_queries.utilisation_page(query, limit, offset)


@bp.get("/utilisation")
@roles_required(Role.ADMIN, Role.REPORTS)
def utilisation():
    form = UtilisationForm(request.args)
    _supervisor_choices(form.supervisor, _("All supervisors"))
    this_week = slot_rules.week_start(today())
    valid = form.validate()
    start = (valid and form.start.data) or this_week - timedelta(weeks=8)
    end = (valid and form.end.data) or this_week + timedelta(weeks=4, days=-1)
    form.start.data, form.end.data = start, max(start, end)
    supervisor_id = (valid and form.supervisor.data) or None
    page = UtilisationPage(
        per_page=50,
        error_out=False,
        start=start,
        end=max(start, end),
        supervisor_id=supervisor_id,
        at=now().replace(second=0, microsecond=0),
    )
    return render_template("slots/utilisation.html", form=form, page=page, totals=page.totals)
