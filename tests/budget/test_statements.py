"""Monthly invoice statements: drafts, freezing, adjustments, exports and who sees them."""

import csv
import io
import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lahti_pool.budget import statements
from lahti_pool.budget.models import InvoiceStatement, StatementStatus
from lahti_pool.budget.services import recompute_costs
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.services import (
    GroupRequestInput,
    RequestInput,
    submit_group_request,
    submit_individual_request,
)
from lahti_pool.sessions.models import (
    ApprovalStatus,
    SessionAttendance,
    SessionStatus,
    SupervisionSession,
)
from tests.tests_support import CONFIRMED

NOW = datetime(2026, 4, 2, 9, tzinfo=UTC)
_clock = itertools.count()


def accept(admin, sup_request, school_year, today, supervisor_id=None):
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    process = matching.accept_assignment(
        admin,
        assignment,
        today,
        supervisor_id=supervisor_id,
        reason="test" if supervisor_id else "",
    ).process
    db.session.commit()
    return process


def individual(admin, client_user, school_year, today, supervisor_id=None):
    sup_request = submit_individual_request(
        client_user,
        RequestInput(
            school_year_id=school_year.id,
            sessions=6,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    return accept(admin, sup_request, school_year, today, supervisor_id)


@pytest.fixture
def process(admin, staff, supervisor, school_year, today):
    """91.00 € a session, VAT 25.50 %."""
    return individual(admin, staff, school_year, today)


def make_session(process, on_date, status=SessionStatus.HELD, approval=ApprovalStatus.APPROVED):
    minute = next(_clock) % 600
    sup_session = SupervisionSession(
        process=process,
        starts_at=datetime.combine(on_date, time(8 + minute // 60, minute % 60), tzinfo=UTC),
        on_date=on_date,
        duration_minutes=60,
        mode="video",
        status=status,
        approval=approval,
        price_cents=process.price_cents,
        attendance=[SessionAttendance(user_id=m.user_id, attended=True) for m in process.members],
    )
    db.session.add(sup_session)
    db.session.flush()
    recompute_costs(sup_session)
    db.session.commit()
    return sup_session


def generate(admin, supervisor, year, month):
    statement = statements.generate_statement(admin, supervisor, year, month, NOW)
    db.session.commit()
    return statement


def send(admin, statement):
    statements.send_statement(admin, statement, NOW)
    db.session.commit()


def test_a_draft_holds_the_months_approved_billable_sessions_with_vat_per_line(
    admin, staff, supervisor, process
):
    make_session(process, date(2026, 3, 2))
    make_session(process, date(2026, 3, 9), SessionStatus.LATE_CANCELLED)
    make_session(process, date(2026, 3, 16), approval=ApprovalStatus.PENDING)  # not yet
    make_session(process, date(2026, 3, 23), SessionStatus.CANCELLED)  # not billable
    make_session(process, date(2026, 4, 1))  # another month
    statement = generate(admin, supervisor, 2026, 3)
    assert statement.status == StatementStatus.DRAFT
    assert [(li.session_date.day, li.net_cents, li.division_code) for li in statement.lines] == [
        (2, 9_100, "PERUS"),
        (9, 9_100, "PERUS"),
    ]
    assert {li.reference for li in statement.lines} == {process.reference}
    # 23.205 € per line, rounded half up to 23.21 €; the statement sums the lines.
    assert (statement.net_cents, statement.vat_cents) == (18_200, 2 * 2_321)
    assert statement.gross_cents == 18_200 + 4_642


def test_regenerating_a_draft_refreshes_it(admin, supervisor, process):
    make_session(process, date(2026, 3, 2))
    statement = generate(admin, supervisor, 2026, 3)
    make_session(process, date(2026, 3, 3))
    again = generate(admin, supervisor, 2026, 3)
    assert again.id == statement.id and len(again.lines) == 2


def test_a_sent_statement_is_frozen(admin, supervisor, process):
    first = make_session(process, date(2026, 3, 2))
    statement = generate(admin, supervisor, 2026, 3)
    send(admin, statement)
    assert statement.status == StatementStatus.SENT
    assert db.session.get(SupervisionSession, first.id).statement_id == statement.id
    assert (statement.net_cents, statement.vat_cents) == (9_100, 2_321)
    with pytest.raises(DomainError, match="cannot change"):
        statements.generate_statement(admin, supervisor, 2026, 3, NOW)
    db.session.rollback()
    with pytest.raises(DomainError):
        statements.send_statement(admin, statement, NOW)
    db.session.rollback()
    statements.mark_paid(admin, statement, NOW)
    db.session.commit()
    assert statement.status == StatementStatus.PAID and statement.net_cents == 9_100


def test_a_late_approval_goes_into_the_next_open_month_as_an_adjustment(admin, supervisor, process):
    make_session(process, date(2026, 3, 2))
    late = make_session(process, date(2026, 3, 30), approval=ApprovalStatus.PENDING)
    march = generate(admin, supervisor, 2026, 3)
    send(admin, march)
    late.approval = ApprovalStatus.APPROVED  # approved after March was sent
    make_session(process, date(2026, 4, 6))
    db.session.commit()
    april = generate(admin, supervisor, 2026, 4)
    march = db.session.get(InvoiceStatement, march.id)
    assert (len(march.lines), march.net_cents) == (1, 9_100)  # unchanged
    assert [(li.session_id, li.is_adjustment, li.note) for li in april.lines][-1] == (
        late.id,
        True,
        statements.LATE,
    )
    assert april.net_cents == 2 * 9_100
    send(admin, april)
    assert db.session.get(SupervisionSession, late.id).statement_id == april.id
    # Billed once: May has nothing more for it.
    assert generate(admin, supervisor, 2026, 5).lines == []


def test_a_change_to_a_billed_session_is_credited_next_month(admin, supervisor, process):
    billed = make_session(process, date(2025, 12, 15))
    send(admin, generate(admin, supervisor, 2025, 12))
    billed.status = SessionStatus.CANCELLED_BY_SUPERVISOR  # corrected after billing
    recompute_costs(billed)
    db.session.commit()
    january = generate(admin, supervisor, 2026, 1)  # across New Year
    [line] = january.lines
    assert (line.session_id, line.net_cents, line.is_adjustment, line.note) == (
        billed.id,
        -9_100,
        True,
        statements.CORRECTION,
    )
    assert (january.net_cents, january.vat_cents) == (-9_100, -2_321)


def test_a_draft_that_went_stale_is_not_sent(admin, supervisor, process):
    make_session(process, date(2026, 3, 2))
    statement = generate(admin, supervisor, 2026, 3)
    make_session(process, date(2026, 3, 3))
    with pytest.raises(DomainError, match="Generate it again"):
        statements.send_statement(admin, statement, NOW)


def test_a_group_session_has_a_line_per_cost_centre(
    admin, staff, make_user, supervisor, school_year, today
):
    vaka = Division(code="VAKA", name_fi="Varhaiskasvatus", name_en="Early education")
    unit = Unit(code="PAJ", name="Pajula", division=vaka)
    db.session.add_all([vaka, unit])
    db.session.commit()
    members = [make_user(), make_user(unit_id=unit.id)]
    sup_request = submit_group_request(
        staff,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=3,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Team",
            member_emails=tuple(m.email for m in members),
        ),
        today,
    )
    db.session.commit()
    group = accept(admin, sup_request, school_year, today)
    make_session(group, date(2026, 3, 4))
    statement = generate(admin, supervisor, 2026, 3)
    assert sorted((li.division_code, li.net_cents) for li in statement.lines) == [
        ("PERUS", 10_000),
        ("VAKA", 5_000),
    ]
    assert statement.vat_cents == 2_550 + 1_275


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_and_xlsx_hold_the_lines_and_totals_to_the_cent(
    client, admin, staff, supervisor, process
):
    make_session(process, date(2026, 3, 2))
    make_session(process, date(2026, 3, 9))
    statement = generate(admin, supervisor, 2026, 3)
    client.login(admin)
    response = client.get(f"/statements/{statement.id}.csv")
    assert response.mimetype == "text/csv"
    rows = _csv_rows(response.get_data(as_text=True))
    assert rows[0][:6] == [
        "Date",
        "Kind",
        "Duration (min)",
        "Cost centre",
        "Reference",
        "Net (EUR)",
    ]
    assert rows[1][:9] == [
        "2026-03-02",
        "Individual supervision",
        "60",
        "PERUS",
        process.reference,
        "91.00",
        "25.50",
        "23.21",
        "114.21",
    ]
    assert rows[-1][0] == "Total"
    assert rows[-1][5:9] == ["182.00", "", "46.42", "228.42"]
    text = response.get_data(as_text=True)
    assert staff.name not in text and staff.email not in text

    response = client.get(f"/statements/{statement.id}.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][5] == "Net (EUR)"
    net = sum(Decimal(str(r[5])) for r in values[1:-1])
    vat = sum(Decimal(str(r[7])) for r in values[1:-1])
    assert values[-1][0] == "Total"
    assert Decimal(str(values[-1][5])) == net == Decimal("182.00")
    assert Decimal(str(values[-1][7])) == vat == Decimal("46.42")
    assert Decimal(str(values[-1][8])) == Decimal("228.42")
    assert values[1][0].date() == date(2026, 3, 2)
    details = {r[0].value: r[1].value for r in book.worksheets[1].iter_rows()}
    assert details["Business ID"] == supervisor.business_id
    assert staff.name not in str(values) + str(details)


def test_a_supervisor_sees_only_their_own_statements(
    client, admin, staff, other_staff, supervisor, make_supervisor, process, school_year, today
):
    other = make_supervisor(name="Yrjö Other", rank=2)
    other_process = individual(admin, other_staff, school_year, today, supervisor_id=other.id)
    make_session(process, date(2026, 3, 2))
    make_session(other_process, date(2026, 3, 3))
    mine = generate(admin, supervisor, 2026, 3)
    theirs = generate(admin, other, 2026, 3)
    client.login(supervisor.user)
    assert client.get(f"/statements/{mine.id}").status_code == 200
    for url in (
        f"/statements/{theirs.id}",
        f"/statements/{theirs.id}.csv",
        f"/statements/{theirs.id}.xlsx",
    ):
        assert client.get(url).status_code == 403, url
    listing = client.get("/statements").get_data(as_text=True)
    assert f"/statements/{mine.id}" in listing and f"/statements/{theirs.id}" not in listing
    assert client.post(f"/admin/statements/{mine.id}/send", data=CONFIRMED).status_code == 403
    client.login(staff)
    assert client.get(f"/statements/{mine.id}").status_code == 403


def test_the_admin_generates_sends_and_pays_through_the_pages(client, admin, supervisor, process):
    make_session(process, date(2026, 3, 2))
    client.login(admin)
    response = client.post(
        "/admin/statements/generate", data={"supervisor": supervisor.id, "month": "2026-03"}
    )
    statement = db.session.scalar(select(InvoiceStatement))
    assert response.headers["Location"].endswith(f"/statements/{statement.id}")
    page = client.get(f"/statements/{statement.id}").get_data(as_text=True)
    assert 'id="net"><data value="9100"' in page
    client.post(f"/admin/statements/{statement.id}/send", data=CONFIRMED)
    client.post(f"/admin/statements/{statement.id}/paid")
    statement = db.session.get(InvoiceStatement, statement.id)
    assert statement.status == StatementStatus.PAID
    listing = client.get("/admin/statements").get_data(as_text=True)
    assert "March 2026" in listing and "Paid" in listing


def test_a_finnish_reader_gets_a_csv_excel_opens_in_columns_and_xlsx_offered_first(
    client, admin, staff, supervisor, process
):
    make_session(process, date(2026, 3, 2))
    make_session(process, date(2026, 3, 9))
    statement = generate(admin, supervisor, 2026, 3)
    admin.locale = "fi"
    db.session.commit()
    client.login(admin)
    raw = client.get(f"/statements/{statement.id}.csv").data
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {len(row) for row in rows} == {11}  # every row splits into its 11 columns
    assert rows[0][:2] == ["Päivämäärä", "Laji"] or rows[0][0] != "Date"
    assert rows[1][0] == "2026-03-02"
    assert rows[1][5:9] == ["91,00", "25,50", "23,21", "114,21"]
    assert rows[-1][5:9] == ["182,00", "", "46,42", "228,42"]
    page = client.get(f"/statements/{statement.id}").text
    assert page.index(f"/statements/{statement.id}.xlsx") < page.index(
        f"/statements/{statement.id}.csv"
    )


def test_a_swedish_reader_gets_semicolons_and_an_english_one_commas(
    client, admin, staff, supervisor, process
):
    make_session(process, date(2026, 3, 2))
    statement = generate(admin, supervisor, 2026, 3)
    client.login(admin)
    for locale, delimiter, net in (("sv", ";", "91,00"), ("en", ",", "91.00")):
        admin.locale = locale
        db.session.commit()
        text = client.get(f"/statements/{statement.id}.csv").data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert {len(row) for row in rows} == {11}
        assert rows[1][5] == net


def test_marking_a_statement_sent_asks_first_and_a_bare_post_sends_nothing(
    client, admin, supervisor, process
):
    make_session(process, date(2026, 3, 2))
    client.login(admin)
    client.post(
        "/admin/statements/generate", data={"supervisor": supervisor.id, "month": "2026-03"}
    )
    statement = db.session.scalar(select(InvoiceStatement))
    url = f"/admin/statements/{statement.id}/send"
    assert f'href="{url}"' in client.get(f"/statements/{statement.id}").text
    page = client.get(url).text
    assert "Mark the statement sent?" in page
    assert "The statement is frozen as it is now" in page
    assert "March 2026" in page
    assert 'name="confirmed" value="yes"' in page and 'name="csrf_token"' in page
    assert f'href="/statements/{statement.id}">No, keep it a draft' in page
    bare = client.post(url)
    assert bare.status_code == 200 and "Mark the statement sent?" in bare.text
    assert db.session.get(InvoiceStatement, statement.id).status == StatementStatus.DRAFT
    client.post(url, data=CONFIRMED)
    db.session.expire_all()
    assert db.session.get(InvoiceStatement, statement.id).status == StatementStatus.SENT
