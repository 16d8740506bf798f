"""Translated texts for matching reasons, rules and policies."""

from flask_babel import lazy_gettext as _l

from lahti_pool.matching.eligibility import Policy, Reason

REASON_LABELS = {
    Reason.INACTIVE: _l("not active"),
    Reason.CONTRACT_PERIOD: _l("contract not valid on the start date"),
    Reason.DIVISION: _l("does not serve the division"),
    Reason.KIND: _l("does not take this kind of supervision"),
    Reason.LANGUAGE: _l("does not supervise in the language"),
    Reason.MODE: _l("no way of meeting in common"),
    Reason.CONFLICT: _l("conflict of interest with the unit"),
    Reason.CAPACITY: _l("no free capacity"),
    Reason.OLDER_REQUEST: _l("capacity went to older requests"),
    Reason.OPTIMISATION: _l("capacity needed to serve more requests"),
    Reason.CLIENT_CHOICE: _l("the client chose another supervisor"),
    Reason.CONTINUITY: _l("the client continues with their previous supervisor"),
    Reason.PREFERRED: _l("the client preferred another supervisor"),
    Reason.BALANCED: _l("would have been more utilised"),
    Reason.YOUNGER_REQUEST: _l(
        "capacity went to younger requests whose places this request could not take"
    ),
    Reason.NOT_PROVEN: _l("still had room; the solver stopped before proving a better placement"),
    "override": _l("the administrator chose another supervisor"),
    "team_order": _l("ordered for the team by the unit's manager"),
    "quote_accepted": _l("quote accepted"),
    "quote_given": _l("quote given, not chosen"),
    "quote_declined": _l("declined to quote"),
    "quote_unanswered": _l("did not answer the request for quotes"),
}

RULE_LABELS = {
    "ranking": _l("ranking order"),
    "balanced": _l("balanced utilisation"),
    "client_choice": _l("client's choice"),
    "strict_ranking": _l("strict ranking order"),
    "continuity": _l("continuity with the previous supervisor"),
    "preferred": _l("the client's preferred supervisor"),
    "most_served": _l("most requests served, older first (the allocation rule was not reached)"),
    "override": _l("override by the administrator"),
    "group_fallback": _l("group offered instead (Lahti fallback)"),
    "quote": _l("request for quotes (the accepted quote's price)"),
}

POLICY_LABELS = {
    Policy.RANKING: _l("Ranking order (optimal: most requests served, oldest first)"),
    Policy.BALANCED: _l("Balanced (optimal: least-utilised supervisors first)"),
    Policy.CLIENT_CHOICE: _l("Client choice (only the preferred supervisor)"),
    Policy.STRICT_RANKING: _l("Strict ranking order (arrival order, best rank first)"),
}


def reason_label(reason: str) -> str:
    try:
        return str(REASON_LABELS[Reason(reason)])
    except ValueError:
        return str(REASON_LABELS.get(reason, reason))


ASSIGNMENT_LABELS = {
    "proposed": _l("proposed"),
    "accepted": _l("accepted"),
    "overridden": _l("accepted with another supervisor"),
    "unmatched": _l("nobody free"),
    "group_offered": _l("group offered"),
    "skipped": _l("not acted on"),
}

OFFER_RESPONSE_LABELS = {
    "pending": _l("no answer yet"),
    "accepted": _l("joins"),
    "declined": _l("declined"),
}

#: where a matching job is (``MatchingJob.step``)
JOB_STEP_LABELS = {
    "": _l("waiting to start"),
    "started": _l("computing the proposal"),
    "feasible": _l("finding proposals that fit and the bounds they are measured against"),
    "serve": _l("serving as many requests as possible"),
    "age": _l("putting older requests first"),
    "wish": _l("keeping to the supervisors the clients asked for"),
    "rank": _l("following the ranking order"),
    "balanced": _l("balancing the supervisors' utilisation"),
    "cost": _l("choosing the lowest cost"),
    "explaining": _l("writing down the grounds of each order"),
}

#: the solver's status of a matching run (``Stats.status``), as the queue page says it
SOLVER_STATUS_LABELS = {
    "optimal": _l("proven optimal in every stage"),
    "work_limit": _l(
        "the best proposal found within the solver's fixed work limit; not every stage is proven"
    ),
    "time_limit": _l("stopped by the clock; not every stage is proven"),
    "greedy_fallback": _l("nothing better than strict ranking order was found"),
    "greedy": _l("strict ranking order (no solver)"),
}

STAGE_LABELS = {
    "serve": _l("Requests served"),
    "age": _l("Older first (sum of queue positions served)"),
    "wish": _l("Wishes kept"),
    "rank": _l("Supervisors' ranks (sum)"),
    "balanced": _l("Balance of utilisation (excess)"),
    "cost": _l("Cost"),
}
