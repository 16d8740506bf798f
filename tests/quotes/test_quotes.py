"""Quotes for a group: asked of two or more supervisors, given, compared and accepted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lahti_pool.budget.models import Budget
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.matching.reports import order_rows
from lahti_pool.quotes import services
from lahti_pool.quotes.models import QuoteRound, QuoteStatus, RoundStatus
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import withdraw_request
from lahti_pool.sessions.models import SupervisionProcess


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_supervisors_asked_are_notified_and_mailed_without_names_or_the_need(ask, sups):
    quote_round = ask()
    assert quote_round.group_size == 3  # the organiser and two members
    for sup in sups[:2]:
        note = db.session.scalar(select(Notification).where(Notification.user_id == sup.user_id))
        assert note.kind == NotificationKind.QUOTE_REQUESTED
        mail = db.session.scalar(select(MailMessage).where(MailMessage.to_user_id == sup.user_id))
        assert mail.kind == "quote_requested"
        assert "/quotes/" in mail.body_text
        for secret in ("Olli", "Maija", "Rehtorit", "johtamisen"):
            assert secret not in mail.body_text and secret not in mail.body_html
    assert (
        db.session.scalar(select(MailMessage).where(MailMessage.to_user_id == sups[2].user_id))
        is None
    )


def test_asking_fewer_than_two_supervisors_is_refused_and_nothing_saved(ask, sups):
    with pytest.raises(DomainError) as refused:
        ask(supervisors=[sups[0]])
    assert refused.value.field == "supervisors"
    db.session.rollback()
    assert _count(QuoteRound) == 0


def test_a_supervisor_without_capacity_cannot_be_asked(ask, sups, group_request, today):
    sups[1].capacity_processes = 0
    db.session.commit()
    assert [c.supervisor.id for c in services.candidates(group_request, today)] == [
        sups[0].id,
        sups[2].id,
    ]
    with pytest.raises(DomainError):
        ask(supervisors=sups[:2])


def test_a_stranger_cannot_ask_for_quotes(ask, make_user):
    with pytest.raises(NotPermitted):
        ask(actor=make_user())


def test_the_administrator_may_ask_for_quotes(ask, admin):
    assert ask(actor=admin).created_by_id == admin.id


def test_accepting_opens_the_process_at_the_quoted_price(quoted, admin, sups, today, group_request):
    cheaper = quoted.quotes[1]
    opened = services.accept_quote(admin, cheaper, "Lowest total price", today)
    db.session.commit()
    process = opened.process
    assert process.price_cents == 11000  # not the agreement's 150,00 €
    assert process.vat_percent == Decimal("25.50")  # the agreement's VAT, as for any order
    assert process.sessions_granted == 5
    assert process.rule == "quote"
    assert process.supervisor_id == sups[1].id
    assert {m.user_id for m in process.members} == {
        m.user_id for m in group_request.participating_members
    }
    assert group_request.status == RequestStatus.ACCEPTED
    chosen, *others = process.grounds
    assert chosen["reason"] == "quote_accepted"
    assert chosen["choice_reason"] == "Lowest total price"
    assert [g["reason"] for g in others] == ["quote_given"]
    assert quoted.status == RoundStatus.ACCEPTED
    assert quoted.process_id == process.id
    assert quoted.quotes[0].status == QuoteStatus.CLOSED
    closed_note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == sups[0].user_id,
            Notification.kind == NotificationKind.QUOTE_CLOSED,
        )
    )
    assert closed_note is not None
    assert db.session.scalar(
        select(MailMessage).where(
            MailMessage.to_user_id == sups[0].user_id, MailMessage.kind == "quote_closed"
        )
    )
    # the procurement record (the orders CSV) names the quotes and the reason
    (row,) = order_rows(today, today + timedelta(days=1))
    assert "quote accepted (Lowest total price)" in row[11]
    assert "quote given, not chosen" in row[11]


def test_an_expired_quote_cannot_be_accepted(quoted, admin, today):
    quote = quoted.quotes[0]
    quote.valid_until = today - timedelta(days=1)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.accept_quote(admin, quote, "Best", today)
    db.session.rollback()
    assert _count(SupervisionProcess) == 0
    assert db.session.get(QuoteRound, quoted.id).status == RoundStatus.OPEN


def test_a_withdrawn_request_cannot_be_accepted(quoted, admin, organiser, group_request, today):
    withdraw_request(organiser, group_request, "no longer needed")
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.accept_quote(admin, quoted.quotes[0], "Best", today)
    db.session.rollback()
    assert _count(SupervisionProcess) == 0


def test_the_reason_for_the_choice_is_required(quoted, admin, today):
    with pytest.raises(DomainError) as refused:
        services.accept_quote(admin, quoted.quotes[0], "   ", today)
    assert refused.value.field == "reason"


def test_only_the_administrator_accepts(quoted, organiser, today):
    with pytest.raises(NotPermitted):
        services.accept_quote(organiser, quoted.quotes[0], "Best", today)


def test_over_the_budget_needs_the_override_reason(quoted, admin, today):
    db.session.add(Budget(fiscal_year=today.year, division_id=None, amount_cents=20000))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.accept_quote(admin, quoted.quotes[1], "Cheapest", today)
    assert refused.value.field == "override_reason"
    db.session.rollback()
    assert _count(SupervisionProcess) == 0
    quote = db.session.get(QuoteRound, quoted.id).quotes[1]
    services.accept_quote(admin, quote, "Cheapest", today, budget_override_reason="Board decision")
    db.session.commit()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.override"))


def test_a_quote_cannot_be_given_for_a_past_date_nor_by_another_supervisor(ask, sups, today):
    quote = ask().quotes[0]
    with pytest.raises(DomainError):
        services.give_quote(
            sups[0].user, quote, services.QuoteInput(100, today - timedelta(1)), today
        )
    with pytest.raises(NotPermitted):
        services.give_quote(sups[1].user, quote, services.QuoteInput(100, today), today)


def test_a_declined_quote_cannot_be_accepted(ask, sups, admin, today):
    quote = ask().quotes[0]
    services.decline_quote(sups[0].user, quote, "Fully booked")
    db.session.commit()
    assert quote.status == QuoteStatus.DECLINED
    with pytest.raises(InvalidTransition):
        services.accept_quote(admin, quote, "Best", today)


def test_no_quotes_can_be_asked_for_a_withdrawn_request(ask, organiser, group_request):
    withdraw_request(organiser, group_request, "no longer needed")
    db.session.commit()
    with pytest.raises(InvalidTransition):
        ask()
