"""A guest organisation's official sees only their own groups and sessions: no on-duty
booking, no individual request, no city quota, no staff-only pages; the navigation
shows only what they can use."""

import re

import pytest

NAV = re.compile(r'<a class="nav-link[^"]*" href="([^"]+)"')


@pytest.fixture
def guest(hollola, make_guest):
    return make_guest(hollola, name="Heli Hollola")


def test_the_navigation_shows_a_guest_only_their_own_pages(client, guest):
    client.login(guest)
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get("/my-groups").get_data(as_text=True)
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    links = NAV.findall(nav)
    # their groups, sessions and a group request, the peer networks and covision circles
    # open to them and their organisation's statements; then what every account has (the
    # supervisors' presentations, e-mail and calendar settings, their profile)
    assert links == [
        "/my-groups",
        "/my-sessions",
        "/requests/new/group",
        "/networks",
        "/circles/",
        "/organisation-statements",
        "/supervisors/",
        "/settings/notifications",
        "/account/",
    ]
    assert "You take part in group supervision with the City of Lahti" in page
    assert "Hollolan kunta" in page


@pytest.mark.parametrize(
    "path",
    ["/dashboard", "/requests/new", "/slots/", "/admin/organisations", "/admin/users/", "/budget"],
)
def test_a_guest_is_refused_the_staff_and_administrator_pages(client, guest, path):
    client.login(guest)
    assert client.get(path).status_code == 403


def test_a_guest_sees_their_sessions_calendar_profile_and_password(client, guest):
    client.login(guest)
    for path in ("/my-sessions", "/calendar/", "/account/", "/settings/notifications"):
        assert client.get(path).status_code == 200, path
