"""Rules of quotes for a group (pure: plain values in, values out, or a DomainError)."""

from dataclasses import dataclass
from datetime import date

from lahti_pool.core.errors import N_, DomainError, InvalidTransition

#: a request for quotes goes to at least this many supervisors (competition)
MIN_SUPERVISORS = 2


def check_round(
    supervisor_ids: list[int], sessions: int, asked: int, period_from: date, period_to: date
) -> None:
    """Two or more supervisors, 1–``asked`` sessions and a period that runs forward."""
    if len(set(supervisor_ids)) < MIN_SUPERVISORS:
        raise DomainError(
            N_("Ask at least %(min)s supervisors for a quote, so that the quotes can be compared."),
            field="supervisors",
            min=MIN_SUPERVISORS,
        )
    if not 1 <= sessions <= asked:
        raise DomainError(
            N_("Ask for between 1 and %(asked)s sessions (the group's request)."),
            field="sessions",
            asked=asked,
        )
    if period_to < period_from:
        raise DomainError(N_("The period must end after it starts."), field="period_to")


def check_quote(price_cents: int, valid_until: date, today: date) -> None:
    if price_cents <= 0:
        raise DomainError(N_("Give a price per session above zero."), field="price")
    if valid_until < today:
        raise DomainError(N_("The quote must be valid today or later."), field="valid_until")


def check_acceptable(
    quote_status: str, valid_until: date | None, request_open: bool, today: date
) -> None:
    """A given quote, still valid, for a request that is still open."""
    if not request_open:
        raise InvalidTransition(
            N_("The group's request is no longer open (withdrawn or already decided).")
        )
    if quote_status != "given":
        raise InvalidTransition(N_("Only a quote the supervisor has given can be accepted."))
    if valid_until is None or valid_until < today:
        raise InvalidTransition(
            N_("This quote expired on %(day)s; ask the supervisor for a new one."),
            day=valid_until,
        )


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(
            N_("Write the reason for the choice: it goes to the procurement record."),
            field="reason",
        )
    return reason


@dataclass(frozen=True)
class QuoteLine:
    """One quote of a round as the procurement record keeps it."""

    supervisor_id: int
    name: str
    rank: int | None
    status: str
    price_cents: int | None
    valid_until: date | None


def procurement_grounds(lines: list[QuoteLine], chosen_id: int, reason: str) -> list[dict]:
    """The grounds of the order: every supervisor asked and their answer, the chosen one
    first with the reason for the choice (shown in the orders CSV and on the round)."""

    def entry(line: QuoteLine) -> dict:
        chosen = line.supervisor_id == chosen_id
        answer = {"given": "quote_given", "declined": "quote_declined"}.get(
            line.status, "quote_unanswered"
        )
        return {
            "supervisor_id": line.supervisor_id,
            "name": line.name,
            "rank": line.rank,
            "reason": "quote_accepted" if chosen else answer,
            "price_cents": line.price_cents,
            "valid_until": line.valid_until.isoformat() if line.valid_until else None,
            **({"choice_reason": reason} if chosen else {}),
        }

    ordered = sorted(lines, key=lambda line: (line.supervisor_id != chosen_id, line.supervisor_id))
    return [entry(line) for line in ordered]


def total_cents(price_cents: int | None, sessions: int) -> int | None:
    return None if price_cents is None else price_cents * sessions
