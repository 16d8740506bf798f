"""Budget use cases that other features call."""

from lahti_pool.budget.rules import division_weights, split_cents
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SessionCost, SessionStatus, SupervisionSession


def recompute_costs(sup_session: SupervisionSession) -> None:
    """Charge the session's price to the divisions of its (attending) clients.

    A planned session is split by the clients expected; a billable logged one by those
    who attended (everyone expected, if nobody is marked); others cost nothing.
    """
    sup_session.costs.clear()
    db.session.flush()
    if sup_session.is_covision or sup_session.price_cents == 0:
        return
    if sup_session.status != SessionStatus.PLANNED and not sup_session.is_billable:
        return
    rows = sup_session.attendance
    attended = [a for a in rows if a.attended]
    people = attended if sup_session.status != SessionStatus.PLANNED and attended else rows
    divisions = [a.user.unit.division_id for a in people if a.user.unit is not None]
    for division_id, cents in split_cents(
        sup_session.price_cents, division_weights(divisions)
    ).items():
        sup_session.costs.append(SessionCost(division_id=division_id, amount_cents=cents))
