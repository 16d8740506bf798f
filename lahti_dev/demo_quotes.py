"""Demo quotes: one group request with a request for quotes and two quotes received.

Made through the quotes services (the organiser asks, the supervisors answer), so the
administrator can compare the quotes and accept one in the demo; run again it adds
nothing.
"""

from datetime import date, timedelta

from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.quotes import services
from lahti_pool.quotes.models import QuoteRound
from lahti_pool.requests.models import RequestKind, SupervisionRequest

#: the demo's waitlisted team: individual capacity is full, so the organiser asks quotes
GROUP_NAME = "Jalkarannan koulun 5.–6. luokkien tiimi"
NEED = "Koulun 5.–6. luokkien opettajatiimi; yhteistyö ja työn jakaminen tiimissä."
#: the two quotes: net price per session (cents) and days they are valid
PRICES = (14500, 13800)


def ensure_quotes(supervisor_user_id: int, today: date) -> int:
    """The request for quotes with two quotes given; 1 when made, 0 when it was there."""
    sup_request = db.session.scalar(
        select(SupervisionRequest).where(
            SupervisionRequest.kind == RequestKind.GROUP,
            SupervisionRequest.group_name == GROUP_NAME,
        )
    )
    if sup_request is None or not sup_request.is_open:
        return 0
    asked = select(func.count()).where(QuoteRound.request_id == sup_request.id)
    if db.session.scalar(asked):
        return 0
    candidates = [c.supervisor for c in services.candidates(sup_request, today)]
    # the demo supervisor login is one of the two asked when they can be, to answer
    candidates.sort(key=lambda s: s.user_id != supervisor_user_id)
    if len(candidates) < 2:
        return 0
    year_end = sup_request.school_year.ends_on
    quote_round = services.ask_for_quotes(
        sup_request.requester,
        sup_request,
        services.RoundInput(
            tuple(s.id for s in candidates[:2]),
            sup_request.sessions_requested,
            max(sup_request.wanted_from, today),
            year_end,
            NEED,
        ),
        today,
    )
    for quote, price in zip(quote_round.quotes, PRICES, strict=True):
        services.give_quote(
            quote.supervisor.user,
            quote,
            services.QuoteInput(price, today + timedelta(days=30), "Sis. matkat Lahden alueella."),
            today,
        )
    db.session.flush()
    return 1
