"""The administrator writes the service pages in each language; staff read them, rendered
safely, from their dashboard and from the presentations."""

import pytest
from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.service_pages.models import PageSlug, ServicePage
from lahti_pool.service_pages.render import is_safe_link, render
from lahti_pool.service_pages.services import save_page

ATTACKS = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](  javascript:alert(1))",
    "<javascript:alert(1)>",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "![x](javascript:alert(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
]


@pytest.mark.parametrize("markdown", ATTACKS)
def test_no_script_or_javascript_link_survives_rendering(markdown):
    html = str(render(markdown)).lower()
    assert "<script" not in html
    assert "<img" not in html
    assert '<a href="javascript' not in html and 'href="vbscript' not in html
    assert 'href="data:' not in html
    assert "onerror=" not in html or "&lt;img" in html  # shown as text, never a tag


def test_safe_links_and_formatting_are_kept():
    html = str(render("## Otsikko\n\n- [TTL](https://www.ttl.fi/)\n- [posti](mailto:a@b.fi)\n"))
    assert "<h2>Otsikko</h2>" in html
    assert '<a href="https://www.ttl.fi/">TTL</a>' in html
    assert '<a href="mailto:a@b.fi">posti</a>' in html


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://x.fi", True),
        ("/service/faq", True),
        ("#kohta", True),
        ("tel:+358401234567", True),
        ("javascript:alert(1)", False),
        ("java%09script:alert(1)", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_relative_and_safe_schemes_are_links(url, safe):
    assert is_safe_link(url) is safe


def _post(client, slug, locale, **data):
    data.setdefault("save", "Save")
    return client.post(f"/admin/service-pages/{slug}/{locale}", data=data)


def test_admin_previews_without_saving_then_saves(client, admin):
    client.login(admin)
    body = "Työnohjaus on **oikeus**.\n\n<script>alert(1)</script>"
    response = client.post(
        "/admin/service-pages/what-is/fi",
        data={"title": "Mitä työnohjaus on?", "body": body, "preview": "Preview"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>oikeus</strong>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert db.session.scalar(select(func.count()).select_from(ServicePage)) == 0
    response = _post(client, "what-is", "fi", title="Mitä työnohjaus on?", body=body)
    assert response.status_code == 302
    stored = db.session.scalar(select(ServicePage))
    assert (stored.slug, stored.locale, stored.body) == (PageSlug.WHAT_IS, "fi", body)


def test_staff_read_the_page_in_their_language_from_dashboard_and_presentations(
    client, admin, staff, school_year
):
    save_page(admin, PageSlug.FAQ, "fi", "Usein kysyttyä", "## Tarvitsenko luvan?\n\nEt.")
    save_page(admin, PageSlug.FAQ, "sv", "Vanliga frågor", "## Behöver jag tillstånd?\n\nNej.")
    db.session.commit()
    staff.locale = "sv"
    db.session.commit()
    client.login(staff)
    for start in ("/dashboard", "/supervisors/"):
        page = client.get(start).get_data(as_text=True)
        assert 'href="/service/faq"' in page and "Vanliga frågor" in page, start
    page = client.get("/service/faq").get_data(as_text=True)
    assert "<h2>Behöver jag tillstånd?</h2>" in page


def test_a_page_not_written_in_the_readers_language_is_shown_in_finnish(client, admin, staff):
    save_page(admin, PageSlug.SERVICE, "fi", "Työnohjaus perusopetuksessa", "Kymmenen kertaa.")
    db.session.commit()
    staff.locale = "en"
    db.session.commit()
    client.login(staff)
    assert "Kymmenen kertaa." in client.get("/service/service").get_data(as_text=True)
    assert client.get("/service/wellbeing").status_code == 404
    assert client.get("/service/no-such-page").status_code == 404


@pytest.mark.parametrize(
    ("data", "field_text"),
    [
        ({"title": "", "body": "x"}, "This field is required"),
        ({"title": "T", "body": "x" * 20_001}, "20000"),
        ({"title": "x" * 201, "body": "x"}, "200"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, admin, data, field_text):
    client.login(admin)
    response = _post(client, "faq", "en", **data)
    assert response.status_code == 400
    assert field_text in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ServicePage)) == 0


def test_unknown_language_or_page_is_not_found(client, admin):
    client.login(admin)
    assert _post(client, "faq", "de", title="T", body="x").status_code == 404
    assert client.get("/admin/service-pages/nope/fi").status_code == 404


def test_staff_cannot_write_the_pages(client, staff):
    client.login(staff)
    assert _post(client, "faq", "fi", title="T", body="x").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ServicePage)) == 0
