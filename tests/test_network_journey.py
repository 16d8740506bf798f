"""A peer network from the needs survey to the mapping report (issue 19, "done means"):
the features working together as the Omnia practice describes, on both databases."""

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.networks import events, rules, services
from lahti_pool.networks.models import PeerNetwork
from lahti_pool.slots.rules import local_date
from lahti_pool.surveys import services as surveys
from lahti_pool.surveys.rules import QuestionInput

THEMES = ("HR development", "Assessment", "Wellbeing at work")


def test_a_network_from_its_needs_survey_to_the_mapping_report(client, admin, make_user):
    staff = [make_user(name=f"Member {n}") for n in range(7)]
    coordinator = make_user(name="Coordinator", roles={Role.STAFF})
    reports_user = make_user(name="Reports", roles={Role.REPORTS})
    today = local_date(utcnow())

    # 1. The needs survey goes to all staff; six choose HR development.
    needs = surveys.create_survey(
        admin,
        surveys.SurveyInput(
            title="What would you like a peer network for?",
            kind="needs",
            population_kind="all_staff",
            population_subject_id=None,
            questions=[QuestionInput("choice", "Which theme?", THEMES)],
        ),
    )
    surveys.send_survey(admin, needs, today)
    for person in staff[:6]:
        surveys.answer_survey(person, needs, {needs.questions[0].id: 0})
    surveys.close_survey(admin, needs, today)
    db.session.commit()

    # 2. Its result proposes the network; the administrator creates it from the link.
    client.login(admin)
    proposals = client.get(f"/surveys/{needs.id}/propose").text
    link = re.search(r'href="(/admin/networks\?theme=HR[^"]*)"', proposals).group(1)
    assert 'value="HR development"' in client.get(link.replace("&amp;", "&")).text
    created = client.post(
        "/admin/networks",
        data={"name": "HR development", "kind": "themed", "description": "", "parent_id": "0"},
    )
    assert created.status_code == 302
    network = db.session.scalar(select(PeerNetwork).where(PeerNetwork.name == "HR development"))
    services.grant_coordinator(admin, network, coordinator.email)

    # 3. Six join; a workshop was held yesterday and five of them came.
    joined_at = datetime.now(UTC) - timedelta(days=3)
    for person in staff[:6]:
        services.join(person, network, joined_at)
    planned_at = joined_at + timedelta(hours=1)
    workshop = events.create_event(
        coordinator,
        network,
        rules.EventInput(
            "workshop",
            "Onboarding",
            today - timedelta(days=1),
            time(13),
            120,
            20,
            video_url="https://meet.example.fi/hr",
        ),
        planned_at,
    )
    for person in staff[:6]:
        events.register(person, workshop, planned_at)
    events.record_attendance(coordinator, workshop, {p.id for p in staff[:5]}, utcnow())
    db.session.commit()

    # 4. The coordinator's evaluation survey closes the network's year.
    evaluation = surveys.create_survey(
        coordinator,
        surveys.SurveyInput(
            title="How was the network's year?",
            kind="evaluation",
            population_kind="network",
            population_subject_id=network.id,
            about=True,
            evaluates_year=today.year,
            questions=[QuestionInput("scale", "How useful was it?")],
        ),
    )
    assert sorted(surveys.recipient_ids(evaluation)) == sorted(p.id for p in staff[:6])
    surveys.send_survey(coordinator, evaluation, today)
    for person, score in zip(staff[:5], (5, 4, 4, 3, 4), strict=True):
        surveys.answer_survey(person, evaluation, {evaluation.questions[0].id: score})
    surveys.close_survey(coordinator, evaluation, today)
    db.session.commit()

    # 5. The mapping report of the year: members, the event, attendance, the evaluation.
    client.login(reports_user)
    period = f"start={today.year}-01-01&end={today.year}-12-31"
    page = client.get(f"/reports/mapping?{period}")
    assert page.status_code == 200
    assert "HR development" in page.text and "How was the network&#39;s year?" in page.text
    exported = client.get(f"/reports/mapping.csv?{period}").get_data(as_text=True)
    rows = [
        r
        for r in csv.reader(io.StringIO(exported.lstrip("\ufeff")))
        if r[1:2] == ["HR development"]
    ]
    figures = {(r[2], r[3]): r[4] for r in rows}
    assert sum(int(v) for (measure, _c), v in figures.items() if measure == "Members by role") == 6
    assert figures[("Members by organisation", "City of Lahti")] == "6"
    assert figures[("Events held", "")] == "1"
    assert figures[("Attendances", "")] == "5"
    assert figures[("Year evaluated", "How was the network's year?")] == str(today.year)
    assert figures[("Average (1–5)", "How was the network's year?: How useful was it?")] in (
        "4",
        "4.0",
    )
