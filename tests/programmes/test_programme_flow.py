"""A programme from nomination to certificates: capacity, the completion rule, the
certificate's text (extracted from the PDF with pdftotext) and its public verification."""

import re
import subprocess

import pytest
from conftest import day_ids
from sqlalchemy import func, select

from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.programmes import services
from lahti_pool.programmes.models import MemberStatus, ProgrammeMember


def member(programme, user) -> ProgrammeMember:
    return db.session.scalar(
        select(ProgrammeMember).where(
            ProgrammeMember.programme_id == programme.id, ProgrammeMember.user_id == user.id
        )
    )


def decide(client, programme, m, decision, message=""):
    return client.post(
        f"/programmes/{programme.id}/members/{m.id}/decide",
        data={"decision-decision": decision, "decision-message": message},
    )


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return re.sub(r"\s+", " ", out.stdout)


def test_nomination_to_certificate(client, programme, organiser, manager, make_user, tmp_path):
    applicant = make_user(name="Anna Applicant", locale="sv")
    nominee = make_user(name="Niko Nominee")
    # a staff member applies; the unit's manager nominates a colleague
    client.login(applicant)
    assert client.post(f"/programmes/{programme.id}/apply").status_code == 302
    client.login(manager)
    response = client.post(
        f"/programmes/{programme.id}/nominate", data={"nominate-email": nominee.email}
    )
    assert response.status_code == 302
    assert member(programme, nominee).nominated_by_id == manager.id
    # the organiser accepts both; each is told by e-mail
    client.login(organiser)
    for person in (applicant, nominee):
        assert decide(client, programme, member(programme, person), "accept").status_code == 302
        assert member(programme, person).status == MemberStatus.ACCEPTED
    assert (
        db.session.scalar(select(func.count()).where(MailMessage.kind == "programme_decision")) == 2
    )
    # attendance: the applicant attends every day of modules 1-4 and the first day of 5;
    # the nominee misses one day of module 2 and all of module 5 (3 modules count)
    days = day_ids(programme)
    a, n = member(programme, applicant).id, member(programme, nominee).id
    for module_no, module_days in enumerate(days, start=1):
        for day_no, day_id in enumerate(module_days):
            present = []
            if module_no < 5 or day_no == 0:
                present.append(a)
            if module_no not in (5,) and not (module_no == 2 and day_no == 1):
                present.append(n)
            response = client.post(
                f"/programmes/{programme.id}/days/{day_id}", data={"member": present}
            )
            assert response.status_code == 302
    # certificates go to those who completed only
    assert client.post(f"/programmes/{programme.id}/certificates").status_code == 302
    done, not_done = member(programme, applicant), member(programme, nominee)
    assert done.certificate_code and len(done.certificate_code) >= 20
    assert not_done.certificate_code is None
    assert services.completion(not_done).modules_counted == 3
    # the participant downloads it: Swedish, their name, the programme, modules and hours
    client.login(applicant)
    response = client.get(f"/programmes/{programme.id}/members/{done.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Intyg" in text  # the Swedish title
    assert "Anna Applicant" in text
    assert "Sosiaalijohtajien kehittämisohjelma" in text
    assert "Theme 1" in text and "Theme 4" in text
    assert "Lahden kaupunki" in text
    assert done.certificate_code in text
    # four modules of 2 × 6.5 h and one day of module 5: 58.5 hours
    assert "58,5" in text
    # the nominee has none, and may not fetch the applicant's
    client.login(nominee)
    assert (
        client.get(f"/programmes/{programme.id}/members/{done.id}/certificate.pdf").status_code
        == 403
    )
    # the public page confirms it with the name, programme and date, nothing more
    anonymous = client.application.test_client()
    page = anonymous.get(f"/certificates/{done.certificate_code}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Anna Applicant" in body and "Sosiaalijohtajien kehittämisohjelma" in body
    assert "Theme 1" not in body and applicant.email not in body
    assert anonymous.get("/certificates/not-a-real-code").status_code == 404


def test_accepting_past_capacity_is_refused_with_a_message(client, programme, organiser, make_user):
    people = [make_user() for _ in range(4)]
    for person in people:
        services.apply(person, programme, programme.starts_on)
    db.session.commit()
    client.login(organiser)
    for person in people[:3]:
        decide(client, programme, member(programme, person), "accept")
    last = member(programme, people[3])
    response = decide(client, programme, last, "accept")
    assert response.status_code == 400
    assert "The cohort is full (3 participants)" in response.get_data(as_text=True)
    assert member(programme, people[3]).status == MemberStatus.APPLIED
    # the waiting list, or a refusal with a message the person sees
    assert decide(client, programme, last, "wait").status_code == 302
    assert member(programme, people[3]).status == MemberStatus.WAITING
    assert decide(client, programme, member(programme, people[3]), "refuse").status_code == 400
    decide(client, programme, member(programme, people[3]), "refuse", "Next cohort in spring")
    assert member(programme, people[3]).status == MemberStatus.REFUSED
    client.login(people[3])
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Next cohort in spring" in page
    # a participant sees their own place, not the others' names
    assert people[0].name not in page


@pytest.mark.parametrize(
    ("attended", "counts"),
    [((True, True), True), ((True, False), False), ((False, False), False)],
)
def test_a_module_counts_only_when_every_day_was_attended(attended, counts):
    from lahti_pool.programmes.rules import ModuleAttendance

    module = ModuleAttendance(1, "Theme", tuple((390, a) for a in attended))
    assert module.counts is counts


def test_four_of_five_modules_complete_the_programme():
    from lahti_pool.programmes.rules import Completion, ModuleAttendance

    full, half = ((390, True), (390, True)), ((390, True), (390, False))
    four = tuple(ModuleAttendance(i, "T", full) for i in range(4)) + (
        ModuleAttendance(5, "T", half),
    )
    three = tuple(ModuleAttendance(i, "T", full) for i in range(3)) + (
        ModuleAttendance(4, "T", half),
        ModuleAttendance(5, "T", half),
    )
    assert Completion(four, 4).completed and Completion(four, 4).minutes_attended == 9 * 390
    assert not Completion(three, 4).completed


def test_staff_cannot_nominate_nor_manage(client, programme, make_user):
    outsider, other = make_user(), make_user()
    client.login(outsider)
    response = client.post(
        f"/programmes/{programme.id}/nominate", data={"nominate-email": other.email}
    )
    assert response.status_code == 403
    assert (
        client.get(f"/programmes/{programme.id}/days/{day_ids(programme)[0][0]}").status_code == 403
    )
    assert member(programme, other) is None


def test_a_module_names_its_facilitators_and_its_venue_address(
    client, programme, organiser, make_supervisor
):
    supervisor = make_supervisor(name="Saara Supervisor")
    client.login(organiser)
    response = client.post(
        f"/programmes/{programme.id}/modules",
        data={
            "module-theme": "Crisis leadership",
            "module-venue_id": programme.modules[0].venue_id,
            "module-supervisor_ids": [supervisor.id],
            "module-outside_facilitators": "Marina Kaljurand",
        },
    )
    assert response.status_code == 302
    db.session.refresh(programme)
    module = programme.modules[-1]
    assert module.number == 6 and [f.id for f in module.facilitators] == [supervisor.id]
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Saara Supervisor, Marina Kaljurand" in page
    assert "Venue 1, Katu 1, Lahti" in page
