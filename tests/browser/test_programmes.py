"""Issue 19 in Chromium, every page checked by axe-core: the administrator creates a
programme and its module day, a staff member applies, the organiser accepts and records
attendance, certificates are issued, and the participant and the public see theirs."""

from datetime import date, timedelta

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.extensions import db
from lahti_pool.programmes.models import ProgrammeMember


def test_a_programme_from_application_to_a_verified_certificate(visitor, admin, make_user):
    organiser = make_user(name="Olga Organiser")
    participant = make_user(name="Paavo Participant")
    today = date.today()
    page = visitor.page

    visitor.login(admin.email, PASSWORD)
    visitor.goto("/programmes/new")
    page.get_by_label("Name", exact=True).fill("Leaders' programme")
    page.get_by_label("Starts on").fill((today - timedelta(days=10)).isoformat())
    page.get_by_label("Ends on").fill((today + timedelta(days=10)).isoformat())
    page.get_by_label("Capacity (participants)").fill("10")
    page.get_by_label("Modules required for completion").fill("1")
    page.get_by_label("Issuer of the certificate").fill("City of Lahti")
    page.get_by_role("button", name="Create the programme").click()
    page.wait_for_load_state()
    visitor.check()
    programme_url = page.url
    page.get_by_label("E-mail address", exact=True).last.fill(organiser.email)
    page.get_by_role("button", name="Grant", exact=True).click()
    page.wait_for_load_state()
    page.get_by_label("Theme").fill("Strategic leadership")
    page.get_by_role("button", name="Add the module").click()
    page.wait_for_load_state()
    page.get_by_label("Date").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Starts at").fill("09:00")
    page.get_by_label("Hours", exact=True).fill("6.5")
    page.get_by_label("Programme of the day").fill("9.00 Strategy\n13.00 Workshop")
    page.get_by_role("button", name="Add the day").click()
    page.wait_for_load_state()
    visitor.check()
    assert "The day is added." in page.content()
    visitor.logout()

    visitor.login(participant.email, PASSWORD)
    page.goto(programme_url)
    page.get_by_role("button", name="Apply to the programme").click()
    page.wait_for_load_state()
    visitor.check()
    visitor.logout()

    visitor.login(organiser.email, PASSWORD)
    page.goto(programme_url)
    visitor.check()
    row = page.get_by_role("row").filter(has_text="Paavo Participant")
    row.get_by_role("button").click()  # "Accept into the cohort" is the first choice
    page.wait_for_load_state()
    page.get_by_role("link", name="Attendance and guests").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Paavo Participant").check()
    page.get_by_role("button", name="Save the attendance").click()
    page.wait_for_load_state()
    page.goto(programme_url)
    page.get_by_role("button", name="Issue certificates to those who completed").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Certificates issued: 1." in page.content()
    visitor.logout()

    visitor.login(participant.email, PASSWORD)
    page.goto(programme_url)
    visitor.check()
    assert "Download your certificate of completion (PDF)" in page.content()
    assert "Olga Organiser" in page.content()  # the organisers are named, not the cohort
    visitor.logout()
    code = db.session.scalar(select(ProgrammeMember.certificate_code))
    visitor.goto(f"/certificates/{code}")
    assert "This certificate of completion is genuine." in page.content()
    assert "Paavo Participant" in page.content()
