"""Every entry of the log of use records the client's address and User-Agent (issue 22,
item 7), as the README says."""

from sqlalchemy import select

from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"


def _event(action: str) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).one()


def test_a_failed_login_records_the_address_and_the_browser(client, staff):
    client.post(
        "/login",
        data={"email": staff.email, "password": "wrong guess 123"},
        environ_base={"REMOTE_ADDR": "192.0.2.17"},
        headers={"User-Agent": BROWSER},
    )
    event = _event("login.failed")
    assert (event.client_address, event.user_agent) == ("192.0.2.17", BROWSER)


def test_an_administrators_change_records_where_it_came_from_and_the_log_shows_it(
    client, admin, unit
):
    client.login(admin)
    client.post(
        "/admin/users/new",
        data={"email": "new.person@lahti.fi", "name": "New", "unit": unit.id, "role_staff": "y"},
        environ_base={"REMOTE_ADDR": "2001:db8::42"},
        headers={"User-Agent": BROWSER},
    )
    event = _event("user.created")
    assert (event.client_address, event.user_agent) == ("2001:db8::42", BROWSER)
    page = client.get("/admin/audit?action=user.created").get_data(as_text=True)
    assert "2001:db8::42" in page and BROWSER in page


def test_a_command_records_no_address(ctx, unit, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("email,name,job_title,unit_code\nliisa@lahti.fi,Liisa,Opettaja,KIV\n")
    assert ctx.test_cli_runner().invoke(args=["pool", "import-staff", str(path)]).exit_code == 0
    event = _event("staff.imported")
    assert (event.client_address, event.user_agent) == ("", "")
