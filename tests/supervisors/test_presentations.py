"""The staff's presentations page (the Vantaa platform): no prices, no client counts."""

import re

import pytest
from tests_support import queries_for

from lahti_pool.accounts.models import Role
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import SupervisorLoad


def _cards(page: str) -> dict[str, str]:
    """Each supervisor's card, by name."""
    cards = {}
    for card in page.split("<article")[1:]:
        name = re.search(r'<h2[^>]*id="supervisor-\d+">([^<]+)</h2>', card).group(1)
        cards[name] = card
    return cards


def _load(supervisor, school_year, granted: int) -> None:
    db.session.add(
        SupervisorLoad(
            supervisor_id=supervisor.id, school_year_id=school_year.id, sessions_granted=granted
        )
    )
    db.session.commit()


def test_the_page_shows_presentations_but_no_prices(client, staff, make_supervisor, school_year):
    make_supervisor(
        name="Helena Hyvä",
        price_individual_cents=8550,
        price_group_cents=13375,
        company_name="Hyvän Ohjaus Oy",
        bio="Opettajien työnohjausta kymmenen vuoden ajan.",
        areas=["Keskusta", "Ahtiala"],
        qualifications="STOry-työnohjaaja",
        languages=["fi", "sv"],
        modes=["video"],
    )
    client.login(staff)
    page = client.get("/supervisors/").get_data(as_text=True)
    card = _cards(page)["Helena Hyvä"]
    assert "Opettajien työnohjausta kymmenen vuoden ajan." in card
    assert "Finnish, Swedish" in card and "Video meeting" in card
    assert "Keskusta, Ahtiala" in card and "STOry-työnohjaaja" in card
    assert ">HH</text>" in card  # the initials placeholder, not an external image
    for price in ("85.50", "85,50", "133.75", "133,75", "€"):
        assert price not in page
    assert "Hyvän Ohjaus Oy" not in page and "1234567-1" not in page
    assert 'href="/requests/new?supervisor=' in card
    assert " style=" not in page and "<img" not in page


def test_free_capacity_counts_granted_sessions_and_active_processes(
    client, staff, make_supervisor, school_year, next_school_year
):
    free = make_supervisor(name="Free Fiona", capacity_sessions=20, capacity_processes=4)
    booked = make_supervisor(name="Booked Bertta", capacity_sessions=20, capacity_processes=4)
    make_supervisor(name="Busy Bea", capacity_sessions=20, capacity_processes=2, active_processes=2)
    _load(free, school_year, 19)
    _load(free, next_school_year, 20)  # another year does not count
    _load(booked, school_year, 20)
    client.login(staff)
    cards = _cards(client.get("/supervisors/").get_data(as_text=True))
    assert "Free capacity this school year" in cards["Free Fiona"]
    assert "Fully booked this school year" in cards["Booked Bertta"]
    assert "Fully booked this school year" in cards["Busy Bea"]
    for card in cards.values():
        assert "19" not in card and "20" not in card  # no client or session counts


def test_only_active_supervisors_are_listed(client, staff, make_supervisor, school_year):
    make_supervisor(name="Active Aino")
    make_supervisor(name="Gone Gunnar", active=False)
    client.login(staff)
    assert list(_cards(client.get("/supervisors/").get_data(as_text=True))) == ["Active Aino"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Both Bo", "Finnish Fia", "Swedish Sven"]),
        ("?language=sv", ["Both Bo", "Swedish Sven"]),
        ("?mode=phone", ["Both Bo", "Finnish Fia"]),
        ("?language=sv&mode=phone", ["Both Bo"]),
        ("?language=ru", []),
        ("?language=xx&mode=nonsense", ["Both Bo", "Finnish Fia", "Swedish Sven"]),
    ],
)
def test_filters_by_language_and_mode(client, staff, make_supervisor, school_year, query, expected):
    make_supervisor(name="Finnish Fia", languages=["fi"], modes=["phone"])
    make_supervisor(name="Swedish Sven", languages=["sv"], modes=["video"])
    make_supervisor(name="Both Bo", languages=["fi", "sv"], modes=["video", "phone"])
    client.login(staff)
    page = client.get(f"/supervisors/{query}").get_data(as_text=True)
    assert list(_cards(page)) == expected


def test_the_page_needs_no_query_per_supervisor(client, staff, make_supervisor, school_year):
    client.login(staff)
    make_supervisor()
    few = queries_for(client, "/supervisors/")
    for _ in range(5):
        _load(make_supervisor(), school_year, 3)
    assert queries_for(client, "/supervisors/") == few


@pytest.mark.parametrize("role", [Role.STAFF, Role.SUPERVISOR, Role.ADMIN, Role.REPORTS])
def test_every_logged_in_user_may_see_the_page(client, make_user, school_year, role):
    client.login(make_user(roles={role}))
    assert client.get("/supervisors/").status_code == 200


def test_the_request_link_is_only_for_staff(client, make_user, make_supervisor, school_year):
    make_supervisor(name="Linked Liisa")
    client.login(make_user(roles={Role.SUPERVISOR}))
    assert "/requests/new?supervisor=" not in client.get("/supervisors/").get_data(as_text=True)


def test_anonymous_users_must_log_in(client):
    response = client.get("/supervisors/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_works_in_finnish(client, staff, make_supervisor, school_year):
    make_supervisor(name="Kielitaitoinen Kalle", languages=["fi"], modes=["phone"])
    client.login(staff)
    with client.session_transaction() as session:
        session["lang"] = "fi"
    response = client.get("/supervisors/")
    assert response.status_code == 200
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_long_lists_of_supervisors_are_paged(client, admin, staff, make_supervisor):
    for rank in range(1, 56):
        make_supervisor(rank=rank, bio=f"Supervisor number {rank}.")
    db.session.commit()
    client.login(staff)
    first = client.get("/supervisors/").get_data(as_text=True)
    assert "55 supervisors" in first
    assert first.count("<article") == 30
    assert client.get("/supervisors/?page=2").get_data(as_text=True).count("<article") == 25
    client.login(admin)
    admin_first = client.get("/admin/supervisors/").get_data(as_text=True)
    assert admin_first.count('<th scope="row">') == 50
    assert 'href="/admin/supervisors/?page=2"' in admin_first
    assert (
        client.get("/admin/supervisors/?page=2").get_data(as_text=True).count('<th scope="row">')
        == 5
    )
