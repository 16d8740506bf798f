"""The Lahti fallback: offer a group to requests no individual supervisor could take.

offer → each member answers → the administrator forms the group (a process opened
through sessions/processes.py, like every order) or cancels the offer; an offer left
open past ``GROUP_OFFER_DAYS`` expires. Whoever is not in a formed group goes back to
the waiting list.
"""

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.matching.inputs import previous_supervisors, request_in
from lahti_pool.matching.models import (
    AssignmentStatus,
    GroupOffer,
    GroupOfferMember,
    MatchingRun,
    OfferResponse,
    OfferStatus,
    RunStatus,
)
from lahti_pool.matching.services import StaleProposal, check_fresh, passed_over_for
from lahti_pool.requests import services as request_services
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.sessions import processes
from lahti_pool.sessions.processes import Opened, ProcessClient, ProcessOrder
from lahti_pool.supervisors.models import Supervisor

#: the rule recorded on a process formed from a group offer
GROUP_FALLBACK = "group_fallback"


def offer_group(actor: User, run: MatchingRun, group_no: int) -> GroupOffer:
    """Offer the proposed group to its members; each answers on their request page."""
    rows = [a for a in run.assignments if a.group_no == group_no]
    if not rows or run.status != RunStatus.PROPOSED:
        raise StaleProposal(N_("This proposal is no longer open; run matching again."))
    for row in rows:
        check_fresh(row, row.supervisor_id)
    first = rows[0].request
    offer = GroupOffer(
        supervisor_id=rows[0].supervisor_id,
        school_year_id=run.school_year_id,
        division_id=first.requester.unit.division_id,
        language=first.language,
        sessions=min(r.request.sessions_requested for r in rows),
        created_by_id=actor.id,
        matching_run_id=run.id,
        members=[GroupOfferMember(request_id=r.request_id) for r in rows],
    )
    db.session.add(offer)
    db.session.flush()
    supervisor_name = db.session.get(Supervisor, offer.supervisor_id).name
    for row in rows:
        request_services.change_status(
            actor, row.request, RequestStatus.GROUP_OFFERED, "group offered", notify_people=False
        )
        notify(
            row.request.requester_id,
            NotificationKind.GROUP_OFFER,
            row.request,
            supervisor=supervisor_name,
        )
        row.status = AssignmentStatus.GROUP_OFFERED
    audit.record(actor, "group_offer.made", offer, members=len(rows))
    db.session.flush()
    return offer


def answer_group_offer(actor: User, sup_request: SupervisionRequest, accept: bool) -> None:
    """Accept or decline the group offered instead of individual supervision.

    Declining puts the request back on the waiting list for individual supervision.
    """
    if actor.id != sup_request.requester_id:
        raise NotPermitted(N_("Only the person who made the request can answer the offer."))
    row = sup_request.open_offer_row
    if row is None or sup_request.status != RequestStatus.GROUP_OFFERED:
        raise DomainError(N_("There is no open group offer for this request."))
    if row.response != OfferResponse.PENDING:
        raise DomainError(N_("You have already answered this offer."))
    row.response = OfferResponse.ACCEPTED if accept else OfferResponse.DECLINED
    row.responded_at = utcnow()
    if not accept:
        request_services.change_status(
            actor, sup_request, RequestStatus.WAITLISTED, "group offer declined"
        )
    audit.record(actor, "group_offer.answered", sup_request, accepted=accept)
    db.session.flush()


def _check_open(offer: GroupOffer) -> None:
    if offer.status != OfferStatus.OPEN:
        raise InvalidTransition(N_("This group offer is no longer open."))


def _group_grounds(offer: GroupOffer, accepted: list[GroupOfferMember], today: date) -> list:
    """The better-ranked supervisors than the offer's and why the group is not theirs."""
    requests = [m.request for m in accepted]
    first = request_in(requests[0], previous_supervisors({requests[0].requester_id}))
    units = {r.requester.unit_id for r in requests if r.requester.unit_id}
    group = replace(
        first,
        kind="group",
        sessions=offer.sessions,
        other_unit_ids=frozenset(units - {first.unit_id}),
    )
    return passed_over_for(group, offer.school_year, offer.supervisor, today, GROUP_FALLBACK)


def _back_to_queue(actor: User | None, offer: GroupOffer, members, reason: str) -> None:
    for member in members:
        if member.request.status == RequestStatus.GROUP_OFFERED:
            request_services.change_status(actor, member.request, RequestStatus.WAITLISTED, reason)


def form_group(
    actor: User, offer: GroupOffer, min_members: int, today: date, budget_override_reason=""
) -> Opened:
    """Start the group with those who accepted; the others go back to the queue.

    The group is an order like any other: the budget guard sees it whole, and over
    100 % it needs the administrator's reason.
    """
    _check_open(offer)
    accepted = [m for m in offer.members if m.response == OfferResponse.ACCEPTED]
    if len(accepted) < min_members:
        raise DomainError(
            N_("Only %(n)s people have accepted; a group needs at least %(min)s."),
            n=len(accepted),
            min=min_members,
        )
    opened = processes.open_process(
        actor,
        ProcessOrder(
            kind=RequestKind.GROUP,
            supervisor=offer.supervisor,
            school_year=offer.school_year,
            sessions=offer.sessions,
            clients=tuple(
                ProcessClient(
                    m.request.requester_id,
                    m.request_id,
                    m.request.requester.unit.division_id if m.request.requester.unit else None,
                    held=m.request.sessions_requested,
                )
                for m in accepted
            ),
            rule=GROUP_FALLBACK,
            grounds=_group_grounds(offer, accepted, today),
            fiscal_year=today.year,
            accepting=tuple(m.request for m in accepted),
            accept_reason="group formed",
            group_offer_id=offer.id,
            run_id=offer.matching_run_id,
            budget_override_reason=budget_override_reason,
        ),
    )
    for member in offer.members:
        if member.response == OfferResponse.PENDING:
            member.response = OfferResponse.DECLINED
    _back_to_queue(actor, offer, offer.members, "no answer to the group offer")
    offer.status = OfferStatus.FORMED
    audit.record(actor, "group_offer.formed", offer, members=len(accepted))
    db.session.flush()
    return opened


def cancel_offer(actor: User, offer: GroupOffer) -> None:
    """Give the offer up; everyone it was made to goes back to the waiting list."""
    _check_open(offer)
    offer.status = OfferStatus.CANCELLED
    _back_to_queue(actor, offer, offer.members, "group offer cancelled")
    audit.record(actor, "group_offer.cancelled", offer, members=len(offer.members))
    db.session.flush()


def expire_offers(now: datetime, days: int) -> int:
    """Cancel the offers open longer than ``days``; returns how many (a daily job).

    The offers are locked as they are read: a second run at the same time (the other app
    node's daily jobs) waits, then finds them no longer open, so each member is sent back
    to the queue, and told, once.
    """
    stale = db.session.scalars(
        select(GroupOffer)
        .where(
            GroupOffer.status == OfferStatus.OPEN,
            GroupOffer.created_at < now - timedelta(days=days),
        )
        .order_by(GroupOffer.id)
        .with_for_update(of=GroupOffer)
    ).all()
    for offer in stale:
        offer.status = OfferStatus.CANCELLED
        _back_to_queue(None, offer, offer.members, "group offer expired")
        audit.record(None, "group_offer.expired", offer, members=len(offer.members))
    db.session.flush()
    return len(stale)
