"""One address, one account: composed and decomposed Unicode are the same address, and
look-alike letters from other alphabets are refused (issue 22, item 5)."""

import unicodedata

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.accounts.services import authenticate
from lahti_pool.extensions import db

COMPOSED = unicodedata.normalize("NFC", "pääkäyttäjä@lahti.fi")
DECOMPOSED = unicodedata.normalize("NFD", "pääkäyttäjä@lahti.fi")
CYRILLIC_A = "s\u0430nna@lahti.fi"  # "sаnna": a Cyrillic а among Latin letters
FULLWIDTH = "\uff53anna@lahti.fi"  # "ｓanna": a full-width s


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _new_user(client, email: str):
    return client.post(
        "/admin/users/new",
        data={"email": email, "name": "Päivi", "unit": 0, "role_staff": "y"},
    )


def test_composed_and_decomposed_forms_make_one_account_in_the_admin_ui(client, admin, unit):
    assert COMPOSED != DECOMPOSED
    client.login(admin)
    assert _new_user(client, DECOMPOSED).status_code == 302
    assert db.session.scalar(select(User.email).where(User.name == "Päivi")) == COMPOSED
    second = _new_user(client, COMPOSED)
    assert second.status_code == 200
    assert "Another user already has this e-mail address." in second.get_data(as_text=True)
    assert _users() == 2  # the administrator and Päivi


def test_the_decomposed_form_logs_in_to_the_composed_account(ctx, make_user):
    user = make_user(email=COMPOSED)
    assert authenticate(DECOMPOSED, "correct horse battery staple") == user


@pytest.mark.parametrize("email", [CYRILLIC_A, FULLWIDTH])
def test_look_alike_addresses_are_refused_in_the_admin_ui(client, admin, staff, email):
    client.login(admin)
    response = _new_user(client, email)
    assert response.status_code == 200
    assert "mixes letters of different alphabets" in response.get_data(as_text=True)
    assert _users() == 2


def test_import_staff_makes_one_account_of_both_forms(ctx, unit, tmp_path):
    header = "email,name,job_title,unit_code\n"
    path = tmp_path / "staff.csv"
    path.write_text(header + f"{COMPOSED},Päivi,Opettaja,KIV\n", encoding="utf-8")
    runner = ctx.test_cli_runner()
    assert runner.invoke(args=["pool", "import-staff", str(path)]).exit_code == 0
    path.write_text(header + f"{DECOMPOSED},Päivi P.,Rehtori,KIV\n", encoding="utf-8")
    result = runner.invoke(args=["pool", "import-staff", str(path)])
    assert result.exit_code == 0, result.output
    assert "Created 0, updated 1" in result.output
    assert db.session.scalars(select(User.email)).all() == [COMPOSED]


@pytest.mark.parametrize("email", [CYRILLIC_A, FULLWIDTH])
def test_import_staff_refuses_look_alike_addresses(ctx, unit, tmp_path, email):
    path = tmp_path / "staff.csv"
    path.write_text(f"email,name,job_title,unit_code\n{email},Sanna,Opettaja,KIV\n")
    result = ctx.test_cli_runner().invoke(args=["pool", "import-staff", str(path)])
    assert result.exit_code != 0
    assert "mixes alphabets or uses look-alike" in result.output
    assert _users() == 0


def test_a_group_request_finds_a_member_typed_in_the_decomposed_form(
    ctx, staff, make_user, school_year, today
):
    from lahti_pool.requests.services import GroupRequestInput, submit_group_request

    member = make_user(email=COMPOSED)
    others = [make_user(), make_user()]
    sup_request = submit_group_request(
        staff,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Team",
            member_emails=(DECOMPOSED, *(o.email for o in others)),
        ),
        today,
    )
    assert member.id in {m.user_id for m in sup_request.members}
