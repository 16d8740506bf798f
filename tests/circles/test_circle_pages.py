"""The circles' pages: what members do in the browser's forms, and bad input refused with
a message and nothing saved."""

from datetime import timedelta

from sqlalchemy import func, select

from lahti_pool.circles import services
from lahti_pool.circles.models import CircleMeeting, CovisionCircle, UpwardTheme
from lahti_pool.extensions import db


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_closed_process_page_offers_the_circle_and_the_renewal(client, closed_process, members):
    client.login(members[1])
    page = client.get(f"/processes/{closed_process.id}").text
    assert f"/circles/start/{closed_process.id}" in page
    assert f"/circles/renew/{closed_process.id}" in page
    assert f"/circles/themes/new/process/{closed_process.id}" in page


def test_a_member_starts_the_circle_and_another_joins(client, closed_process, members):
    client.login(members[1])
    response = client.post(f"/circles/start/{closed_process.id}", data={"name": "Kovisio"})
    circle = db.session.scalar(select(CovisionCircle))
    assert response.headers["Location"].endswith(f"/circles/{circle.id}")
    client.login(members[2])
    page = client.get(f"/circles/{circle.id}").text
    assert "Join the circle" in page
    client.post(f"/circles/{circle.id}/join")
    assert circle.is_member(members[2])


def test_planning_without_a_place_says_so_and_saves_nothing(client, circle, members, today):
    client.login(members[0])
    response = client.post(
        f"/circles/{circle.id}/plan",
        data={
            "first_day": (today + timedelta(days=10)).isoformat(),
            "at": "14:00",
            "count": 2,
            "every_weeks": 4,
            "duration": 90,
            "venue": 0,
            "video_url": "",
        },
    )
    assert response.status_code == 400
    assert "Choose a venue or give a video meeting link." in response.text
    assert _count(CircleMeeting) == 0


def test_a_host_who_is_not_a_member_is_refused_on_the_page(
    client, circle, members, venue, plan_input, now, make_user
):
    (meeting,) = services.plan_meetings(members[0], circle, plan_input(venue, count=1), now)
    db.session.commit()
    outsider = make_user(name="Ulla Ulkopuolinen")
    client.login(members[1])
    response = client.post(f"/circles/meetings/{meeting.id}/host", data={"host": outsider.id})
    assert response.status_code == 400
    assert "The host must be a member of the circle." in response.text
    assert db.session.get(CircleMeeting, meeting.id).host_id == members[0].id


def test_the_meeting_page_shows_the_structure_and_the_host_keeps_attendance(
    client, circle, members, venue, plan_input, now
):
    (meeting,) = services.plan_meetings(members[0], circle, plan_input(venue, count=1), now)
    meeting.starts_at = now - timedelta(minutes=30)  # it has begun
    db.session.commit()
    client.login(members[0])
    page = client.get(f"/circles/meetings/{meeting.id}").text
    for step in ("Topic", "Case", "Reflection", "Round"):
        assert f"<strong>{step}</strong>" in page
    client.post(f"/circles/meetings/{meeting.id}/topic", data={"topic": "Aukioloajat"})
    client.post(
        f"/circles/meetings/{meeting.id}/attendance",
        data={"attendees": [members[0].id, members[1].id]},
    )
    assert meeting.topic == "Aukioloajat" and meeting.state == "held"
    assert sorted(a.user_id for a in meeting.attendance if a.attended) == sorted(
        [members[0].id, members[1].id]
    )


def test_non_members_see_no_circle(client, circle, make_user, admin):
    for outsider in (make_user(), admin):
        client.login(outsider)
        assert client.get(f"/circles/{circle.id}").status_code == 403


def test_a_theme_with_a_name_is_refused_on_the_page(client, closed_process, members):
    client.login(members[0])
    response = client.post(
        f"/circles/themes/new/process/{closed_process.id}",
        data={"text": "Cecilia ehdottaa aukioloaikoja."},
    )
    assert response.status_code == 400
    assert "The text names a member of the group." in response.text
    assert _count(UpwardTheme) == 0


def test_once_started_the_process_page_leads_members_to_their_circle(
    client, circle, closed_process, members
):
    client.login(members[2])
    response = client.get(f"/circles/start/{closed_process.id}")
    assert response.headers["Location"].endswith(f"/circles/{circle.id}")
    assert _count(CovisionCircle) == 1
