"""The pages of quotes: asking, answering in Finnish, comparing and accepting."""

from datetime import timedelta

from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.quotes.models import Quote, QuoteRound, QuoteStatus, RoundStatus
from lahti_pool.sessions.models import SupervisionProcess


def test_ask_page_shows_each_supervisors_capacity(client, organiser, group_request, sups):
    client.login(organiser)
    page = client.get(f"/requests/{group_request.id}/quotes/new").get_data(as_text=True)
    for sup in sups:
        assert sup.name in page
    assert "20 sessions free" in page
    assert "room for 4 more processes" in page


def test_asking_one_supervisor_shows_a_message_and_saves_nothing(
    client, organiser, group_request, sups, today
):
    client.login(organiser)
    response = client.post(
        f"/requests/{group_request.id}/quotes/new",
        data={
            "supervisors": [sups[0].id],
            "sessions": 5,
            "period_from": today.isoformat(),
            "period_to": (today + timedelta(days=60)).isoformat(),
            "need": "Rehtorit",
        },
    )
    assert response.status_code == 400
    assert "Ask at least 2 supervisors" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuoteRound)) == 0


def test_asking_two_supervisors_opens_the_comparison(client, organiser, group_request, sups, today):
    client.login(organiser)
    response = client.post(
        f"/requests/{group_request.id}/quotes/new",
        data={
            "supervisors": [sups[0].id, sups[2].id],
            "sessions": 5,
            "period_from": today.isoformat(),
            "period_to": (today + timedelta(days=60)).isoformat(),
            "need": "Rehtorit",
        },
    )
    assert response.status_code == 302
    quote_round = db.session.scalar(select(QuoteRound))
    assert {q.supervisor_id for q in quote_round.quotes} == {sups[0].id, sups[2].id}


def test_supervisor_gives_a_price_in_finnish_form(client, ask, sups, today):
    quote = ask().quotes[0]
    client.login(sups[0].user)
    response = client.post(
        f"/quotes/{quote.id}",
        data={"price": "123,45", "valid_until": (today + timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 302
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert (quote.price_cents, quote.status) == (12345, QuoteStatus.GIVEN)


def test_a_price_that_is_not_an_amount_is_refused(client, ask, sups, today):
    quote = ask().quotes[0]
    client.login(sups[0].user)
    response = client.post(
        f"/quotes/{quote.id}",
        data={"price": "12,3,4", "valid_until": (today + timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).price_cents is None


def test_comparison_shows_price_total_validity_rank_and_capacity(client, organiser, quoted):
    client.login(organiser)
    page = client.get(f"/quote-rounds/{quoted.id}").get_data(as_text=True)
    assert "€120.00" in page and "€600.00" in page  # per session, and × 5 sessions
    assert "€110.00" in page and "€550.00" in page
    assert "Rank in the agreement" in page
    assert "20 sessions" in page
    assert "Accept the quote" not in page  # the organiser compares; the administrator accepts


def test_the_organiser_cannot_post_an_acceptance(client, organiser, quoted):
    client.login(organiser)
    response = client.post(
        f"/quote-rounds/{quoted.id}/accept", data={"quote": quoted.quotes[0].id, "reason": "x"}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0


def test_administrator_accepts_with_a_reason(client, admin, quoted):
    client.login(admin)
    missing = client.post(
        f"/quote-rounds/{quoted.id}/accept", data={"quote": quoted.quotes[1].id, "reason": ""}
    )
    assert missing.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0
    response = client.post(
        f"/quote-rounds/{quoted.id}/accept",
        data={"quote": quoted.quotes[1].id, "reason": "Lowest total price"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    quote_round = db.session.get(QuoteRound, quoted.id)
    assert quote_round.status == RoundStatus.ACCEPTED
    assert db.session.get(SupervisionProcess, quote_round.process_id).price_cents == 11000


def test_an_expired_quote_is_refused_with_a_message(client, admin, quoted, today):
    quoted.quotes[0].valid_until = today - timedelta(days=1)
    db.session.commit()
    client.login(admin)
    response = client.post(
        f"/quote-rounds/{quoted.id}/accept",
        data={"quote": quoted.quotes[0].id, "reason": "Best rank"},
    )
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0


def test_supervisor_sees_the_numbers_and_the_need_but_never_the_answers(
    client, organiser, make_user, school_year, today, sups
):
    from lahti_pool.quotes import services
    from lahti_pool.requests.services import GroupRequestInput, submit_group_request

    members = [make_user(), make_user()]
    sup_request = submit_group_request(
        organiser,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=4,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Salainen ryhmä",
            member_emails=tuple(m.email for m in members),
            answers={1: "Luottamuksellinen huoli jaksamisesta"},
        ),
        today,
    )
    assert sup_request.answers  # the answer is stored for the organiser and the supervisor
    quote_round = services.ask_for_quotes(
        organiser,
        sup_request,
        services.RoundInput((sups[0].id, sups[1].id), 4, today, today + timedelta(30), "Tiimi"),
        today,
    )
    db.session.commit()
    client.login(sups[0].user)
    page = client.get(f"/quotes/{quote_round.quotes[0].id}").get_data(as_text=True)
    assert "Tiimi" in page and "4" in page
    assert "Luottamuksellinen" not in page
    assert organiser.name not in page and members[0].name not in page
