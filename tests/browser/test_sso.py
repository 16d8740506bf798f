"""Signing in and out with the city account in Chromium, through the real provider process."""

from sqlalchemy import select

from lahti_pool.accounts.identities import ExternalIdentity
from lahti_pool.extensions import db


def test_staff_member_signs_in_and_out_with_the_city_account(visitor, sso, make_user, school_year):
    person = make_user(name="Maija Meikäläinen", staff_number="100234")
    sso.set_user("oid-maija", employeeid="100234", name="Maija Meikäläinen")
    visitor.goto("/login")
    page = visitor.page

    page.get_by_role("link", name="Sign in with the city account").click()
    page.wait_for_load_state()
    assert page.url.startswith(sso.issuer)  # the provider's own sign-in page
    page.locator("input[name=sub]").fill("oid-maija")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.url == visitor.base + "/dashboard"
    assert "Maija Meikäläinen" in page.content()
    identity = db.session.scalar(select(ExternalIdentity))
    assert (identity.user_id, identity.subject) == (person.id, "oid-maija")

    visitor.logout()
    visitor.check()
    assert "You have logged out of the pool" in page.content()
    page.get_by_role("link", name="Sign out of the city account").click()
    page.wait_for_load_state()
    assert page.url.startswith(sso.issuer + "/oauth2/end_session")
    page.get_by_role("button", name="End session").click()
    page.wait_for_load_state()
    assert page.url.startswith(visitor.base + "/login")
    visitor.goto("/dashboard")
    assert page.url.startswith(visitor.base + "/login")


def test_a_refused_sign_in_shows_a_clear_page(visitor, sso, make_user):
    sso.set_user("oid-stranger", employeeid="000")
    visitor.goto("/login")
    page = visitor.page
    page.get_by_role("link", name="Sign in with the city account").click()
    page.wait_for_load_state()
    page.locator("input[name=sub]").fill("oid-stranger")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Sign-in with the city account failed" in page.content()
    assert "is not linked to an account in the pool" in page.content()


def test_administrator_switches_staff_passwords_off(visitor, sso, admin, staff):
    from tests_support import PASSWORD

    from lahti_pool.accounts.identities import SignInPolicy

    visitor.login(admin.email, PASSWORD)
    visitor.goto("/admin/settings/")
    page = visitor.page
    page.get_by_role("link", name="Sign-in: the city account and passwords").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Staff may also sign in with a password of the pool").uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()
    assert "The sign-in setting is saved." in page.content()
    assert db.session.get(SignInPolicy, 1).local_passwords is False
    visitor.logout()
    visitor.login(staff.email, PASSWORD)
    assert "external supervisors only" in page.content()
    assert page.url.startswith(visitor.base + "/login")
