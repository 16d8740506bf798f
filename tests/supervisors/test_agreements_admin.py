"""The administrator keeps the framework agreements: list, create, edit."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import AllocationRule, FrameworkAgreement


def _data(**overrides) -> dict:
    data = {
        "name": "Työnohjaus 2026",
        "procurement_ref": "2026-000123",
        "starts_on": "2026-01-01",
        "ends_on": "2029-12-31",
        "allocation_rule": "balanced",
        "vat_percent": "25,5",
    }
    return data | overrides


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(FrameworkAgreement))


def test_admin_creates_an_agreement(client, admin):
    client.login(admin)
    response = client.post("/admin/supervisors/agreements/new", data=_data())
    assert response.status_code == 302
    agreement = db.session.scalar(select(FrameworkAgreement))
    assert (agreement.name, agreement.procurement_ref, agreement.allocation_rule) == (
        "Työnohjaus 2026",
        "2026-000123",
        AllocationRule.BALANCED,
    )
    assert agreement.vat_percent == Decimal("25.50")
    page = client.get("/admin/supervisors/agreements").get_data(as_text=True)
    assert "Työnohjaus 2026" in page and "25.5 %" in page


def test_period_ending_before_it_starts_is_refused_next_to_the_field(client, admin):
    client.login(admin)
    response = client.post(
        "/admin/supervisors/agreements/new",
        data=_data(starts_on="2026-01-01", ends_on="2025-12-31"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="ends_on-error"' in page
    assert "The end date cannot be before the start date." in page
    assert _count() == 0


@pytest.mark.parametrize("vat", ["-1", "101", "25,555", "lots"])
def test_bad_vat_is_refused(client, admin, vat):
    client.login(admin)
    response = client.post("/admin/supervisors/agreements/new", data=_data(vat_percent=vat))
    assert response.status_code == 200
    assert 'id="vat_percent-error"' in response.get_data(as_text=True)
    assert _count() == 0


def test_admin_edits_an_agreement_and_the_change_is_audited(client, admin, agreement):
    client.login(admin)
    page = client.get(f"/admin/supervisors/agreements/{agreement.id}").get_data(as_text=True)
    assert 'value="25.50"' in page
    response = client.post(
        f"/admin/supervisors/agreements/{agreement.id}",
        data=_data(
            name=agreement.name, procurement_ref=agreement.procurement_ref, vat_percent="24"
        ),
    )
    assert response.status_code == 302
    assert agreement.vat_percent == Decimal("24.00")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["agreement.updated", "agreement.vat_changed"]


def test_a_second_agreement_with_the_same_name_is_refused(client, admin, agreement):
    client.login(admin)
    response = client.post("/admin/supervisors/agreements/new", data=_data(name=agreement.name))
    assert "Another agreement already has this name or reference." in response.get_data(
        as_text=True
    )
    assert _count() == 1
