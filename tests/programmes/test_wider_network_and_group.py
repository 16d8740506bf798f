"""A wider-network day's guests (invited by e-mail with a calendar invitation, their
attendance recorded), the cohort continuing as a group, and the programme in the
surveys' populations and the mapping report."""

from datetime import timedelta

from conftest import day_ids
from icalendar import Calendar
from sqlalchemy import select

from lahti_pool.core.mapping import mapping_rows
from lahti_pool.core.outbox import MailMessage
from lahti_pool.core.populations import population_kind
from lahti_pool.extensions import db
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.organisation.models import Division, Organisation, Unit
from lahti_pool.programmes import services
from lahti_pool.programmes.models import DayGuest, ModuleDay


def wider_day(programme) -> ModuleDay:
    day = db.session.get(ModuleDay, day_ids(programme)[0][0])
    day.wider_network = True
    db.session.commit()
    return day


def test_a_guest_is_invited_with_a_calendar_invitation_and_marked_present(
    client, programme, organiser
):
    day = wider_day(programme)
    client.login(organiser)
    url = f"/programmes/{programme.id}/days/{day.id}"
    response = client.post(
        f"{url}/guests",
        data={
            "guest-name": "Mirja Mayor",
            "guest-email": "Mirja.Mayor@Hollola.fi",
            "guest-organisation": "Hollolan kunta",
            "guest-locale": "sv",
        },
    )
    assert response.status_code == 302
    mail = db.session.scalar(
        select(MailMessage).where(MailMessage.kind == "programme_guest_invitation")
    )
    assert mail.to_address == "mirja.mayor@hollola.fi" and mail.to_user_id is None
    assert mail.ics_method == "REQUEST"
    assert "Du är inbjuden som gäst" in mail.body_text  # the guest's language
    event = Calendar.from_ical(mail.ics).walk("VEVENT")[0]
    assert "Theme 1" in str(event["summary"])
    assert "Venue 1, Katu 1, Lahti" in str(event["location"])
    assert event["dtstart"].dt.date() == day.on_date
    # a second invitation to the same address is refused; nothing more is queued
    again = client.post(
        f"{url}/guests",
        data={"guest-name": "M", "guest-email": "mirja.mayor@hollola.fi", "guest-locale": "fi"},
    )
    assert again.status_code == 400
    assert len(db.session.scalars(select(DayGuest)).all()) == 1
    # the guest's attendance
    guest = db.session.scalar(select(DayGuest))
    assert client.post(url, data={"guest": [guest.id]}).status_code == 302
    assert db.session.get(DayGuest, guest.id).attended


def test_guests_are_invited_only_to_a_wider_network_day(client, programme, organiser):
    day_id = day_ids(programme)[0][0]
    client.login(organiser)
    response = client.post(
        f"/programmes/{programme.id}/days/{day_id}/guests",
        data={"guest-name": "G", "guest-email": "g@example.fi", "guest-locale": "fi"},
    )
    assert response.status_code == 400
    assert db.session.scalars(select(DayGuest)).all() == []


def test_the_cohort_continues_as_a_group_with_a_responsible_person(
    client, programme, organiser, make_user
):
    participant, outsider = make_user(name="Paula Participant"), make_user()
    member = services.apply(participant, programme, programme.starts_on)
    services.decide(organiser, member, services.Decision.ACCEPT)
    db.session.commit()
    client.login(organiser)
    url = f"/programmes/{programme.id}/continuation"
    refused = client.post(
        url, data={"continuation-continues": "y", "continuation-email": outsider.email}
    )
    assert refused.status_code == 400
    assert not programme.continues_as_group
    client.post(url, data={"continuation-continues": "y", "continuation-email": participant.email})
    db.session.refresh(programme)
    assert programme.continues_as_group and programme.group_responsible_id == participant.id
    client.login(participant)
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "The cohort continues as a group; responsible: Paula Participant" in page


def test_the_cohort_is_a_survey_population_and_a_mapping_row(
    ctx, programme, organiser, make_user, password_hash
):
    guest_org = Organisation(name="Hollolan kunta")
    division = Division(code="HOL", name_fi="Hollola", name_en="Hollola", organisation=guest_org)
    unit = Unit(code="HOL1", name="Hollolan sosiaalitoimi", division=division, area="")
    db.session.add_all([guest_org, division, unit])
    db.session.commit()
    city = make_user(job_group=JobGroup.TEACHER)
    guest = make_user(job_group=JobGroup.PRINCIPAL, unit_id=unit.id)
    waiting = make_user()
    for person in (city, guest, waiting):
        services.apply(person, programme, programme.starts_on)
    services.decide(organiser, services.member_of(programme, city), "accept")
    services.decide(organiser, services.member_of(programme, guest), "accept")
    db.session.commit()
    cohort = population_kind("cohort")
    assert set(db.session.scalars(cohort.member_ids(programme.id))) == {city.id, guest.id}
    assert (programme.id, programme.name) in cohort.choices()
    # two days held in the period (attendance recorded), three present in all
    first, second = day_ids(programme)[0]
    c, g = services.member_of(programme, city).id, services.member_of(programme, guest).id
    now = programme.created_at
    services.record_attendance(organiser, db.session.get(ModuleDay, first), {c, g}, set(), now)
    services.record_attendance(organiser, db.session.get(ModuleDay, second), {c}, set(), now)
    db.session.commit()
    start = programme.starts_on
    (row,) = [r for r in mapping_rows(start, start + timedelta(days=400)) if r.kind == "programme"]
    assert row.name == programme.name
    assert row.members_by_organisation == {"City of Lahti": 1, "Hollolan kunta": 1}
    assert row.members_by_role == {"Teacher": 1, "Principal": 1}
    assert (row.events_held, row.attendances) == (2, 3)
