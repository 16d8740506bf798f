"""A group across organisations: the city and two guest organisations share the cost by a
key chosen at acceptance, each organisation's budget is guarded, each gets a statement
that sums to the cent, and a later change of key re-splits only sessions not yet approved.

``open_group`` opens the group from a ``ProcessOrder``: the quotes step (another item of
issue 18) builds its order and goes through the same helper.
"""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role
from lahti_pool.budget import ledger
from lahti_pool.budget.cost_keys import change_cost_key
from lahti_pool.budget.costkey import CITY, CostKey
from lahti_pool.budget.guard import BudgetExceeded
from lahti_pool.budget.models import Budget, SessionCost
from lahti_pool.budget.org_statements import organisation_statement
from lahti_pool.budget.services import approve_sessions
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Division, Organisation, Unit
from lahti_pool.requests.models import RequestKind
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions import services as session_services
from lahti_pool.sessions.models import ApprovalStatus, SessionStatus, SupervisionProcess
from lahti_pool.sessions.processes import ProcessClient, ProcessOrder, open_process

PRICE = 15000  # the group price of make_supervisor, cents without VAT


def _guest(name: str, code: str):
    org = Organisation(name=name, contact_name=f"Contact of {name}")
    division = Division(code=code, name_fi=name, name_en=name, organisation=org)
    unit = Unit(code=f"{code}-U", name=f"{name} education office", division=division)
    db.session.add_all([org, division, unit])
    db.session.commit()
    return org, division, unit


@pytest.fixture
def orgs(ctx, division, unit, make_user):
    """The city (PERUS) and two guest organisations, with the group's members and each
    guest's official (Role.GUEST in a unit of its division)."""
    saue, saue_div, saue_unit = _guest("Saue vald", "SAUE")
    rae, rae_div, rae_unit = _guest("Rae vald", "RAE")
    people = {
        "city": [make_user(name="City One"), make_user(name="City Two")],
        "saue": [make_user(name="Saue One", unit_id=saue_unit.id)],
        "rae": [make_user(name="Rae One", unit_id=rae_unit.id)],
    }
    officials = {
        "saue": make_user(name="Saue Official", unit_id=saue_unit.id, roles={Role.GUEST}),
        "rae": make_user(name="Rae Official", unit_id=rae_unit.id, roles={Role.GUEST}),
    }
    return {
        "saue": saue,
        "rae": rae,
        "division": {"city": division, "saue": saue_div, "rae": rae_div},
        "people": people,
        "officials": officials,
    }


def _group_request(orgs, school_year, today, sessions=4):
    organiser, *others = [u for members in orgs["people"].values() for u in members]
    sup_request = submit_group_request(
        organiser,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=sessions,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Harju education officials",
            member_emails=tuple(u.email for u in others),
        ),
        today,
    )
    db.session.commit()
    return sup_request


def group_order(sup_request, supervisor, today, **key) -> ProcessOrder:
    """The order that opens the group (what the matching acceptance or a quote builds)."""
    people = [m.user for m in sup_request.participating_members]
    return ProcessOrder(
        kind=RequestKind.GROUP,
        supervisor=supervisor,
        school_year=sup_request.school_year,
        sessions=sup_request.sessions_requested,
        clients=tuple(
            ProcessClient(u.id, sup_request.id, u.unit.division_id, sup_request.sessions_requested)
            for u in people
        ),
        rule="ranking",
        grounds=[],
        fiscal_year=today.year,
        request=sup_request,
        **key,
    )


def open_group(admin, order: ProcessOrder) -> SupervisionProcess:
    """Open the group through the one process home; the quotes step puts itself here."""
    process = open_process(admin, order).process
    db.session.commit()
    return process


SHARES = {"cost_key": CostKey.SHARES}


def _shares(orgs, city=5000, saue=3000, rae=2000) -> dict[int, int]:
    return {CITY: city, orgs["saue"].id: saue, orgs["rae"].id: rae}


def _day(today: date, n: int) -> date:
    """The n-th day of this month: always in the school year of ``today``."""
    return today.replace(day=n)


def _hold(supervisor, process, on_date: date, attendees, approve_by=None):
    """Plan, log (held, by ``attendees``) and optionally approve one session."""
    sup_user = supervisor.user
    start = datetime.combine(on_date, time(9), tzinfo=UTC)
    data = session_services.SessionInput(
        on_date=on_date, at=time(12), duration_minutes=90, mode="video"
    )
    sup_session, _ = session_services.plan_session(sup_user, process, data, start)
    db.session.commit()
    log = session_services.LogInput(SessionStatus.HELD, 90, frozenset(u.id for u in attendees))
    session_services.log_session(sup_user, sup_session, log, start + timedelta(days=1))
    if approve_by is not None:
        approve_sessions(approve_by, [sup_session], start + timedelta(days=1))
    db.session.commit()
    return sup_session


def _by_org(sup_session, orgs) -> dict[str, int]:
    out = {}
    for name, division in orgs["division"].items():
        out[name] = sum(c.amount_cents for c in sup_session.costs if c.division_id == division.id)
    return out


def test_three_organisations_from_acceptance_to_statements(
    admin, orgs, supervisor, school_year, today
):
    sup_request = _group_request(orgs, school_year, today)
    process = open_group(
        admin, group_order(sup_request, supervisor, today, **SHARES, cost_shares=_shares(orgs))
    )
    assert (process.cost_key, process.cost_shares) == (
        "shares",
        {"0": 5000, str(orgs["saue"].id): 3000, str(orgs["rae"].id): 2000},
    )
    everyone = [u for members in orgs["people"].values() for u in members]
    without_rae = [u for u in everyone if u not in orgs["people"]["rae"]]
    held = [
        _hold(supervisor, process, _day(today, 1), everyone, approve_by=admin),
        # Rae's member is away: Rae still pays its agreed share
        _hold(supervisor, process, _day(today, 2), without_rae, approve_by=admin),
        _hold(supervisor, process, _day(today, 3), everyone, approve_by=admin),
    ]
    for s in held:
        assert _by_org(s, orgs) == {"city": 7500, "saue": 4500, "rae": 3000}
    statements = {
        "city": organisation_statement(CITY, today.year, today.month),
        "saue": organisation_statement(orgs["saue"].id, today.year, today.month),
        "rae": organisation_statement(orgs["rae"].id, today.year, today.month),
    }
    assert [s.net_cents for s in statements.values()] == [22500, 13500, 9000]
    assert (
        sum(s.net_cents for s in statements.values())
        == 3 * PRICE
        == sum(s.price_cents for s in held)
    )
    for statement in statements.values():
        assert len(statement.lines) == 3
        assert statement.net_cents == sum(li.share_cents for li in statement.lines)
        assert statement.vat_cents == sum(li.vat_cents for li in statement.lines)
    assert statements["saue"].lines[0].vat_cents == 1148  # 25.5 % of 45.00 €, half up
    assert statements["saue"].name == "Saue vald"
    assert ledger.differences() == []


def test_equal_per_organisation_splits_inside_the_city_by_attendance(
    admin, orgs, supervisor, school_year, today, make_user
):
    vaka = Division(code="VAKA", name_fi="Varhaiskasvatus", name_en="Early education")
    vaka_unit = Unit(code="PAJ", name="Pajulan päiväkoti", division=vaka)
    db.session.add_all([vaka, vaka_unit])
    db.session.commit()
    orgs["people"]["city"].append(make_user(name="City Vaka", unit_id=vaka_unit.id))
    sup_request = _group_request(orgs, school_year, today)
    process = open_group(admin, group_order(sup_request, supervisor, today, cost_key=CostKey.EQUAL))
    everyone = [u for members in orgs["people"].values() for u in members]
    s = _hold(supervisor, process, _day(today, 1), everyone, approve_by=admin)
    costs = {c.division_id: c.amount_cents for c in s.costs}
    # 150.00 € in thirds; the city's third between PERUS (2 attending) and VAKA (1)
    assert costs == {
        orgs["division"]["city"].id: 3333,
        vaka.id: 1667,  # the larger remainder (2/3 of a cent) takes the cent
        orgs["division"]["saue"].id: 5000,
        orgs["division"]["rae"].id: 5000,
    }
    assert ledger.differences() == []


def test_attendance_stays_todays_rule_for_every_other_caller(
    admin, orgs, supervisor, school_year, today
):
    sup_request = _group_request(orgs, school_year, today)
    process = open_group(admin, group_order(sup_request, supervisor, today))
    assert process.cost_key == "attendance" and process.cost_shares is None
    everyone = [u for members in orgs["people"].values() for u in members]
    s = _hold(supervisor, process, _day(today, 1), everyone)
    assert _by_org(s, orgs) == {"city": 7500, "saue": 3750, "rae": 3750}


def test_a_guest_organisations_budget_is_guarded(admin, orgs, supervisor, school_year, today):
    # Saue's 30 % of 4 sessions × 150.00 € is 180.00 €, over its 160.00 € budget (by
    # attendance, a quarter, it would be 150.00 € and pass: the key is what is guarded)
    db.session.add(
        Budget(fiscal_year=today.year, division_id=orgs["division"]["saue"].id, amount_cents=16000)
    )
    db.session.commit()
    sup_request = _group_request(orgs, school_year, today)
    order = group_order(sup_request, supervisor, today, **SHARES, cost_shares=_shares(orgs))
    with pytest.raises(BudgetExceeded):
        open_process(admin, order)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0
    from dataclasses import replace

    open_process(admin, replace(order, cost_key=CostKey.ATTENDANCE, cost_shares={}))
    db.session.rollback()

    process = open_group(admin, replace(order, budget_override_reason="Agreed with Saue"))
    assert process.id is not None


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        (lambda o: {CITY: 5000, o["saue"].id: 3000, o["rae"].id: 1999}, "add up to 99.99"),
        (lambda o: {CITY: 5000, o["saue"].id: 5000, 999_999: 0}, "no member in this group"),
        (lambda o: {CITY: 12000, o["saue"].id: -2000, o["rae"].id: 0}, "negative"),
    ],
)
def test_bad_shares_are_refused_and_nothing_is_saved(
    admin, orgs, supervisor, school_year, today, shares, message
):
    sup_request = _group_request(orgs, school_year, today)
    order = group_order(sup_request, supervisor, today, **SHARES, cost_shares=shares(orgs))
    with pytest.raises(DomainError, match=message):
        open_process(admin, order)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0


def test_changing_the_key_resplits_only_sessions_not_yet_approved(
    client, admin, orgs, supervisor, school_year, today
):
    sup_request = _group_request(orgs, school_year, today)
    process = open_group(
        admin, group_order(sup_request, supervisor, today, **SHARES, cost_shares=_shares(orgs))
    )
    everyone = [u for members in orgs["people"].values() for u in members]
    approved = _hold(supervisor, process, _day(today, 1), everyone, approve_by=admin)
    pending = _hold(supervisor, process, _day(today, 2), everyone)
    client.login(admin)
    url = f"/admin/processes/{process.id}/cost-key"
    assert "Sessions not yet approved" in client.get(url).get_data(as_text=True)
    # no reason: refused, nothing changes
    page = client.post(url, data={"cost_key": "equal", "reason": ""}).get_data(as_text=True)
    assert "Give the reason for changing the cost key." in page
    db.session.expire_all()
    assert db.session.get(SupervisionProcess, process.id).cost_key == "shares"
    # bad shares: refused with the message, nothing changes
    bad = {
        "cost_key": "shares",
        "reason": "Rae joins fully",
        "share-0": "60",
        f"share-{orgs['saue'].id}": "30",
        f"share-{orgs['rae'].id}": "20",
    }
    page = client.post(url, data=bad).get_data(as_text=True)
    assert "they must add up to exactly 100" in page
    response = client.post(url, data={"cost_key": "equal", "reason": "Rae joins fully"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 session not yet approved was split again" in page
    db.session.expire_all()
    assert _by_org(db.session.get(type(approved), approved.id), orgs) == {
        "city": 7500,
        "saue": 4500,
        "rae": 3000,
    }
    assert _by_org(db.session.get(type(pending), pending.id), orgs) == {
        "city": 5000,
        "saue": 5000,
        "rae": 5000,
    }
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "process.cost_key_changed")
    )
    assert event.details["reason"] == "Rae joins fully" and event.details["resplit"] == 1
    assert ledger.differences() == []


def test_a_key_change_guards_the_budget_it_adds_to(admin, orgs, supervisor, school_year, today):
    sup_request = _group_request(orgs, school_year, today)
    process = open_group(admin, group_order(sup_request, supervisor, today))
    everyone = [u for members in orgs["people"].values() for u in members]
    _hold(supervisor, process, _day(today, 1), everyone)
    db.session.add(
        Budget(fiscal_year=today.year, division_id=orgs["division"]["rae"].id, amount_cents=4000)
    )
    db.session.commit()
    with pytest.raises(BudgetExceeded):  # Rae: 37.50 € → 50.00 € of a 40.00 € budget
        change_cost_key(admin, process, "equal", {}, "Equal after all")
    db.session.rollback()
    assert db.session.get(SupervisionProcess, process.id).cost_key == "attendance"


def test_the_acceptance_form_asks_for_the_key_of_a_group_across_organisations(
    client, admin, orgs, supervisor, school_year, today
):
    sup_request = _group_request(orgs, school_year, today)
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    client.login(admin)
    url = f"/admin/matching/assignments/{assignment.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Cost key" in page and f'name="share-{orgs["rae"].id}"' in page
    form = {
        "supervisor": "0",
        "cost_key": "shares",
        "share-0": "50",
        f"share-{orgs['saue'].id}": "30",
        f"share-{orgs['rae'].id}": "25",
    }
    page = client.post(url + "/accept", data=form).get_data(as_text=True)
    assert "The shares add up to 105" in page
    assert 'value="25"' in page  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0
    form[f"share-{orgs['rae'].id}"] = "20"
    assert client.post(url + "/accept", data=form).status_code == 302
    process = db.session.scalar(select(SupervisionProcess))
    assert process.cost_key == "shares"
    assert process.cost_shares[str(orgs["saue"].id)] == 3000


def test_one_organisation_group_shows_no_key(
    client, admin, staff, make_user, supervisor, school_year, today
):
    sup_request = submit_group_request(
        staff,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=3,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Team",
            member_emails=(make_user().email, make_user().email),
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    client.login(admin)
    page = client.get(f"/admin/matching/assignments/{assignment.id}").get_data(as_text=True)
    assert "Cost key" not in page


def test_each_guest_official_reads_only_their_own_statement(
    client, admin, orgs, supervisor, school_year, today
):
    sup_request = _group_request(orgs, school_year, today)
    process = open_group(
        admin, group_order(sup_request, supervisor, today, **SHARES, cost_shares=_shares(orgs))
    )
    everyone = [u for members in orgs["people"].values() for u in members]
    _hold(supervisor, process, _day(today, 1), everyone, approve_by=admin)
    saue, rae = orgs["saue"].id, orgs["rae"].id
    month = f"{today.year}-{today.month:02d}"
    client.login(orgs["officials"]["saue"])
    page = client.get(f"/organisation-statements?month={month}").get_data(as_text=True)
    assert 'data value="4500"' in page and "Saue vald" in page
    # asking for Rae's on the page still shows Saue's own
    page = client.get(f"/organisation-statements?month={month}&organisation={rae}")
    assert "Rae vald" not in page.get_data(as_text=True)
    base = f"/organisation-statements/{{}}/{today.year}/{today.month}"
    assert client.get(base.format(rae) + ".csv").status_code == 403
    assert client.get(base.format(CITY) + ".csv").status_code == 403
    body = client.get(base.format(saue) + ".csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1][3] == process.reference and rows[1][5] == "45.00"
    assert rows[-1][5] == "45.00" and "City One" not in body
    client.login(admin)
    for org, net in ((CITY, 75), (saue, 45), (rae, 30)):
        data = client.get(base.format(org) + ".xlsx", headers={"Accept-Language": "en"}).data
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet.cell(sheet.max_row, 6).value == net
    assert client.get(base.format(999_999) + ".csv").status_code == 404


def test_staff_and_supervisors_cannot_read_organisation_statements(client, orgs, staff, supervisor):
    client.login(staff)
    assert client.get("/organisation-statements").status_code == 403
    client.login(supervisor.user)
    assert client.get("/organisation-statements/0/2026/1.csv").status_code == 403


def test_the_ledger_rows_of_a_shared_session_are_one_per_division(
    admin, orgs, supervisor, school_year, today
):
    sup_request = _group_request(orgs, school_year, today)
    process = open_group(
        admin, group_order(sup_request, supervisor, today, **SHARES, cost_shares=_shares(orgs))
    )
    everyone = [u for members in orgs["people"].values() for u in members]
    s = _hold(supervisor, process, _day(today, 1), everyone)
    assert s.approval == ApprovalStatus.PENDING
    rows = db.session.scalars(select(SessionCost).where(SessionCost.session_id == s.id)).all()
    assert sorted(r.amount_cents for r in rows) == [3000, 4500, 7500]


def test_an_individual_process_takes_no_cost_key(
    client, admin, staff, supervisor, school_year, today
):
    from lahti_pool.requests.services import RequestInput, submit_individual_request

    sup_request = submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    client.login(admin)
    page = client.post(
        f"/admin/matching/assignments/{assignment.id}/accept",
        data={"supervisor": "0", "cost_key": "equal"},
    ).get_data(as_text=True)
    assert "Only a group shares its cost by a key." in page
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0


def test_three_organisations_from_quotes_to_statements(
    client, admin, orgs, make_supervisor, school_year, today
):
    """Issue 18's whole path: the organiser asks two supervisors for quotes, both answer,
    the administrator accepts the cheaper one on its page with fixed shares, the sessions
    are held and approved at the quoted price, and each organisation's statement sums to
    the cent."""
    from lahti_pool.quotes import services as quotes

    sup_request = _group_request(orgs, school_year, today)
    organiser = sup_request.requester
    first, second = (
        make_supervisor(name="Quoting One", rank=1),
        make_supervisor(name="Quoting Two", rank=2),
    )
    quote_round = quotes.ask_for_quotes(
        organiser,
        sup_request,
        quotes.RoundInput(
            (first.id, second.id), 3, today, today + timedelta(days=90), "Officials' group"
        ),
        today,
    )
    db.session.commit()
    prices = {first.id: 16000, second.id: 12345}
    for quote in quote_round.quotes:
        quotes.give_quote(
            quote.supervisor.user,
            quote,
            quotes.QuoteInput(prices[quote.supervisor_id], today + timedelta(days=30)),
            today,
        )
    db.session.commit()
    chosen = next(q for q in quote_round.quotes if q.supervisor_id == second.id)

    client.login(admin)
    page = client.get(f"/quote-rounds/{quote_round.id}").get_data(as_text=True)
    assert 'name="cost_key"' in page  # three organisations: the key is asked
    form = {
        "quote": chosen.id,
        "reason": "The lower price for the same scope",
        "cost_key": "shares",
        "share-0": "50",
        f"share-{orgs['saue'].id}": "30",
        f"share-{orgs['rae'].id}": "19,99",
    }
    refused = client.post(f"/quote-rounds/{quote_round.id}/accept", data=form)
    assert refused.status_code == 400 and "99.99" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0
    form[f"share-{orgs['rae'].id}"] = "20"
    accepted = client.post(f"/quote-rounds/{quote_round.id}/accept", data=form)
    assert accepted.status_code == 302
    process = db.session.scalar(select(SupervisionProcess))
    assert process.supervisor_id == second.id and process.price_cents == 12345
    assert process.cost_key == "shares"

    everyone = [u for members in orgs["people"].values() for u in members]
    held = [_hold(second, process, _day(today, n), everyone, approve_by=admin) for n in (1, 2, 3)]
    # 123.45 € by 50/30/20: 61.725 / 37.035 / 24.69 → the city's larger remainder takes the cent
    for s in held:
        assert _by_org(s, orgs) == {"city": 6173, "saue": 3703, "rae": 2469}
    statements = [
        organisation_statement(key, today.year, today.month)
        for key in (CITY, orgs["saue"].id, orgs["rae"].id)
    ]
    assert [s.net_cents for s in statements] == [3 * 6173, 3 * 3703, 3 * 2469]
    assert sum(s.net_cents for s in statements) == 3 * 12345
    assert ledger.differences() == []
