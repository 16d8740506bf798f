"""``flask pool import-staff``: all or nothing, keyed by e-mail, every bad row reported."""

import pytest
from sqlalchemy import func, select
from tests_support import PASSWORD

from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.passwords import verify_password
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.organisation.importer import OrgLookup, read_csv, validate_rows
from lahti_pool.organisation.models import Unit

HEADER = "email,name,job_title,unit_code,division_code,unit_name,locale\n"


@pytest.fixture
def import_file(ctx, unit, tmp_path):
    """Run the import on ``text`` (or raw ``bytes``); returns the click result."""

    def run(content: str | bytes, encoding: str = "utf-8"):
        path = tmp_path / "staff.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        runner = ctx.test_cli_runner()
        return runner.invoke(args=["pool", "import-staff", str(path)])

    return run


def _users() -> dict[str, User]:
    return {u.email: u for u in db.session.scalars(select(User))}


def _count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_good_file_creates_staff_without_passwords(import_file, unit):
    result = import_file(
        HEADER + "Maija.Meikalainen@Lahti.fi,Maija Meikäläinen,Luokanopettaja,KIV,,,fi\n"
        "pekka.puupaa@lahti.fi,Pekka Puupää,Koulunkäynninohjaaja,KIV,,,en\n"
        "liisa.laine@lahti.fi,Liisa Laine,,KIV,,,\n"
        "svea.svensson@lahti.fi,Svea Svensson,Lärare,KIV,,,sv\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created 4, updated 0, unchanged 0" in result.output
    users = _users()
    assert sorted(users) == [
        "liisa.laine@lahti.fi",
        "maija.meikalainen@lahti.fi",
        "pekka.puupaa@lahti.fi",
        "svea.svensson@lahti.fi",
    ]
    maija = users["maija.meikalainen@lahti.fi"]
    assert (maija.name, maija.job_title, maija.unit_id, maija.locale) == (
        "Maija Meikäläinen",
        "Luokanopettaja",
        unit.id,
        "fi",
    )
    assert users["pekka.puupaa@lahti.fi"].locale == "en"
    assert users["svea.svensson@lahti.fi"].locale == "sv"
    assert all(u.roles == {Role.STAFF} and u.password_hash is None for u in users.values())


def test_second_run_updates_and_creates_nothing(import_file):
    rows = (
        "maija@lahti.fi,Maija Meikäläinen,Luokanopettaja,KIV,,,\n"
        "pekka@lahti.fi,Pekka Puupää,Opettaja,KIV,,,\n"
        "liisa@lahti.fi,Liisa Laine,Rehtori,KIV,,,\n"
    )
    assert import_file(HEADER + rows).exit_code == 0
    ids = {e: u.id for e, u in _users().items()}

    changed = rows.replace("Maija Meikäläinen", "Maija Virtanen").replace(
        "Opettaja", "Erityisopettaja"
    )
    result = import_file(HEADER + changed)
    assert result.exit_code == 0, result.output
    assert "Created 0, updated 2, unchanged 1" in result.output
    users = _users()
    assert {e: u.id for e, u in users.items()} == ids
    assert users["maija@lahti.fi"].name == "Maija Virtanen"
    assert users["pekka@lahti.fi"].job_title == "Erityisopettaja"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff.imported").order_by(AuditEvent.id)
    ).all()
    assert [(e.details["created"], e.details["updated"]) for e in events] == [(3, 0), (0, 2)]
    assert "maija" not in repr([e.details for e in events]).lower()  # counts only


def test_existing_user_is_found_case_insensitively_and_keeps_roles_and_password(
    import_file, make_user
):
    admin = make_user(email="aino@lahti.fi", name="Aino Admin", roles={Role.ADMIN})
    result = import_file(HEADER + "AINO@Lahti.FI,Aino Aaltonen,Rehtori,KIV,,,en\n")
    assert result.exit_code == 0, result.output
    assert "Created 0, updated 1, unchanged 0" in result.output
    db.session.refresh(admin)
    assert (admin.name, admin.job_title, admin.email) == (
        "Aino Aaltonen",
        "Rehtori",
        "aino@lahti.fi",
    )
    assert admin.roles == {Role.ADMIN}
    assert admin.locale == ""  # the language a person chose is theirs, not HR's
    assert verify_password(admin.password_hash, PASSWORD)
    assert _count_users() == 1


def test_bad_file_imports_nothing_and_lists_every_bad_row(import_file):
    result = import_file(
        HEADER
        + "good@lahti.fi,Good Person,Opettaja,KIV,,,\n"  # line 2
        + ",No Email,Opettaja,KIV,,,\n"  # line 3
        + "not-an-address,Bad Email,Opettaja,KIV,,,\n"  # line 4
        + "noname@lahti.fi,,Opettaja,KIV,,,\n"  # line 5
        + "lost@lahti.fi,Lost Person,Opettaja,NOPE,,,\n"  # line 6
        + "GOOD@lahti.fi,Good Again,Opettaja,KIV,,,\n"  # line 7
        + f"long@lahti.fi,{'x' * 201},Opettaja,KIV,,,\n"  # line 8
        + "de@lahti.fi,Dora Deutsch,Lehrerin,KIV,,,de\n"  # line 9
        + "short@lahti.fi,Too Few Fields\n"  # line 10
        + "\n"  # line 11: blank lines are skipped
        + "newunit@lahti.fi,New Unit,Opettaja,NEW1,NODIV,Uusi koulu,\n"  # line 12
    )
    assert result.exit_code != 0
    out = result.output
    for expected in (
        "line 3: email is missing",
        "line 4: email 'not-an-address' is not a valid e-mail address",
        "line 5: name is missing",
        "line 6: unit_code 'NOPE' is not a known unit",
        "line 7: email 'good@lahti.fi' is already on line 2",
        "line 8: name is longer than 200 characters",
        "line 9: locale 'de' is not one of: fi, sv, en",
        "line 10: expected 7 fields, found 2",
        "line 12: division_code 'NODIV' is not a known division",
        "9 line(s) of",
        "Nothing was imported",
    ):
        assert expected in out, expected
    assert "line 2:" not in out and "line 11:" not in out
    assert _count_users() == 0
    assert db.session.scalar(select(AuditEvent)) is None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("email,name,job_title\n", "missing column(s): unit_code"),
        ("e-mail,name,job_title,unit_code\n", "unknown column(s): e-mail"),
        ("email,name,name,job_title,unit_code\n", "repeated column(s): name"),
    ],
)
def test_wrong_header_is_refused(import_file, header, message):
    result = import_file(header + "a@lahti.fi,A,B,KIV\n")
    assert result.exit_code != 0
    assert f"line 1: {message}" in result.output
    assert _count_users() == 0


def test_empty_file_and_header_only_file_are_refused(import_file):
    assert "the file is empty" in import_file("").output
    result = import_file(HEADER)
    assert result.exit_code != 0
    assert "no staff rows" in result.output


def test_unknown_unit_is_created_when_its_name_and_a_known_division_are_given(
    import_file, division
):
    result = import_file(
        HEADER + "a@lahti.fi,Anna Aalto,Opettaja,JALK,PERUS,Jalkarannan koulu,\n"
        "b@lahti.fi,Bertta Berg,Opettaja,JALK,PERUS,Jalkarannan koulu,\n"
    )
    assert result.exit_code == 0, result.output
    assert "created 1 unit(s)" in result.output
    new_unit = db.session.scalar(select(Unit).where(Unit.code == "JALK"))
    assert (new_unit.name, new_unit.division_id) == ("Jalkarannan koulu", division.id)
    assert {u.unit_id for u in _users().values()} == {new_unit.id}


def test_new_unit_with_conflicting_names_is_refused(import_file):
    result = import_file(
        HEADER + "a@lahti.fi,Anna Aalto,Opettaja,JALK,PERUS,Jalkarannan koulu,\n"
        "b@lahti.fi,Bertta Berg,Opettaja,JALK,PERUS,Jalkarannan yläkoulu,\n"
    )
    assert result.exit_code != 0
    assert "line 3: new unit 'JALK' has a different unit_name or division_code on line 2" in (
        result.output
    )
    assert db.session.scalar(select(Unit).where(Unit.code == "JALK")) is None


def test_non_utf8_file_is_refused(import_file):
    result = import_file(
        HEADER + "a@lahti.fi,Anna Aalto,Opettaja,KIV,,,\nm@lahti.fi,Matti Mäkelä,Opettaja,KIV,,,\n",
        encoding="latin-1",
    )
    assert result.exit_code != 0
    assert "not UTF-8" in result.output
    assert "bad bytes on line(s) 3" in result.output
    assert "Nothing was imported" in result.output
    assert _count_users() == 0


def test_oversized_file_is_refused(import_file, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAX_IMPORT_BYTES", 100)
    rows = "".join(f"p{i}@lahti.fi,Person {i},Opettaja,KIV,,,\n" for i in range(5))
    result = import_file(HEADER + rows)
    assert result.exit_code != 0
    assert "larger than 100 bytes (MAX_IMPORT_BYTES)" in result.output
    assert _count_users() == 0


def test_utf8_bom_and_semicolons_are_accepted(import_file):
    content = "\ufeffemail;name;job_title;unit_code\nmaija@lahti.fi;Maija Mäki;Opettaja;KIV\n"
    result = import_file(content)
    assert result.exit_code == 0, result.output
    assert _users()["maija@lahti.fi"].name == "Maija Mäki"


def test_quoted_fields_are_read_and_line_breaks_inside_values_are_refused(import_file):
    result = import_file(
        HEADER + '"a@lahti.fi","Aalto, Anna","Opettaja, 5. luokka",KIV,,,\n'  # line 2
        '"b@lahti.fi","Bertta\nBerg",Opettaja,KIV,,,\n'  # lines 3-4
        "c@lahti.fi,Cecilia Carlsson,Opettaja,KIV,,,\n"  # line 5
    )
    assert result.exit_code != 0
    assert "line 3: name contains a line break" in result.output
    assert "line 2:" not in result.output and "line 5:" not in result.output
    assert _count_users() == 0

    result = import_file(HEADER + '"a@lahti.fi","Aalto, Anna","Opettaja, 5. luokka",KIV,,,\n')
    assert result.exit_code == 0, result.output
    assert _users()["a@lahti.fi"].job_title == "Opettaja, 5. luokka"


def test_validation_is_pure_given_a_lookup():
    header, rows = read_csv(
        (HEADER + "a@lahti.fi,Anna,Opettaja,KIV,,,\nb@lahti.fi,,Opettaja,XYZ,,,\n").encode()
    )
    lookup = OrgLookup(unit_codes=frozenset({"KIV"}), division_codes=frozenset())
    records, errors = validate_rows(header, rows, lookup)
    assert [r.email for r in records] == ["a@lahti.fi"]
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [(3, "name"), (3, "unit_code")]
