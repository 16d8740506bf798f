"""Supervisors keep their own presentation (issue 16): bio, languages, ways of meeting,
video link and photo; the administrator keeps the contract fields."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import Supervisor

#: something a crafted upload could carry after the image data
PAYLOAD = b"<script>alert('stored')</script>PAYLOAD-7f3a"


def _image(fmt="JPEG", size=(1200, 900), color=(200, 30, 30), exif=True) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {1: "N", 2: (60.0, 59.0, 0.0)}  # GPSInfo: where it was taken
        kwargs["exif"] = data.tobytes()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def _form(**overrides) -> dict:
    data = {
        "bio": "Työnohjausta opettajille ja rehtoreille.",
        "languages": ["fi", "sv"],
        "modes": ["video", "phone"],
        "video_url": "https://meet.example.fi/helena",
    }
    data.update(overrides)
    return data


@pytest.fixture
def own(client, supervisor):
    client.login(supervisor.user)
    return supervisor


def _post(client, data: dict):
    """POST the form; a large upload's request body (a temporary file the test client
    spools it into) is closed after, not left to the garbage collector."""
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path="/supervisors/me", method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        builder.close()
        environ["wsgi.input"].close()


def _fresh(supervisor) -> Supervisor:
    db.session.expire_all()
    return db.session.get(Supervisor, supervisor.id)


def test_a_supervisor_edits_their_own_presentation_and_staff_see_it(client, own, staff):
    page = client.get("/supervisors/me")
    assert page.status_code == 200 and "My presentation" in page.text
    response = _post(client, _form())
    assert response.status_code == 302
    sup = _fresh(own)
    assert (sup.bio, sup.languages, sup.modes, sup.video_url) == (
        "Työnohjausta opettajille ja rehtoreille.",
        ["fi", "sv"],
        ["video", "phone"],
        "https://meet.example.fi/helena",
    )
    changed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "supervisor.presentation_updated")
    )
    assert sorted(changed.details["changed"]) == ["bio", "languages", "modes", "video_url"]
    client.login(staff)
    assert "Työnohjausta opettajille ja rehtoreille." in client.get("/supervisors/").text


def test_the_contract_fields_stay_the_administrators(client, own):
    before = (own.price_individual_cents, own.capacity_sessions, own.rank, own.agreement_id)
    client.post(
        "/supervisors/me",
        data=_form(
            price_individual="1.00",
            price_individual_cents="100",
            capacity_sessions="999",
            rank="1",
            agreement="0",
            kinds=["group"],
        ),
    )
    sup = _fresh(own)
    after = (sup.price_individual_cents, sup.capacity_sessions, sup.rank, sup.agreement_id)
    assert after == before
    assert sup.kinds == ["individual", "group"]


def test_staff_and_the_administrator_have_no_presentation_to_edit(client, staff, admin):
    for user in (staff, admin):
        client.login(user)
        assert client.get("/supervisors/me").status_code == 403
        assert _post(client, _form()).status_code == 403


def test_a_photo_is_resized_and_re_encoded_without_metadata_or_payload(client, own, staff):
    upload = _image() + PAYLOAD  # bytes after the image's end
    response = _post(client, _form(photo=(io.BytesIO(upload), "me.jpg")))
    assert response.status_code == 302
    sup = _fresh(own)
    assert sup.photo_version == 1
    stored = Image.open(io.BytesIO(sup.photo))
    assert stored.format == "JPEG" and max(stored.size) == 400 and stored.size == (400, 300)
    assert not stored.getexif() and "icc_profile" not in stored.info
    assert b"SecretCam" not in sup.photo and b"PAYLOAD-7f3a" not in sup.photo
    client.login(staff)
    url = f"/supervisors/{sup.id}/photo/1.jpg"
    assert f'src="{url}"' in client.get("/supervisors/").text
    served = client.get(url)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.data == sup.photo
    assert client.get(f"/supervisors/{sup.id}/photo/2.jpg").status_code == 404  # stale


def test_a_transparent_png_gets_a_white_background(client, own):
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    _post(client, _form(photo=(io.BytesIO(out.getvalue()), "me.png")))
    stored = Image.open(io.BytesIO(_fresh(own).photo))
    assert stored.mode == "RGB" and stored.getpixel((150, 150)) >= (250, 250, 250)


def _bomb() -> bytes:
    """A few kilobytes of PNG that would unpack into 100 megapixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"GIF89a not really", "This file is not a JPEG, PNG or WebP photo."),
        (b"%PDF-1.7\n" + PAYLOAD, "This file is not a JPEG, PNG or WebP photo."),
        (_image(fmt="GIF", exif=False), "This file is not a JPEG, PNG or WebP photo."),
        (_image()[:9000], "The photo could not be read."),
        (_image(size=(60, 60)), "The photo is too small: at least 100 × 100 pixels."),
        (b"\xff" * (5 * 1024 * 1024 + 10), "The photo is larger than 5 MB."),
        (_bomb(), "The photo has too many pixels (at most 40 megapixels)."),
    ],
    ids=["text", "pdf", "gif", "truncated", "tiny", "too-large", "bomb"],
)
def test_a_bad_photo_is_refused_with_a_message_and_nothing_changes(client, own, upload, message):
    response = _post(client, _form(bio="New bio", photo=(io.BytesIO(upload), "me.jpg")))
    assert response.status_code == 200  # the form again, with the message
    assert message in response.text
    assert 'id="photo-error"' in response.text
    sup = _fresh(own)
    assert sup.photo_version == 0 and sup.photo is None and sup.bio != "New bio"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("video_url", "http://meet.example.fi/x", "starting with https://"),
        ("video_url", "javascript:alert(1)", "starting with https://"),
        ("languages", [], "Choose at least one language."),
        ("modes", [], "Choose at least one way of meeting."),
        ("bio", "x" * 5001, "5000"),
    ],
)
def test_bad_input_is_refused_beside_its_field(client, own, field, value, message):
    response = _post(client, _form(**{field: value}))
    assert response.status_code == 200  # the form again, with the message
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert _fresh(own).video_url == ""


def test_the_photo_can_be_removed(client, own):
    _post(client, _form(photo=(io.BytesIO(_image()), "me.jpg")))
    assert _fresh(own).photo_version == 1
    _post(client, _form(remove_photo="y"))
    sup = _fresh(own)
    assert sup.photo is None and sup.photo_version == 0


def test_the_photo_form_checks_its_csrf_token_multipart_as_it_is(app, client, own):
    # The wapiti scan cannot check this form (tests/security/test_wapiti_scan.py says why).
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/supervisors/me").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        forged = _post(
            client, _form(bio="forged", csrf_token="wapiti", photo=(io.BytesIO(_image()), "me.jpg"))
        )
        assert forged.status_code == 400
        assert _fresh(own).bio != "forged" and _fresh(own).photo is None
        genuine = _post(
            client, _form(bio="genuine", csrf_token=token, photo=(io.BytesIO(_image()), "me.jpg"))
        )
        assert genuine.status_code == 302
        assert _fresh(own).bio == "genuine" and _fresh(own).photo is not None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
