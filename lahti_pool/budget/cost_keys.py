"""A group's cost key after acceptance: who is in it, and changing it with a reason.

The key itself is chosen when the group is accepted (``ProcessOrder.cost_key``,
sessions/processes.py) and applied whenever a session's costs are computed
(``services.costs_for``). Changing it later re-splits only the sessions not yet
approved; approved sessions keep the costs they were approved with.
"""

from collections import defaultdict
from collections.abc import Mapping

from lahti_pool.budget.costkey import CostKey, check_key, org_key
from lahti_pool.budget.guard import BudgetWarning, check_budget
from lahti_pool.budget.services import costs_for, recompute_costs, shares_of
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition
from lahti_pool.extensions import db
from lahti_pool.organisation.orgs import organisation_ids, organisation_names
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.models import ApprovalStatus, SupervisionProcess, SupervisionSession


def organisations_of(user_ids) -> dict[int, str]:
    """The organisations of these people by key (0: the city), with their names, the city
    first and then by name."""
    orgs = organisation_ids(user_ids)
    names = organisation_names(set(orgs.values()))
    found = {org_key(org): str(names[org]) for org in set(orgs.values())}
    return dict(sorted(found.items(), key=lambda item: (item[0] != 0, item[1])))


def group_organisations(process: SupervisionProcess) -> dict[int, str]:
    return organisations_of(m.user_id for m in process.members)


def request_organisations(sup_request) -> dict[int, str]:
    """The organisations of a group request's members when there are several (the
    acceptance form then asks for the cost key), else nothing."""
    if sup_request is None or sup_request.kind != RequestKind.GROUP:
        return {}
    found = organisations_of(m.user_id for m in sup_request.participating_members)
    return found if len(found) > 1 else {}


def is_across_organisations(process: SupervisionProcess) -> bool:
    return len(group_organisations(process)) > 1


def sessions_to_resplit(process: SupervisionProcess) -> list[SupervisionSession]:
    """The sessions a new key applies to: every one not yet approved."""
    return [s for s in process.sessions if s.approval != ApprovalStatus.APPROVED]


def change_cost_key(
    actor,
    process: SupervisionProcess,
    key: str,
    shares: Mapping[int, int],
    reason: str,
    budget_override_reason: str = "",
) -> tuple[int, list[BudgetWarning]]:
    """Change the group's cost key; returns how many sessions were re-split, and the
    budget warnings. Approved sessions keep their costs. Each budget the re-split adds
    to is guarded (over 100 % it needs the administrator's reason), per fiscal year.

    :raises DomainError: no reason, not a group, bad shares, a budget refused
    """
    if process.kind != RequestKind.GROUP:
        raise InvalidTransition(N_("Only a group shares its cost by a key."))
    if not reason.strip():
        raise DomainError(N_("Give the reason for changing the cost key."), field="reason")
    checked = check_key(key, shares, set(group_organisations(process)))
    old_key, old_shares = process.cost_key, shares_of(process)
    sessions = sessions_to_resplit(process)
    before = {s.id: {c.division_id: c.amount_cents for c in s.costs} for s in sessions}
    process.cost_key = str(CostKey(key))
    process.cost_shares = {str(org): points for org, points in checked.items()} or None
    added: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for s in sessions:
        after = costs_for(s)
        for division in set(after) | set(before[s.id]):
            delta = after.get(division, 0) - before[s.id].get(division, 0)
            if delta:
                added[s.on_date.year][division] += delta
    warnings = []
    for year in sorted(added):
        warnings += check_budget(
            actor, year, dict(added[year]), budget_override_reason, subject=process
        )
    changed = 0
    for s in sessions:
        recompute_costs(s)
        changed += bool(before[s.id] or s.costs)
    audit.record(
        actor,
        "process.cost_key_changed",
        process,
        old_key=old_key,
        new_key=process.cost_key,
        old_shares={str(k): v for k, v in old_shares.items()},
        new_shares=process.cost_shares or {},
        resplit=changed,
        reason=reason.strip(),
    )
    db.session.flush()
    return changed, warnings
