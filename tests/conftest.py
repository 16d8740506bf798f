"""Test fixtures.

The whole suite runs against SQLite by default and against a throwaway PostgreSQL
cluster with ``pytest --db=postgresql``. The schema is built once per run by the
migrations (never ``create_all``), and every table is emptied after each test.

Test code holds its own app context and database session; each request of the
test client runs in a fresh context of its own, as it would in production, so a
test cannot pass because it shares ``g``, the login or the ORM identity map
with the request.
"""

import contextvars
from datetime import date, timedelta
from decimal import Decimal

import flask_migrate
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from tests_support import PASSWORD, empty_all_tables

import lahti_dev
from lahti_pool import create_app
from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.passwords import hash_password
from lahti_pool.budget import ledger
from lahti_pool.config import TestConfig
from lahti_pool.core import versions
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.models import SchoolYear
from lahti_pool.requests.rules import school_year_bounds
from lahti_pool.supervisors.models import AllocationRule, FrameworkAgreement, Supervisor


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="database to run the suite against",
    )


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    if request.config.getoption("--db") == "postgresql":
        from _pg import postgres_cluster

        with postgres_cluster() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    lahti_dev.init_app(app)  # `flask pool demo` for the tests that load the demo
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the cluster stops


@pytest.fixture
def ctx(app):
    """An app context for the test body; the database is emptied afterwards."""
    with app.app_context():
        yield app
        db.session.remove()
        # Every test that wrote sessions or costs checks the budget ledger's triggers.
        ledger_errors = ledger.differences()
        db.session.remove()
        empty_all_tables()
        versions.clear()  # emptying the tables bypassed the data versions
        assert ledger_errors == [], "budget_usage differs from the sums of session_costs"


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's app context."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # read and close file responses at once
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context() and db.session.registry.has():
            db.session.expire_all()  # the request committed; read fresh values
        return response

    def login(self, user: User) -> None:
        with self.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


@pytest.fixture
def client(ctx):
    ctx.test_client_class = IsolatedClient
    return ctx.test_client()


@pytest.fixture(scope="session")
def password_hash():
    return hash_password(PASSWORD)


@pytest.fixture
def today():
    return date.today()


@pytest.fixture
def reported_month(today):
    """The first month of the latest term whose feedback report is open (a month of the
    current term is not reported yet: lahti_pool/feedback/rules.py)."""
    from lahti_pool.config import Config
    from lahti_pool.feedback.rules import reportable_terms

    return reportable_terms(today, Config.FEEDBACK_DAYS_AFTER_TERM)[0].start


@pytest.fixture
def school_year(ctx, today):
    starts_on, ends_on = school_year_bounds(today)
    year = SchoolYear(starts_on=starts_on, ends_on=ends_on, quota=10)
    db.session.add(year)
    db.session.commit()
    return year


@pytest.fixture
def next_school_year(ctx, school_year):
    year = SchoolYear(
        starts_on=school_year.ends_on + timedelta(days=1),
        ends_on=date(school_year.ends_on.year + 1, 7, 31),
        quota=10,
    )
    db.session.add(year)
    db.session.commit()
    return year


@pytest.fixture
def division(ctx):
    div = Division(code="PERUS", name_fi="Perusopetus", name_en="Basic education")
    db.session.add(div)
    db.session.commit()
    return div


@pytest.fixture
def unit(division):
    u = Unit(code="KIV", name="Kivimaan koulu", division=division, area="Keskusta")
    db.session.add(u)
    db.session.commit()
    return u


@pytest.fixture
def make_user(ctx, unit, password_hash):
    """Create users: ``make_user(roles={Role.ADMIN}, name=...)``; staff by default."""
    counter = iter(range(1, 100_000))

    def factory(**kwargs) -> User:
        n = next(counter)
        roles = kwargs.pop("roles", {Role.STAFF})
        kwargs.setdefault("email", f"user{n}@lahti.fi")
        kwargs.setdefault("name", f"Test User {n}")
        kwargs.setdefault("unit_id", unit.id)
        kwargs.setdefault("password_hash", password_hash)
        kwargs.setdefault("job_title", "Opettaja")
        kwargs.setdefault("session_version", 1)
        user = User(**kwargs)
        user.set_roles(set(roles))
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def staff(make_user):
    return make_user(name="Sanna Staff", email="sanna@lahti.fi")


@pytest.fixture
def other_staff(make_user):
    return make_user(name="Olli Other", email="olli@lahti.fi")


@pytest.fixture
def admin(make_user):
    return make_user(name="Aino Admin", email="aino@lahti.fi", roles={Role.ADMIN})


@pytest.fixture
def reports_user(make_user):
    return make_user(name="Reija Reports", email="reija@lahti.fi", roles={Role.REPORTS})


@pytest.fixture
def agreement(ctx, school_year):
    agr = FrameworkAgreement(
        name="Työnohjauksen puitesopimus 2025–2028",
        procurement_ref="2025-123456",
        starts_on=school_year.starts_on - timedelta(days=365),
        ends_on=school_year.ends_on + timedelta(days=730),
        allocation_rule=AllocationRule.RANKING,
        vat_percent=Decimal("25.50"),
    )
    db.session.add(agr)
    db.session.commit()
    return agr


@pytest.fixture
def make_supervisor(make_user, agreement, division):
    """Create a contracted supervisor: ``make_supervisor(rank=2, capacity_sessions=20)``."""
    counter = iter(range(1, 1000))

    def factory(**kwargs) -> Supervisor:
        n = next(counter)
        user = make_user(
            name=kwargs.pop("name", f"Supervisor {n}"),
            roles={Role.SUPERVISOR},
            unit_id=kwargs.pop("unit_id", None),
        )
        kwargs.setdefault("agreement_id", agreement.id)
        kwargs.setdefault("rank", n)
        kwargs.setdefault("company_name", f"Ohjaus {n} Oy")
        kwargs.setdefault("business_id", "1234567-1")
        kwargs.setdefault("price_individual_cents", 9000 + n * 100)
        kwargs.setdefault("price_group_cents", 15000)
        kwargs.setdefault("capacity_sessions", 20)
        kwargs.setdefault("capacity_processes", 4)
        kwargs.setdefault("languages", ["fi", "en"])
        kwargs.setdefault("modes", ["on_site", "video", "phone"])
        kwargs.setdefault("kinds", ["individual", "group"])
        divisions = kwargs.pop("divisions", [division])
        sup = Supervisor(user_id=user.id, **kwargs)
        sup.divisions = list(divisions)
        db.session.add(sup)
        db.session.commit()
        return sup

    return factory


@pytest.fixture
def supervisor(make_supervisor):
    return make_supervisor(name="Seppo Supervisor", rank=1)


from oidc_support import oidc_provider, sso  # noqa: E402, F401 - the sign-in tests' provider
