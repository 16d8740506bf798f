"""Whom the administrator may choose instead of the proposed supervisor.

The eligible supervisors come first; every other active one is listed with the reason it
cannot take the request, so an override is chosen knowingly rather than refused after.
"""

from datetime import date
from typing import NamedTuple

from lahti_pool.matching.eligibility import check_eligibility
from lahti_pool.matching.inputs import (
    previous_supervisors,
    request_in,
    supervisor_in,
    supervisor_rows,
)
from lahti_pool.matching.labels import REASON_LABELS
from lahti_pool.matching.models import ProposedAssignment
from lahti_pool.supervisors.capacity import capacities


class Choice(NamedTuple):
    id: int
    rank: int | None
    name: str
    #: why this supervisor cannot take the request (translated); "" when eligible
    reason: str


def _order(choice: Choice) -> tuple:
    return (choice.rank is None, choice.rank or 0, choice.name, choice.id)


def override_choices(
    assignment: ProposedAssignment, today: date
) -> tuple[list[Choice], list[Choice]]:
    """(eligible, not eligible) active supervisors for the assignment's request."""
    sup_request = assignment.request
    req = request_in(sup_request, previous_supervisors({sup_request.requester_id}))
    caps = capacities(sup_request.school_year)
    eligible: list[Choice] = []
    others: list[Choice] = []
    for sup in supervisor_rows():
        if not sup.active:
            continue
        why = check_eligibility(req, supervisor_in(sup, caps[sup.id], today))
        if why is None:
            eligible.append(Choice(sup.id, sup.rank, sup.name, ""))
        else:
            others.append(Choice(sup.id, sup.rank, sup.name, str(REASON_LABELS[why])))
    return sorted(eligible, key=_order), sorted(others, key=_order)
