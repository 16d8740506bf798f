import pytest

from lahti_pool.accounts.models import Role, User
from lahti_pool.extensions import db
from lahti_pool.guests import services
from lahti_pool.guests.services import OrganisationInput


def add_org(admin, name: str, code: str, contact_email: str = ""):
    org = services.add_organisation(
        admin,
        OrganisationInput(
            name=name,
            business_id="0123456-7",
            contact_name="Kaisa Contact",
            contact_email=contact_email,
            contact_phone="+358 40 123 4567",
            invoice_address="PL 1, 15871 Hollola",
            division_code=code,
        ),
    )
    db.session.commit()
    return org


@pytest.fixture
def hollola(admin):
    return add_org(admin, "Hollolan kunta", "HOL", contact_email="kaisa@hollola.fi")


@pytest.fixture
def phhyky(admin):
    return add_org(admin, "Päijät-Hämeen hyvinvointialue", "PHHYKY")


@pytest.fixture
def make_guest(make_user):
    """An official of ``org`` with a password (as after their invitation)."""

    def factory(org, **kwargs) -> User:
        kwargs.setdefault("unit_id", services.unit_of(org).id)
        return make_user(roles={Role.GUEST}, **kwargs)

    return factory
