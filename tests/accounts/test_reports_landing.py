"""The development services land on their reports, not on an empty page (issue 16, 9)."""

from tests_support import PASSWORD


def test_a_reports_user_lands_on_a_page_of_their_reports(client, reports_user):
    response = client.post("/login", data={"email": reports_user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/reports")
    page = client.get(response.location).get_data(as_text=True)
    assert "<h1" in page and "Reports" in page
    for link in ('href="/reports/feedback"', 'href="/budget"', 'href="/slots/utilisation"'):
        assert link in page
    assert "Your own pages open here" not in page
