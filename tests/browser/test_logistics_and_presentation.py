"""In the browser, with axe on every page: a supervisor keeps their own presentation
(photo included) and video link; a phone booking gives its number to the supervisor."""

import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from lahti_pool.extensions import db
from lahti_pool.slots.models import OnDutySlot
from lahti_pool.supervisors.models import Supervisor
from tests.tests_support import PASSWORD


def test_a_supervisor_keeps_their_own_presentation_and_photo(visitor, supervisor, staff, tmp_path):
    photo = tmp_path / "me.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (30, 90, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    visitor.login(supervisor.user.email, PASSWORD)
    page = visitor.page
    page.get_by_role("link", name="My presentation").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Presentation for staff").fill("Ratkaisukeskeistä työnohjausta.")
    page.get_by_label("Your video meeting link").fill("http://meet.example.fi/x")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()  # the refusal, beside its field
    assert "starting with https://" in page.content()
    page.get_by_label("Your video meeting link").fill("https://meet.example.fi/helena")
    page.get_by_label("New photo").set_input_files(str(photo))
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Your presentation is saved." in page.content()
    db.session.expire_all()
    sup = db.session.get(Supervisor, supervisor.id)
    assert sup.photo_version == 1 and sup.video_url == "https://meet.example.fi/helena"

    visitor.logout()
    visitor.login(staff.email, PASSWORD)
    visitor.goto("/supervisors/")
    image = page.locator(f'img[src="/supervisors/{sup.id}/photo/1.jpg"]')
    assert image.evaluate("img => img.complete && img.naturalWidth") == 400  # loaded, CSP too
    assert "Ratkaisukeskeistä työnohjausta." in page.content()


def test_a_phone_booking_gives_its_number_to_the_supervisor(visitor, staff, supervisor):
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    db.session.add(
        OnDutySlot(
            supervisor_id=supervisor.id, starts_at=starts, on_date=starts.date(), mode="phone"
        )
    )
    db.session.commit()
    slot_id = db.session.scalar(select(OnDutySlot.id))
    visitor.login(staff.email, PASSWORD)
    visitor.goto(f"/slots/{slot_id}/book")
    page = visitor.page
    for n, answer in enumerate(("Kiire", "Kokeiltu", "Selkeyttä")):
        page.locator(f"#answer_{n + 1}").fill(answer)
    page.get_by_label("Phone number the supervisor calls").fill("040 12")
    page.get_by_role("button", name="Book this slot").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Give a phone number of 7 to 15 digits" in page.content()
    page.get_by_label("Phone number the supervisor calls").fill("040 123 4567")
    page.get_by_role("button", name="Book this slot").click()
    page.wait_for_load_state()
    visitor.check()
    assert "The supervisor calls you at 0401234567 at the start time." in page.content()
    visitor.logout()
    visitor.login(supervisor.user.email, PASSWORD)
    visitor.goto(f"/slots/{slot_id}")
    assert page.get_by_role("link", name="0401234567").get_attribute("href") == "tel:0401234567"
