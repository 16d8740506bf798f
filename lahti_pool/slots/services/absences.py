"""Changing and removing a supervisor's absence (adding one: publishing.add_absence)."""

from datetime import date

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.extensions import db
from lahti_pool.slots import rules
from lahti_pool.slots.models import SupervisorAbsence
from lahti_pool.slots.services.access import _check_manage
from lahti_pool.slots.services.publishing import _refuse_overlapping_absence, refuse_booked_days
from lahti_pool.supervisors.models import Supervisor


def update_absence(
    actor: User, absence: SupervisorAbsence, starts_on: date, ends_on: date, today: date
) -> None:
    """New dates for an absence, under the rules of a new one (no overlap with another
    absence, no booked slot or planned session on its days)."""
    supervisor = db.session.get(Supervisor, absence.supervisor_id)
    _check_manage(actor, supervisor)
    rules.check_absence(starts_on, ends_on, today)
    db.session.execute(
        select(Supervisor.id).where(Supervisor.id == supervisor.id).with_for_update(key_share=True)
    )
    _refuse_overlapping_absence(supervisor.id, starts_on, ends_on, but=absence.id)
    refuse_booked_days(supervisor.id, starts_on, ends_on)
    absence.starts_on, absence.ends_on = starts_on, ends_on
    audit.record(actor, "supervisor.absence_changed", supervisor)
    db.session.flush()


def remove_absence(actor: User, absence: SupervisorAbsence) -> None:
    """The supervisor is not away after all: weekly patterns no longer skip the days."""
    supervisor = db.session.get(Supervisor, absence.supervisor_id)
    _check_manage(actor, supervisor)
    db.session.delete(absence)
    audit.record(actor, "supervisor.absence_removed", supervisor)
    db.session.flush()
