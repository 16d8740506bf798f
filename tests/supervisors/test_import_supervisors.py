"""``flask pool import-supervisors``: all or nothing, keyed by e-mail, every bad row reported."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import Supervisor, SupervisorKind, SupervisorLoad

HEADER = (
    "email,name,company_name,business_id,kind,agreement,rank,contract_start,contract_end,"
    "price_individual_eur,price_group_eur,capacity_sessions,capacity_processes,languages,"
    "modes,kinds,divisions,areas,qualifications,bio\n"
)
GOOD = (
    "helena@ohjaus.fi,Helena Hyvä,Hyvän Ohjaus Oy,0112038-9,contracted,2025-123456,2,"
    '2025-08-01,2027-07-31,"85,50",120,40,5,fi sv,video phone,individual group,PERUS,'
    '"Keskusta, Ahtiala",STOry-työnohjaaja,"Opettajien työnohjausta.\nMyös ryhmiä."\n'
    "seppo@lahti.fi,Seppo Supervisor,Sepon Ohjaus,1572860-0,contracted,"
    "Työnohjauksen puitesopimus 2025–2028,1,,,91.00,150.00,20,4,fi en,on_site,individual,"
    "PERUS,,,\n"
    "ilkka@lahti.fi,Ilkka Internal,,,internal,,,,,0,0,10,2,fi,phone,group,,,,\n"
)


@pytest.fixture
def import_file(ctx, tmp_path, agreement, division, unit):
    """Run the import on ``content`` (text or raw bytes); returns the click result."""

    def run(content: str | bytes):
        path = tmp_path / "supervisors.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return ctx.test_cli_runner().invoke(args=["pool", "import-supervisors", str(path)])

    return run


@pytest.fixture
def seppo(supervisor):
    """The supervisor in the database whom the file's second row updates."""
    supervisor.user.email = "seppo@lahti.fi"
    db.session.commit()
    return supervisor


def _supervisors() -> dict[str, Supervisor]:
    return {s.user.email: s for s in db.session.scalars(select(Supervisor))}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_good_file_creates_users_and_supervisors(import_file, seppo, agreement, division):
    result = import_file("\ufeff" + HEADER + GOOD)
    assert result.exit_code == 0, result.output
    assert "Created 2, updated 1, unchanged 0 supervisor(s); 2 new user account(s)." in (
        result.output
    )
    sups = _supervisors()
    helena = sups["helena@ohjaus.fi"]
    assert (helena.agreement_id, helena.rank, helena.business_id) == (agreement.id, 2, "0112038-9")
    assert (helena.price_individual_cents, helena.price_group_cents) == (8550, 12000)
    assert (helena.capacity_sessions, helena.capacity_processes) == (40, 5)
    assert (helena.languages, helena.modes, helena.kinds) == (
        ["fi", "sv"],
        ["video", "phone"],
        ["individual", "group"],
    )
    assert [d.code for d in helena.divisions] == ["PERUS"]
    assert helena.areas == ["Keskusta", "Ahtiala"]
    assert helena.bio == "Opettajien työnohjausta.\nMyös ryhmiä."
    assert helena.contract_ends_on == date(2027, 7, 31)
    assert helena.user.name == "Helena Hyvä" and helena.user.password_hash is None
    assert helena.user.roles == {Role.SUPERVISOR}
    assert sups["ilkka@lahti.fi"].kind == SupervisorKind.INTERNAL
    assert sups["ilkka@lahti.fi"].agreement_id is None
    seppo = sups["seppo@lahti.fi"]
    assert seppo.company_name == "Sepon Ohjaus" and seppo.modes == ["on_site"]
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("supervisor.created") == 2
    assert "supervisor.updated" in actions and "supervisors.imported" in actions


def test_importing_the_same_file_again_changes_nothing(import_file):
    assert import_file(HEADER + GOOD).exit_code == 0
    result = import_file(HEADER + GOOD)
    assert result.exit_code == 0, result.output
    assert "Created 0, updated 0, unchanged 3 supervisor(s); 0 new user account(s)." in (
        result.output
    )


def test_an_existing_user_keeps_their_name_and_gets_the_role(import_file, make_user):
    user = make_user(name="Helena H. Hyvä", email="Helena@Ohjaus.fi")
    assert import_file(HEADER + GOOD).exit_code == 0
    db.session.refresh(user)
    assert user.name == "Helena H. Hyvä"
    assert user.roles == {Role.STAFF, Role.SUPERVISOR}


def test_bad_file_lists_every_bad_row_and_imports_nothing(import_file, seppo):
    rows = [
        # line 2: fine on its own
        "a@ohjaus.fi,A,A Oy,0112038-9,contracted,2025-123456,5,,,80,100,10,2,fi,video,"
        "individual,PERUS,,,",
        # line 3: unknown agreement
        "b@ohjaus.fi,B,B Oy,0112038-9,contracted,No such agreement,6,,,80,100,10,2,fi,video,"
        "individual,,,,",
        # line 4: rank 1 is Seppo's in the database
        "c@ohjaus.fi,C,C Oy,0112038-9,contracted,2025-123456,1,,,80,100,10,2,fi,video,"
        "individual,,,,",
        # line 5: rank 5 again (line 2 has it)
        "d@ohjaus.fi,D,D Oy,0112038-9,contracted,2025-123456,5,,,80,100,10,2,fi,video,"
        "individual,,,,",
        # line 6: bad business ID, negative price, negative capacity
        "e@ohjaus.fi,E,E Oy,0112038-8,contracted,2025-123456,7,,,-80,100,-1,2,fi,video,"
        "individual,,,,",
        # line 7: ends before it starts, unknown division
        "f@ohjaus.fi,F,F Oy,0112038-9,contracted,2025-123456,8,2026-01-01,2025-12-31,80,100,"
        "10,2,fi,video,individual,NOPE,,,",
    ]
    result = import_file(HEADER + "\n".join(rows) + "\n")
    assert result.exit_code == 1
    out = result.output
    assert "line 3: agreement 'No such agreement' is not a known framework agreement" in out
    assert "line 4: rank 1 in '2025-123456' is already held by seppo@lahti.fi" in out
    assert "line 5: rank 5 in '2025-123456' is already on line 2" in out
    assert "line 6: business_id: This is not a valid business ID" in out
    assert "line 6: price_individual_eur: A price cannot be negative." in out
    assert "line 6: capacity_sessions: Capacity cannot be negative." in out
    assert "line 7: contract_end: The end date cannot be before the start date." in out
    assert "line 7: divisions: unknown division code(s) 'NOPE'" in out
    assert "line 2:" not in out
    assert "5 line(s) of " in out and "supervisors.csv have errors" in out
    assert "Nothing was imported" in out
    assert _count(Supervisor) == 1
    assert _count(User) == 1  # Seppo only: no user was created for a, b, ...
    assert _count(AuditEvent) == 0


def test_missing_and_unknown_columns_are_refused(import_file):
    result = import_file("email,name,kind,e-mail\nx@y.fi,X,internal,\n")
    assert result.exit_code == 1
    assert "line 1: missing column(s): price_individual_eur" in result.output
    assert "line 1: unknown column(s): e-mail" in result.output


def test_a_semicolon_separated_file_from_excel_is_read(import_file):
    text = (HEADER + GOOD).replace(",", ";")
    text = text.replace('"85;50"', '"85,50"').replace('"Keskusta; Ahtiala"', "Keskusta, Ahtiala")
    result = import_file(text)
    assert result.exit_code == 0, result.output
    assert _supervisors()["helena@ohjaus.fi"].price_individual_cents == 8550


def test_non_utf8_file_is_refused_naming_the_bad_lines(import_file):
    result = import_file((HEADER + GOOD).encode("utf-8").replace("ä".encode(), b"\xe4"))
    assert result.exit_code == 1
    assert "not UTF-8 text (bad bytes on line(s) 2, 3)" in result.output
    assert _count(Supervisor) == 0


def test_oversized_file_is_refused(import_file, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAX_IMPORT_BYTES", 100)
    result = import_file(HEADER + GOOD)
    assert result.exit_code == 1
    assert "is larger than 100 bytes" in result.output
    assert _count(Supervisor) == 0


def test_a_lowered_capacity_below_what_is_granted_refuses_the_whole_file(
    import_file, seppo, school_year
):
    db.session.add(
        SupervisorLoad(supervisor_id=seppo.id, school_year_id=school_year.id, sessions_granted=15)
    )
    db.session.commit()
    result = import_file(HEADER + GOOD.replace(",91.00,150.00,20,4,", ",91.00,150.00,10,4,"))
    assert result.exit_code == 1
    # line 4: the bio on line 2 goes on to line 3
    assert "line 4: 15 sessions are already granted this school year" in result.output
    assert _count(Supervisor) == 1 and _count(User) == 1


def test_header_without_rows_is_refused(import_file):
    result = import_file(HEADER)
    assert result.exit_code == 1
    assert "the file has a header but no supervisor rows" in result.output


def _documented(kind: str) -> str:
    """The ```csv or ```text block of docs/import-supervisors.md."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "import-supervisors.md").read_text()
    return docs.split(f"```{kind}\n", 1)[1].split("```", 1)[0]


def test_the_documented_example_imports(import_file):
    result = import_file(_documented("csv"))
    assert result.exit_code == 0, result.output
    assert "Created 3, updated 0, unchanged 0 supervisor(s); 3 new user account(s)." in (
        result.output
    )


def test_the_documented_error_output_is_what_the_command_prints(import_file):
    bad = (
        _documented("csv")
        .replace(",2025-123456,2,", ",2025-999999,2,")
        .replace("1572860-0", "1572860-1")
        .replace(",91.00,150.00,", ",91.00,-150.00,")
    )
    result = import_file(bad)
    assert result.exit_code == 1
    expected = _documented("text").splitlines()
    got = result.output.splitlines()
    assert got[:3] == expected[:3]
    assert got[3].startswith("Error: 2 line(s) of ")
    assert got[3].endswith(expected[3].split("supervisors.csv", 1)[1])
    assert _count(Supervisor) == 0


def test_messages_are_in_english_whatever_the_default_locale(import_file, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "BABEL_DEFAULT_LOCALE", "fi")
    result = import_file(HEADER + GOOD.replace(",1572860-0,", ",1572860-1,"))
    assert "line 4: business_id: This is not a valid business ID (Y-tunnus)." in result.output
