"""Use cases of quotes for a group: ask, answer, compare, accept (take the actor, never commit).

Accepting a quote is an order under the framework agreement: it opens the process
through ``sessions.processes.open_process`` at the quoted price, with the quotes asked,
received and the reason for the choice as its grounds.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.quotes import rules
from lahti_pool.quotes.mails import notify_quote_closed, notify_quotes_asked
from lahti_pool.quotes.models import Quote, QuoteRound, QuoteStatus, RoundStatus
from lahti_pool.requests import services as request_services
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.sessions.processes import Opened, ProcessClient, ProcessOrder, open_process
from lahti_pool.supervisors import capacity
from lahti_pool.supervisors.models import Supervisor, SupervisorKind

#: the allocation rule recorded on a process opened from a quote
RULE = "quote"


@dataclass(frozen=True)
class RoundInput:
    supervisor_ids: tuple[int, ...]
    sessions: int
    period_from: date
    period_to: date
    need: str


@dataclass(frozen=True)
class QuoteInput:
    price_cents: int
    valid_until: date
    note: str = ""


@dataclass(frozen=True)
class Candidate:
    """A supervisor who may be asked, with their free capacity in the school year."""

    supervisor: Supervisor
    free_sessions: int
    free_processes: int


# --- Who may act ---------------------------------------------------------------------


def can_ask(user: User, sup_request: SupervisionRequest) -> bool:
    """The group's organiser or the administrator, while the group request is open."""
    return (
        sup_request.kind == RequestKind.GROUP
        and sup_request.is_open
        and (user.id == sup_request.requester_id or user.has_role(Role.ADMIN))
    )


def can_compare(user: User, quote_round: QuoteRound) -> bool:
    """The organiser and the administrator see every quote side by side."""
    return user.id == quote_round.request.requester_id or user.has_role(Role.ADMIN)


def can_accept(user: User) -> bool:
    """Only the administrator: accepting places an order under the framework agreement,
    commits the budget and may need the administrator's budget override."""
    return user.has_role(Role.ADMIN)


def is_quote_supervisor(user: User, quote: Quote) -> bool:
    return quote.supervisor.user_id == user.id and user.has_role(Role.SUPERVISOR)


# --- Asking ----------------------------------------------------------------------------


def candidates(sup_request: SupervisionRequest, today: date) -> list[Candidate]:
    """Contracted supervisors of the agreement who are active, under contract, take
    groups and have free capacity in the request's school year; best rank first."""
    sups = db.session.scalars(
        select(Supervisor)
        .where(
            Supervisor.active.is_(True),
            Supervisor.kind == SupervisorKind.CONTRACTED,
            Supervisor.agreement_id.is_not(None),
        )
        .order_by(Supervisor.rank.is_(None), Supervisor.rank, Supervisor.id)
    ).all()
    caps = capacity.capacities(sup_request.school_year, [s.id for s in sups])
    return [
        Candidate(s, caps[s.id].free_sessions, caps[s.id].free_processes)
        for s in sups
        if s.contract_valid_on(today)
        and str(RequestKind.GROUP) in (s.kinds or [])
        and caps[s.id].free_sessions > 0
        and caps[s.id].free_processes > 0
    ]


def open_round(sup_request: SupervisionRequest) -> QuoteRound | None:
    return db.session.scalar(
        select(QuoteRound).where(
            QuoteRound.request_id == sup_request.id, QuoteRound.status == RoundStatus.OPEN
        )
    )


def ask_for_quotes(
    actor: User, sup_request: SupervisionRequest, data: RoundInput, today: date
) -> QuoteRound:
    """Ask two or more supervisors for a quote for the group; they are notified and mailed."""
    if actor.id != sup_request.requester_id and not actor.has_role(Role.ADMIN):
        raise NotPermitted(
            N_("Only the group's organiser or the administrator can ask for quotes.")
        )
    if not can_ask(actor, sup_request):
        raise InvalidTransition(
            N_("The group's request is no longer open, so no quotes can be asked for it.")
        )
    if open_round(sup_request) is not None:
        raise InvalidTransition(N_("Quotes are already being asked for this group."))
    need = data.need.strip()
    if not need:
        raise DomainError(N_("Describe the need in a few words."), field="need")
    rules.check_round(
        list(data.supervisor_ids),
        data.sessions,
        sup_request.sessions_requested,
        data.period_from,
        data.period_to,
    )
    allowed = {c.supervisor.id: c.supervisor for c in candidates(sup_request, today)}
    if any(sid not in allowed for sid in data.supervisor_ids):
        raise DomainError(
            N_("Choose among the supervisors listed: active, with capacity, under the agreement."),
            field="supervisors",
        )
    quote_round = QuoteRound(
        request=sup_request,
        created_by_id=actor.id,
        sessions=data.sessions,
        period_from=data.period_from,
        period_to=data.period_to,
        group_size=len(sup_request.participating_members),
        need=need,
        quotes=[Quote(supervisor_id=sid) for sid in sorted(set(data.supervisor_ids))],
    )
    db.session.add(quote_round)
    db.session.flush()
    for quote in quote_round.quotes:
        notify(
            allowed[quote.supervisor_id].user_id,
            NotificationKind.QUOTE_REQUESTED,
            quote,
            sessions=quote_round.sessions,
            group_size=quote_round.group_size,
        )
    notify_quotes_asked(quote_round)
    audit.record(
        actor,
        "quotes.asked",
        quote_round,
        request_id=sup_request.id,
        supervisors=sorted(set(data.supervisor_ids)),
        sessions=data.sessions,
    )
    return quote_round


# --- Answering -------------------------------------------------------------------------


def _check_answerable(actor: User, quote: Quote) -> None:
    if not is_quote_supervisor(actor, quote):
        raise NotPermitted(N_("Only the supervisor asked can answer this request for quotes."))
    if not quote.round.is_open or quote.status not in (QuoteStatus.ASKED, QuoteStatus.GIVEN):
        raise InvalidTransition(N_("This request for quotes is already decided."))


def give_quote(actor: User, quote: Quote, data: QuoteInput, today: date) -> None:
    """Record (or revise, while the round is open) the supervisor's price and validity."""
    _check_answerable(actor, quote)
    rules.check_quote(data.price_cents, data.valid_until, today)
    quote.price_cents = data.price_cents
    quote.valid_until = data.valid_until
    quote.note = data.note.strip()
    quote.status = QuoteStatus.GIVEN
    quote.answered_at = utcnow()
    audit.record(actor, "quote.given", quote, round_id=quote.round_id, price_cents=data.price_cents)
    db.session.flush()


def decline_quote(actor: User, quote: Quote, note: str = "") -> None:
    _check_answerable(actor, quote)
    quote.status = QuoteStatus.DECLINED
    quote.price_cents = None
    quote.valid_until = None
    quote.note = note.strip()
    quote.answered_at = utcnow()
    audit.record(actor, "quote.declined", quote, round_id=quote.round_id)
    db.session.flush()


# --- Comparing and accepting -----------------------------------------------------------


@dataclass(frozen=True)
class ComparedQuote:
    quote: Quote
    total_cents: int | None
    free_sessions: int
    free_processes: int
    expired: bool


def compare(quote_round: QuoteRound, today: date) -> list[ComparedQuote]:
    """The quotes side by side: given ones cheapest first, then the others."""
    caps = capacity.capacities(
        quote_round.request.school_year, [q.supervisor_id for q in quote_round.quotes]
    )
    rows = [
        ComparedQuote(
            q,
            rules.total_cents(q.price_cents, quote_round.sessions),
            caps[q.supervisor_id].free_sessions,
            caps[q.supervisor_id].free_processes,
            q.is_expired(today),
        )
        for q in quote_round.quotes
    ]
    given = (QuoteStatus.GIVEN, QuoteStatus.ACCEPTED)
    return sorted(
        rows,
        key=lambda r: (r.quote.status not in given, r.quote.price_cents or 0, r.quote.id),
    )


def accept_quote(
    actor: User,
    quote: Quote,
    reason: str,
    today: date,
    budget_override_reason: str = "",
    cost_key: str = "attendance",
    cost_shares: dict[int, int] | None = None,
) -> Opened:
    """Open the group's process with the quoted supervisor at the quoted price; close the
    other quotes and tell their supervisors. A group across organisations shares each
    session's price by ``cost_key`` (budget/costkey.py). Raises a DomainError and changes
    nothing."""
    if not can_accept(actor):
        raise NotPermitted(N_("Only the pool administrator can accept a quote."))
    quote_round, sup_request = quote.round, quote.round.request
    if not quote_round.is_open:
        raise InvalidTransition(N_("This request for quotes is already decided."))
    rules.check_acceptable(quote.status, quote.valid_until, sup_request.is_open, today)
    reason = rules.check_reason(reason)
    lines = [
        rules.QuoteLine(
            q.supervisor_id,
            q.supervisor.name,
            q.supervisor.rank,
            q.status,
            q.price_cents,
            q.valid_until,
        )
        for q in quote_round.quotes
    ]
    if sup_request.status in (RequestStatus.SUBMITTED, RequestStatus.WAITLISTED):
        request_services.change_status(
            actor, sup_request, RequestStatus.MATCHED, "quote accepted", notify_people=False
        )
    people = [m.user for m in sup_request.participating_members]
    held = sup_request.sessions_requested
    opened = open_process(
        actor,
        ProcessOrder(
            kind=sup_request.kind,
            supervisor=quote.supervisor,
            school_year=sup_request.school_year,
            sessions=quote_round.sessions,
            clients=tuple(
                ProcessClient(u.id, sup_request.id, u.unit.division_id if u.unit else None, held)
                for u in people
            ),
            rule=RULE,
            grounds=rules.procurement_grounds(lines, quote.supervisor_id, reason),
            fiscal_year=today.year,
            request=sup_request,
            accepting=(sup_request,),
            accept_reason="quote accepted",
            budget_override_reason=budget_override_reason,
            price_cents=quote.price_cents,
            cost_key=cost_key,
            cost_shares=cost_shares or {},
        ),
    )
    quote.status = QuoteStatus.ACCEPTED
    quote_round.status = RoundStatus.ACCEPTED
    quote_round.decision_reason = reason
    quote_round.decided_by_id = actor.id
    quote_round.decided_at = utcnow()
    quote_round.process_id = opened.process.id
    for other in quote_round.quotes:
        if other.id != quote.id:
            other.status = QuoteStatus.CLOSED
            notify(other.supervisor.user_id, NotificationKind.QUOTE_CLOSED, other)
            notify_quote_closed(other)
    audit.record(
        actor,
        "quote.accepted",
        quote_round,
        quote_id=quote.id,
        supervisor_id=quote.supervisor_id,
        process_id=opened.process.id,
        price_cents=quote.price_cents,
    )
    db.session.flush()
    return opened
