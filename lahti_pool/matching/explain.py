"""The grounds of each order: who was passed over and why (DOMAIN.md, "Supervisors and matching").

Procurement requires the grounds of each order to be shown, so every reason here is a fact
about the proposal that a test can check, decided in this order for a request R placed with
supervisor S and a better-ranked supervisor B (or, for an unmatched R, every supervisor B):

1. the first static eligibility failure of B for R (inactive … conflict);
2. ``capacity``: B had too few free sessions or processes before this run;
3. ``client_choice``: under the client-choice policy R chose another supervisor;
4. ``older_request``: the requests older than R placed with B leave no room for R;
5. ``optimisation``: there would be room after the older ones, but younger requests were placed
   with B and leave none (the optimum put them there for a higher-priority objective); in a
   proposal not proven optimal ``younger_request`` instead, a fact without the claim;
6. B still has room for R in the proposal, so nothing but R's own placement kept R away:
   ``continuity`` or ``preferred`` when S is what R asked for, ``balanced`` under the balanced
   policy (B would be more utilised), otherwise ``optimisation``. Under ranking order this last
   case cannot happen: moving R to B would improve the optimum. In a proposal not proven
   optimal, ``not_proven`` unless S is what R asked for.

The rule of an assignment is a met wish first, else the allocation rule; ``strict_ranking`` for
a proposal that is the strict-ranking one (the fallback), and ``most_served`` where the
allocation rule's stage was never reached.
"""

from collections.abc import Sequence

import numpy as np

from lahti_pool.matching.eligibility import (
    ELIGIBILITY_ORDER,
    Assignment,
    Policy,
    Reason,
    RequestIn,
    Rule,
    SupervisorTable,
    Unmatched,
)

REASONS = list(Reason)
_CODE = {reason: REASONS.index(reason) for reason in REASONS}
# Eligibility codes from SupervisorTable are indexes into ELIGIBILITY_ORDER, which is the
# prefix of Reason; keep it that way.
assert REASONS[: len(ELIGIBILITY_ORDER)] == list(ELIGIBILITY_ORDER)


def client_choice_of(req: RequestIn) -> int | None:
    """The supervisor the client chose: the preferred one, else the previous one to continue."""
    if req.preferred_supervisor_id is not None:
        return req.preferred_supervisor_id
    return req.continuity_id


def rule_for(
    req: RequestIn,
    supervisor_id: int,
    policy: Policy,
    *,
    greedy: bool = False,
    rule_applied: bool = True,
) -> Rule:
    """The ground of an assignment: a met wish first, else the allocation rule."""
    if policy is Policy.CLIENT_CHOICE and client_choice_of(req) == supervisor_id:
        return Rule.CLIENT_CHOICE
    if policy is Policy.STRICT_RANKING or greedy:
        return Rule.STRICT_RANKING
    if req.continuity_id == supervisor_id:
        return Rule.CONTINUITY
    if req.preferred_supervisor_id == supervisor_id:
        return Rule.PREFERRED
    if not rule_applied:
        return Rule.MOST_SERVED
    if policy is Policy.BALANCED:
        return Rule.BALANCED
    return Rule.RANKING


def _room_reason(req: RequestIn, supervisor_id: int | None, policy: Policy, proven: bool) -> Reason:
    if supervisor_id is not None and policy is not Policy.STRICT_RANKING:
        if req.continuity_id == supervisor_id:
            return Reason.CONTINUITY
        if req.preferred_supervisor_id == supervisor_id:
            return Reason.PREFERRED
        if policy is Policy.BALANCED and proven:
            return Reason.BALANCED
    return Reason.OPTIMISATION if proven else Reason.NOT_PROVEN


def explain(
    by_age: Sequence[RequestIn],
    table: SupervisorTable,
    chosen: dict[int, int],
    policy: Policy,
    *,
    proven: bool = True,
    greedy: bool = False,
    rule_applied: bool = True,
) -> tuple[list[Assignment], list[Unmatched]]:
    """Assignments and unmatched requests, with reasons, for ``chosen`` (request → position).

    ``proven``: every stage of the proposal is proven optimal; ``greedy``: it is the
    strict-ranking proposal; ``rule_applied``: the allocation rule's stage shaped it.
    """
    younger = Reason.OPTIMISATION if proven else Reason.YOUNGER_REQUEST
    sessions = {req.id: req.sessions for req in by_age}
    used_all_s = np.zeros(len(table), dtype=np.int64)
    used_all_p = np.zeros(len(table), dtype=np.int64)
    for req_id, pos in chosen.items():
        used_all_s[pos] += sessions[req_id]
        used_all_p[pos] += 1
    # Filled in age order, so while explaining R it holds exactly the requests older than R.
    used_old_s = np.zeros_like(used_all_s)
    used_old_p = np.zeros_like(used_all_p)
    # Every (supervisor, reason) pair built once and shared: there may be millions of entries.
    n_reasons = len(REASONS)
    pairs = [(sid, reason) for sid in table.ids.tolist() for reason in REASONS]
    assignments: list[Assignment] = []
    unmatched: list[Unmatched] = []
    for req in by_age:
        pos = chosen.get(req.id)
        end = len(table) if pos is None else int(np.searchsorted(table.rank, table.rank[pos]))
        codes = table.codes(req)[:end].astype(np.int64)
        ok = codes < 0
        if policy is Policy.CLIENT_CHOICE and client_choice_of(req) is not None:
            choice = table.pos.get(client_choice_of(req), -1)
            chose_other = ok & (np.arange(end) != choice)
            codes[chose_other] = _CODE[Reason.CLIENT_CHOICE]
            ok &= ~chose_other
        free_s, free_p = table.free_sessions[:end], table.free_processes[:end]
        older_full = (free_s - used_old_s[:end] < req.sessions) | (free_p - used_old_p[:end] < 1)
        all_full = (free_s - used_all_s[:end] < req.sessions) | (free_p - used_all_p[:end] < 1)
        codes[ok & older_full] = _CODE[Reason.OLDER_REQUEST]
        codes[ok & ~older_full & all_full] = _CODE[younger]
        sup_id = None if pos is None else int(table.ids[pos])
        codes[ok & ~all_full] = _CODE[_room_reason(req, sup_id, policy, proven)]
        flat = np.arange(end) * n_reasons + codes
        reasons = tuple(map(pairs.__getitem__, flat.tolist()))
        if pos is None:
            counts = np.bincount(codes, minlength=n_reasons).tolist()
            summary = {REASONS[c]: n for c, n in enumerate(counts) if n}
            unmatched.append(Unmatched(req.id, dict(sorted(summary.items())), reasons))
            continue
        sup = table.sups[pos]
        assignments.append(
            Assignment(
                request_id=req.id,
                supervisor_id=sup.id,
                rule=rule_for(req, sup.id, policy, greedy=greedy, rule_applied=rule_applied),
                passed_over=reasons,
                cost_cents=sup.price_cents(req.kind) * req.sessions,
                sessions=req.sessions,
            )
        )
        used_old_s[pos] += req.sessions
        used_old_p[pos] += 1
    return assignments, unmatched
