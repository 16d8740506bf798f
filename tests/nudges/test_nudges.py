"""Nudges (issue 20 item 3): the start-of-year message, same-day free-slot alerts and the
administrator's message to the managers of a unit with low uptake. All go through the
outbox; nobody gets more than NUDGE_LIMIT in NUDGE_LIMIT_DAYS, the same nudge never twice,
and whoever opted out (by the e-mail's link or on their settings page) never."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.nudges import jobs
from lahti_pool.nudges.models import NudgeKind, NudgeSent
from lahti_pool.nudges.services import preferences, set_preference, stop_token
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.organisation.models import Unit
from lahti_pool.requests.models import QuotaAccount
from lahti_pool.sessions.rules import LOCAL_TZ
from lahti_pool.slots.models import OnDutySlot


def _mails(kind: str) -> list[MailMessage]:
    return db.session.scalars(
        select(MailMessage).where(MailMessage.kind == kind).order_by(MailMessage.id)
    ).all()


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def fresh_year(school_year, today):
    """The current school year, as if it had begun three days ago: the start-of-year
    window is open."""
    school_year.starts_on = today - timedelta(days=3)
    db.session.commit()
    return school_year


def _slot(supervisor, day: date, hour: int = 14) -> OnDutySlot:
    starts_at = _local(day, hour)
    slot = OnDutySlot(supervisor_id=supervisor.id, starts_at=starts_at, on_date=day, mode="video")
    db.session.add(slot)
    db.session.commit()
    return slot


# --- the start of the year ---------------------------------------------------------------


def test_year_start_message_goes_once_to_staff_with_sessions_left(make_user, fresh_year, today):
    wants = make_user(name="Wants")
    opted_out = make_user(name="Opted out")
    set_preference(opted_out, opted_out.id, NudgeKind.YEAR_START, False, "settings")
    used_up = make_user(name="Used up")
    db.session.add(
        QuotaAccount(user_id=used_up.id, school_year_id=fresh_year.id, quota=10, used=10)
    )
    make_user(name="Admin only", roles={Role.ADMIN})
    db.session.commit()

    now = _local(today, 6)
    assert jobs.queue_year_start(today, now) == 1
    db.session.commit()
    assert jobs.queue_year_start(today, now) == 0  # never twice
    assert jobs.queue_year_start(today + timedelta(days=1), now + timedelta(days=1)) == 0
    (mail,) = _mails("nudge_year_start")
    assert mail.to_user_id == wants.id
    assert "10 supervision sessions available" in mail.body_text
    assert "/nudges/stop/" in mail.body_text and "/nudges/stop/" in mail.body_html


def test_no_year_start_message_after_the_first_weeks(make_user, fresh_year, today):
    make_user()
    later = today + timedelta(days=40)
    assert jobs.queue_year_start(later, _local(later, 6)) == 0
    assert _mails("nudge_year_start") == []


# --- same-day free slots -----------------------------------------------------------------


def test_free_slot_alerts_go_only_to_staff_who_asked_and_have_sessions(
    make_user, supervisor, fresh_year, today
):
    asked = make_user(name="Asked")
    set_preference(asked, asked.id, NudgeKind.FREE_SLOTS, True, "settings")
    make_user(name="Did not ask")
    asked_used_up = make_user(name="Asked, used up")
    set_preference(asked_used_up, asked_used_up.id, NudgeKind.FREE_SLOTS, True, "settings")
    db.session.add(
        QuotaAccount(user_id=asked_used_up.id, school_year_id=fresh_year.id, quota=10, used=10)
    )
    _slot(supervisor, today + timedelta(days=1))  # tomorrow: not today's alert
    db.session.commit()
    now = _local(today, 6)
    assert jobs.queue_free_slot_alerts(today, now) == 0  # nothing free today
    _slot(supervisor, today, 14)
    assert jobs.queue_free_slot_alerts(today, now) == 1
    db.session.commit()
    assert jobs.queue_free_slot_alerts(today, now) == 0
    (mail,) = _mails("nudge_free_slots")
    assert mail.to_user_id == asked.id
    assert supervisor.name in mail.body_text


def test_nobody_gets_more_than_the_limit_in_any_seven_days(
    app, make_user, supervisor, fresh_year, today
):
    """Three weeks of daily runs with free slots every day, the start-of-year message too."""
    limit, days = app.config["NUDGE_LIMIT"], app.config["NUDGE_LIMIT_DAYS"]
    people = [make_user() for _ in range(3)]
    for person in people[:2]:
        set_preference(person, person.id, NudgeKind.FREE_SLOTS, True, "settings")
    db.session.commit()
    for n in range(21):
        day = today + timedelta(days=n)
        _slot(supervisor, day, 15)
        now = _local(day, 6)
        jobs.queue_year_start(day, now)
        jobs.queue_free_slot_alerts(day, now)
        db.session.commit()
    for person in people:
        sent = sorted(
            db.session.scalars(select(NudgeSent.sent_at).where(NudgeSent.user_id == person.id))
        )
        for first in sent:
            in_window = [s for s in sent if first <= s < first + timedelta(days=days)]
            assert len(in_window) <= limit
        mails = db.session.scalar(
            select(func.count()).select_from(MailMessage).where(MailMessage.to_user_id == person.id)
        )
        assert mails == len(sent)
    # the limit holds back, it does not silence: two alerts a week for three weeks
    assert (
        len(db.session.scalars(select(NudgeSent).where(NudgeSent.user_id == people[0].id)).all())
        == 6
    )
    # who never asked for alerts has the year's message only, once
    assert [
        n.kind
        for n in db.session.scalars(select(NudgeSent).where(NudgeSent.user_id == people[2].id))
    ] == [NudgeKind.YEAR_START]


# --- opting out --------------------------------------------------------------------------


def test_the_emails_stop_link_works_without_login_and_stops_that_kind(
    client, make_user, fresh_year, today
):
    person = make_user()
    jobs.queue_year_start(today, _local(today, 6))
    db.session.commit()
    (mail,) = _mails("nudge_year_start")
    path = re.search(r"https?://[^/\s]+(/nudges/stop/\S+)", mail.body_text).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "Stop these e-mails" in page.get_data(as_text=True)
    assert preferences(person.id)[NudgeKind.YEAR_START] is True  # opening it changes nothing
    done = client.post(path)
    assert done.status_code == 200
    assert "You no longer get" in done.get_data(as_text=True)
    assert preferences(person.id)[NudgeKind.YEAR_START] is False
    assert preferences(person.id)[NudgeKind.UNIT_UPTAKE] is True  # only that kind
    # a new school year's message does not reach them
    db.session.query(NudgeSent).delete()
    db.session.commit()
    assert jobs.queue_year_start(today, _local(today, 6)) == 0


def test_a_forged_stop_link_is_not_found(client, make_user):
    person = make_user()
    token = stop_token(person.id, NudgeKind.YEAR_START)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(f"/nudges/stop/{forged}").status_code == 404
    assert client.post(f"/nudges/stop/{forged}").status_code == 404
    assert preferences(person.id)[NudgeKind.YEAR_START] is True


def test_staff_choose_the_nudges_on_their_settings_page(client, staff):
    client.login(staff)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert 'name="free_slots"' in page and 'name="unit_uptake"' not in page
    client.post("/settings/notifications", data={"free_slots": "y", "weekly_digest": "y"})
    assert preferences(staff.id) == {
        NudgeKind.YEAR_START: False,
        NudgeKind.FREE_SLOTS: True,
        NudgeKind.UNIT_UPTAKE: True,
    }


# --- units with low uptake ---------------------------------------------------------------


@pytest.fixture
def quiet_unit(ctx, division, make_user, school_year):
    """A unit of six staff, one of whom has asked for supervision; its principal (by HR's
    title) and a manager granted the role."""
    unit = Unit(code="HIL", name="Hiljaisen koulu", division=division)
    db.session.add(unit)
    db.session.commit()
    staff = [make_user(unit_id=unit.id) for _ in range(4)]
    principal = make_user(unit_id=unit.id, name="Pia Principal", job_group=JobGroup.PRINCIPAL)
    granted = make_user(unit_id=unit.id, name="Gustav Granted", roles={Role.STAFF, Role.MANAGER})
    db.session.add(
        QuotaAccount(user_id=staff[0].id, school_year_id=school_year.id, quota=10, pending=2)
    )
    db.session.commit()
    return unit, principal, granted


def test_admin_sees_units_with_low_uptake(client, admin, quiet_unit, make_user, school_year):
    for _ in range(5):  # the other unit: five staff, every one reached
        person = make_user()
        db.session.add(
            QuotaAccount(user_id=person.id, school_year_id=school_year.id, quota=10, used=1)
        )
    db.session.commit()
    client.login(admin)
    page = client.get("/admin/uptake").get_data(as_text=True)
    assert "Hiljaisen koulu" in page and "17 %" in page  # 1 of 6
    assert "Kivimaan koulu" not in page


def test_admin_previews_edits_and_sends_the_message_to_the_units_managers(
    client, admin, quiet_unit
):
    unit, principal, granted = quiet_unit
    client.login(admin)
    form = client.get(f"/admin/uptake/{unit.id}/message").get_data(as_text=True)
    assert "Pia Principal" in form and "Gustav Granted" in form
    assert "Hiljaisen koulu" in form  # the prepared text names the unit
    data = {"subject": "Työnohjaus tiimillenne", "body": "Hei!\n\nMuistuttaisitko tiimiä?"}
    preview = client.post(f"/admin/uptake/{unit.id}/message", data={**data, "preview": "1"})
    assert preview.status_code == 200 and "Muistuttaisitko tiimiä?" in preview.get_data(
        as_text=True
    )
    assert _mails("nudge_unit_uptake") == []
    sent = client.post(f"/admin/uptake/{unit.id}/message", data={**data, "send": "1"})
    assert sent.status_code == 302
    mails = _mails("nudge_unit_uptake")
    assert sorted(m.to_user_id for m in mails) == sorted([principal.id, granted.id])
    assert all(m.subject == "Työnohjaus tiimillenne" for m in mails)
    assert all("Muistuttaisitko tiimiä?" in m.body_text for m in mails)
    # the same message to the same unit is not sent twice in a school year
    again = client.post(
        f"/admin/uptake/{unit.id}/message", data={**data, "send": "1"}, follow_redirects=True
    )
    assert "had this message this school year" in again.get_data(as_text=True)
    assert len(_mails("nudge_unit_uptake")) == 2


def test_a_manager_who_opted_out_is_not_sent_the_message(client, admin, quiet_unit):
    unit, principal, granted = quiet_unit
    set_preference(principal, principal.id, NudgeKind.UNIT_UPTAKE, False, "link")
    db.session.commit()
    client.login(admin)
    client.post(f"/admin/uptake/{unit.id}/message", data={"subject": "S", "body": "B", "send": "1"})
    assert [m.to_user_id for m in _mails("nudge_unit_uptake")] == [granted.id]


def test_a_unit_without_managers_or_an_empty_message_is_refused(
    client, admin, unit, make_user, school_year
):
    make_user()
    client.login(admin)
    empty = client.post(f"/admin/uptake/{unit.id}/message", data={"subject": "", "send": "1"})
    assert empty.status_code == 400
    response = client.post(
        f"/admin/uptake/{unit.id}/message", data={"subject": "S", "body": "B", "send": "1"}
    )
    assert response.status_code == 400
    assert "has no manager in the pool" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(NudgeSent)) == 0
