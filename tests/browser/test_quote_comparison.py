"""Quotes in Chromium: the supervisor answers, the administrator compares and accepts one;
every page checked by axe."""

from datetime import timedelta

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.accounts.models import Role
from lahti_pool.extensions import db
from lahti_pool.quotes import services
from lahti_pool.quotes.models import QuoteRound, RoundStatus
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions.models import SupervisionProcess


def test_the_administrator_compares_and_accepts_a_quote(
    visitor, make_user, make_supervisor, school_year, today, tmp_path
):
    organiser = make_user(name="Olli Organiser")
    admin = make_user(name="Aino Admin", roles={Role.ADMIN})
    members = [make_user(), make_user()]
    first, second = make_supervisor(name="Sirkka One", rank=1), make_supervisor(name="Sami Two")
    sup_request = submit_group_request(
        organiser,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=6,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Rehtorit",
            member_emails=tuple(m.email for m in members),
        ),
        today,
    )
    quote_round = services.ask_for_quotes(
        organiser,
        sup_request,
        services.RoundInput((first.id, second.id), 5, today, today + timedelta(90), "Rehtorit"),
        today,
    )
    services.give_quote(
        first.user, quote_round.quotes[0], services.QuoteInput(12000, today + timedelta(30)), today
    )
    db.session.commit()
    round_id, second_quote_id = quote_round.id, quote_round.quotes[1].id
    page = visitor.page

    # the second supervisor answers with a price typed the Finnish way
    visitor.login(second.user.email, PASSWORD)
    visitor.goto(f"/quotes/{second_quote_id}")
    page.get_by_label("Price per session (€, VAT excluded)").fill("110,50")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the quote").click()
    visitor.check()
    visitor.logout()

    visitor.login(admin.email, PASSWORD)
    visitor.goto(f"/requests/{sup_request.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Request for quotes of").click()
    visitor.check()
    table = page.get_by_role("table").inner_text()
    assert "€110.50" in table and "€552.50" in table  # per session, and × 5
    page.screenshot(path=str(tmp_path / "quotes_compare.png"), full_page=True)
    page.get_by_label("Sami Two").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Accept the quote and open the process").click()
    visitor.check()  # refused: the reason is required, shown beside its field
    assert "This field is required" in page.content()
    page.get_by_label("Sami Two").check()
    page.get_by_label("Reason for the choice").fill("Lowest total price, capacity free")
    with page.expect_navigation():
        page.get_by_role("button", name="Accept the quote and open the process").click()
    visitor.check()
    assert "The quote is accepted" in page.content()

    db.session.expire_all()
    decided = db.session.get(QuoteRound, round_id)
    assert decided.status == RoundStatus.ACCEPTED
    process = db.session.scalar(select(SupervisionProcess))
    assert (process.supervisor_id, process.price_cents) == (second.id, 11050)
