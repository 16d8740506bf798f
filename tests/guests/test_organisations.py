"""The administrator adds, edits and lists guest organisations; each comes with its
division (its cost centre) and a unit for its officials, and a budget like any division."""

from sqlalchemy import func, select

from lahti_pool.budget.models import Budget
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Organisation, Unit

FORM = {
    "name": "Hollolan kunta",
    "business_id": "0123456-7",
    "division_code": "HOL",
    "contact_name": "Kaisa Contact",
    "contact_email": "kaisa@hollola.fi",
    "contact_phone": "+358 40 123 4567",
    "invoice_address": "PL 1, 15871 Hollola",
    "is_active": "y",
}


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Organisation, Division, Unit)
    )


def test_adding_an_organisation_adds_its_division_and_a_unit_for_its_officials(client, admin, unit):
    client.login(admin)
    response = client.post("/admin/organisations/new", data=FORM)
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation))
    assert (org.name, org.contact_email, org.is_active) == (
        "Hollolan kunta",
        "kaisa@hollola.fi",
        True,
    )
    [division] = org.divisions
    assert (division.code, division.name_fi, division.organisation_id) == (
        "HOL",
        "Hollolan kunta",
        org.id,
    )
    [official_unit] = division.units
    assert official_unit.name == "Hollolan kunta"
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "Hollolan kunta" in page and "HOL" in page


def test_a_duplicate_name_or_division_code_is_refused_and_nothing_is_saved(
    client, admin, unit, hollola
):
    client.login(admin)
    before = _counts()
    same_name = client.post("/admin/organisations/new", data=FORM | {"division_code": "NEW"})
    assert same_name.status_code == 200
    assert "Another organisation already has this name." in same_name.get_data(as_text=True)
    # a city division's code ("PERUS", the fixture's) is as taken as a guest one's
    for code in ("hol", "PERUS"):
        taken = client.post(
            "/admin/organisations/new",
            data=FORM | {"name": "Kärkölän kunta", "division_code": code},
        )
        assert "This cost-centre code is already in use." in taken.get_data(as_text=True)
    assert _counts() == before


def test_an_invalid_contact_address_is_refused(client, admin, unit):
    client.login(admin)
    response = client.post("/admin/organisations/new", data=FORM | {"contact_email": "kaisa@"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _counts() == (0, 1, 1)  # the fixture's city division and unit only


def test_editing_renames_its_division_and_unit_and_deactivates(client, admin, unit, hollola):
    client.login(admin)
    data = FORM | {"name": "Hollolan kunta (sivistys)"}
    del data["division_code"], data["is_active"]
    assert client.post(f"/admin/organisations/{hollola.id}", data=data).status_code == 302
    db.session.refresh(hollola)
    division = hollola.divisions[0]
    assert (hollola.name, hollola.is_active, division.name_fi, division.code) == (
        "Hollolan kunta (sivistys)",
        False,
        "Hollolan kunta (sivistys)",
        "HOL",
    )
    assert division.units[0].name == "Hollolan kunta (sivistys)"


def test_its_budget_is_set_on_the_budgets_page_and_shown_on_its_page(
    client, admin, unit, hollola, today
):
    client.login(admin)
    division = hollola.divisions[0]
    page = client.get("/admin/budgets").get_data(as_text=True)
    assert f'value="{division.id}"' in page and "HOL – Hollolan kunta" in page
    response = client.post(
        "/admin/budgets",
        data={
            "fiscal_year": today.year,
            "division": division.id,
            "amount": "2500",
            "warn_percent": 80,
        },
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(select(Budget.amount_cents).where(Budget.division_id == division.id))
        == 250000
    )
    page = client.get(f"/admin/organisations/{hollola.id}?lang=en").get_data(as_text=True)
    budget = page.split('id="budget-heading"')[1].split("</section>")[0]
    assert "€2,500.00" in budget and "€0.00" in budget  # nothing committed or spent yet
