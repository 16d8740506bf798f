"""The administrator's supervisor pages: create, edit, deactivate; every change audited."""

from datetime import date

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.requests.models import SchoolYear
from lahti_pool.supervisors.models import (
    FrameworkAgreement,
    Supervisor,
    SupervisorKind,
    SupervisorLoad,
)


@pytest.fixture
def candidate(make_user):
    return make_user(name="Kaisa Candidate", email="kaisa@ohjaus.fi", roles=set())


@pytest.fixture
def form_data(agreement, division, unit, candidate):
    def build(**overrides) -> dict:
        data = {
            "email": candidate.email,
            "kind": "contracted",
            "agreement": str(agreement.id),
            "rank": "3",
            "company_name": "Kaisan Ohjaus Oy",
            "business_id": "0112038-9",
            "contract_starts_on": "2025-08-01",
            "contract_ends_on": "2027-07-31",
            "price_individual": "85,50",
            "price_group": "120.00",
            "capacity_sessions": "40",
            "capacity_processes": "5",
            "languages": ["fi", "sv"],
            "modes": ["video", "phone"],
            "kinds": ["individual"],
            "divisions": [str(division.id)],
            "areas": "Keskusta, Ahtiala, Keskusta",
            "qualifications": "STOry-työnohjaaja",
            "bio": "Olen ohjannut opettajia vuodesta 2010.",
            "conflicts": [str(unit.id)],
        }
        return data | overrides

    return build


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Supervisor))


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_admin_makes_an_existing_user_a_supervisor(
    client, admin, candidate, form_data, agreement, division, unit
):
    client.login(admin)
    response = client.post("/admin/supervisors/new", data=form_data())
    assert response.status_code == 302, response.get_data(as_text=True)
    sup = db.session.scalar(select(Supervisor))
    assert sup.user_id == candidate.id and sup.agreement_id == agreement.id and sup.rank == 3
    assert (sup.price_individual_cents, sup.price_group_cents) == (8550, 12000)
    assert (sup.capacity_sessions, sup.capacity_processes) == (40, 5)
    assert (sup.languages, sup.modes, sup.kinds) == (
        ["fi", "sv"],
        ["video", "phone"],
        ["individual"],
    )
    assert sup.areas == ["Keskusta", "Ahtiala"]
    assert [d.id for d in sup.divisions] == [division.id]
    assert [u.id for u in sup.conflicts] == [unit.id]
    assert sup.contract_ends_on == date(2027, 7, 31) and sup.active
    assert Role.SUPERVISOR in candidate.roles
    assert len(_events("supervisor.created")) == 1


def test_the_list_shows_prices_in_the_readers_locale_with_the_vat_note(client, admin, supervisor):
    client.login(admin)
    page = client.get("/admin/supervisors/").get_data(as_text=True)
    assert "Seppo Supervisor" in page
    assert "€91.00" in page and "€150.00" in page
    assert "VAT 25.5 % is added." in page
    with client.session_transaction() as session:
        session["lang"] = "fi"
    page = client.get("/admin/supervisors/").get_data(as_text=True)
    assert "91,00\xa0€" in page


def test_the_edit_form_shows_the_vat_of_the_agreement(client, admin, supervisor):
    client.login(admin)
    page = client.get(f"/admin/supervisors/{supervisor.id}").get_data(as_text=True)
    assert "VAT 25.5 % is added." in page
    assert 'value="91.00"' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"price_individual": "-1"}, "price_individual", "A price cannot be negative."),
        ({"price_group": "-0,50"}, "price_group", "A price cannot be negative."),
        ({"capacity_sessions": "-1"}, "capacity_sessions", "Capacity cannot be negative."),
        ({"capacity_processes": "-2"}, "capacity_processes", "Capacity cannot be negative."),
        (
            {"contract_starts_on": "2026-01-01", "contract_ends_on": "2025-12-31"},
            "contract_ends_on",
            "The end date cannot be before the start date.",
        ),
        ({"business_id": "0112038-8"}, "business_id", "This is not a valid business ID"),
        ({"business_id": "112038-9"}, "business_id", "This is not a valid business ID"),
        ({"agreement": "0"}, "agreement", "A contracted supervisor needs a framework agreement."),
        ({"email": "nobody@lahti.fi"}, "email", "No user has this e-mail address."),
        (
            {"price_individual": "85,505"},
            "price_individual",
            "Give the amount to the cent, e.g. 85.50.",
        ),
        ({"price_individual": "lots"}, "price_individual", "Give an amount in euros, e.g. 85.50."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    client, admin, candidate, form_data, overrides, field, message
):
    client.login(admin)
    response = client.post("/admin/supervisors/new", data=form_data(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page
    assert _count() == 0
    assert Role.SUPERVISOR not in candidate.roles
    assert _events("supervisor.created") == []


def test_a_colliding_rank_is_refused_and_nothing_is_saved(client, admin, supervisor, form_data):
    client.login(admin)
    response = client.post("/admin/supervisors/new", data=form_data(rank=str(supervisor.rank)))
    page = response.get_data(as_text=True)
    assert 'id="rank-error"' in page
    assert "Rank 1 in this agreement is already held by Seppo Supervisor." in page
    assert _count() == 1


def test_the_same_rank_in_another_agreement_is_fine(client, admin, supervisor, form_data):
    second = FrameworkAgreement(
        name="Toinen", starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31)
    )
    db.session.add(second)
    db.session.commit()
    client.login(admin)
    data = form_data(agreement=str(second.id), rank=str(supervisor.rank))
    assert client.post("/admin/supervisors/new", data=data).status_code == 302
    assert _count() == 2


def test_an_internal_supervisor_needs_no_agreement_and_keeps_no_rank(
    client, admin, form_data, candidate
):
    client.login(admin)
    data = form_data(kind="internal", agreement="0", rank="7", company_name="", business_id="")
    assert client.post("/admin/supervisors/new", data=data).status_code == 302
    sup = db.session.scalar(select(Supervisor))
    assert (sup.kind, sup.agreement_id, sup.rank) == (SupervisorKind.INTERNAL, None, None)


def test_editing_records_which_fields_changed(client, admin, supervisor, form_data):
    client.login(admin)
    data = form_data(rank="1", price_individual="91,00", price_group="150", capacity_sessions="20")
    data["capacity_processes"] = "4"
    del data["email"]
    assert client.post(f"/admin/supervisors/{supervisor.id}", data=data).status_code == 302
    [event] = _events("supervisor.updated")
    assert "languages" in event.details["changed"] and "areas" in event.details["changed"]
    assert "price_individual_cents" not in event.details["changed"]
    assert _events("supervisor.price_changed") == []
    assert _events("supervisor.capacity_changed") == []


def test_price_and_capacity_changes_are_audited_with_old_and_new_values(
    client, admin, supervisor, form_data
):
    client.login(admin)
    data = form_data(rank="1", price_individual="95", price_group="150", capacity_sessions="30")
    data["capacity_processes"] = "4"
    assert client.post(f"/admin/supervisors/{supervisor.id}", data=data).status_code == 302
    assert supervisor.price_individual_cents == 9500 and supervisor.capacity_sessions == 30
    [price] = _events("supervisor.price_changed")
    assert price.details == {"field": "price_individual_cents", "old": 9100, "new": 9500}
    assert price.actor_id == admin.id and price.object_id == supervisor.id
    [capacity] = _events("supervisor.capacity_changed")
    assert capacity.details == {"field": "capacity_sessions", "old": 20, "new": 30}
    [updated] = _events("supervisor.updated")
    assert {"price_individual_cents", "capacity_sessions"} <= set(updated.details["changed"])


def test_a_refused_edit_changes_nothing(client, admin, supervisor, form_data):
    client.login(admin)
    data = form_data(rank="1", price_individual="95", capacity_sessions="-5")
    response = client.post(f"/admin/supervisors/{supervisor.id}", data=data)
    assert "Capacity cannot be negative." in response.get_data(as_text=True)
    db.session.refresh(supervisor)
    assert supervisor.price_individual_cents == 9100 and supervisor.capacity_sessions == 20
    assert supervisor.languages == ["fi", "en"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_capacity_cannot_go_below_what_is_already_in_use(
    client, admin, supervisor, form_data, school_year
):
    db.session.add(
        SupervisorLoad(
            supervisor_id=supervisor.id, school_year_id=school_year.id, sessions_granted=12
        )
    )
    supervisor.active_processes = 3
    db.session.commit()
    client.login(admin)
    data = form_data(rank="1", capacity_sessions="10")
    page = client.post(f"/admin/supervisors/{supervisor.id}", data=data).get_data(as_text=True)
    assert "12 sessions are already granted this school year" in page
    data = form_data(rank="1", capacity_processes="2")
    page = client.post(f"/admin/supervisors/{supervisor.id}", data=data).get_data(as_text=True)
    assert "3 processes are active now" in page
    db.session.refresh(supervisor)
    assert (supervisor.capacity_sessions, supervisor.capacity_processes) == (20, 4)
    assert db.session.get(SchoolYear, school_year.id) is not None


def test_admin_deactivates_and_reactivates_a_supervisor(client, admin, supervisor):
    client.login(admin)
    response = client.post(f"/admin/supervisors/{supervisor.id}/active")
    assert response.status_code == 302
    assert supervisor.active is False
    page = client.get(f"/admin/supervisors/{supervisor.id}").get_data(as_text=True)
    assert "This supervisor is deactivated" in page
    client.post(f"/admin/supervisors/{supervisor.id}/active")
    assert supervisor.active is True
    actions = [
        e.action for e in _events("supervisor.deactivated") + _events("supervisor.activated")
    ]
    assert actions == ["supervisor.deactivated", "supervisor.activated"]


ADMIN_PAGES = [
    ("GET", "/admin/supervisors/"),
    ("GET", "/admin/supervisors/new"),
    ("POST", "/admin/supervisors/new"),
    ("GET", "/admin/supervisors/{sup}"),
    ("POST", "/admin/supervisors/{sup}"),
    ("POST", "/admin/supervisors/{sup}/active"),
    ("GET", "/admin/supervisors/agreements"),
    ("GET", "/admin/supervisors/agreements/new"),
    ("POST", "/admin/supervisors/agreements/new"),
    ("GET", "/admin/supervisors/agreements/{agr}"),
    ("POST", "/admin/supervisors/agreements/{agr}"),
]


@pytest.mark.parametrize("role", [Role.STAFF, Role.SUPERVISOR, Role.REPORTS])
@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_non_admins_get_403_on_admin_pages(client, make_user, supervisor, role, method, url):
    client.login(make_user(roles={role}))
    url = url.format(sup=supervisor.id, agr=supervisor.agreement_id)
    assert client.open(url, method=method).status_code == 403
    assert supervisor.active is True


def test_anonymous_users_are_sent_to_the_login_page(client, supervisor):
    response = client.get("/admin/supervisors/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_supervisor_or_agreement_is_404(client, admin):
    client.login(admin)
    assert client.get("/admin/supervisors/999999").status_code == 404
    assert client.get("/admin/supervisors/agreements/999999").status_code == 404
