"""A covision circle in the demo city (issue 18): a principals' group whose supervised
process ended goes on as a circle, with a rotation of hosts, one meeting held (the host
kept the attendance) and more coming; and a theme the group passed to management
(kindergarten opening hours, the Harju county article's example).

Made through the services, with the clock the demo pretends (a meeting held two weeks ago
was planned before it); run again it adds nothing.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.circles import services as circles
from lahti_pool.circles import themes
from lahti_pool.circles.models import CovisionCircle
from lahti_pool.extensions import db
from lahti_pool.matching.services import create_process
from lahti_pool.organisation.models import Venue
from lahti_pool.requests.models import RequestMember, SupervisionRequest
from lahti_pool.requests.quota import school_year_for
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import GroupRequestInput, change_status, submit_group_request
from lahti_pool.sessions import services as session_services
from lahti_pool.sessions.models import SessionStatus
from lahti_pool.supervisors.models import Supervisor

CIRCLE_NAME = "Rehtorien kovisioryhmä"
THEME = (
    "Päiväkotien aukioloajat eivät vastaa vuorotyötä tekevien vanhempien tarpeita: "
    "ilta- ja viikonloppuhoidon tarve kasvaa, ja koulujen aamu- ja iltapäivätoiminta "
    "pitäisi sovittaa yhteen päiväkotien aukioloaikojen kanssa."
)


def _free_staff(domain: str, manager: User, n: int) -> list[User]:
    """Staff with no request of their own or as a member, the manager first."""
    in_a_request = exists().where(RequestMember.user_id == User.id) | exists().where(
        SupervisionRequest.requester_id == User.id
    )
    candidates = db.session.scalars(
        select(User)
        .where(User.email.like(f"%@{domain}"), User.unit_id.is_not(None), ~in_a_request)
        .where(User.id != manager.id, User.email.not_like("staff@%"))
        .where(User.email.not_like("personal@%"))
        .order_by(User.email)
    )
    chosen = [u for u in candidates if u.has_role(Role.STAFF)][: n - 1]
    return [manager, *chosen]


def ensure_circle(admin: User, domain: str, today: date) -> int:
    """The circle and its theme; 0 when they exist already."""
    if db.session.scalar(select(func.count()).select_from(CovisionCircle)):
        return 0
    manager = db.session.scalar(select(User).where(User.email == f"manager@{domain}"))
    people = _free_staff(domain, manager, 4)
    year = school_year_for(today)
    supervisor = next(
        s
        for s in db.session.scalars(select(Supervisor).order_by(Supervisor.rank))
        if "group" in s.kinds
    )
    if (today - year.starts_on).days < 4:  # a school year's first days: no ended group yet
        return 0
    start = max(year.starts_on, today - timedelta(days=70))
    second = start + (today - start) / 2
    sup_request = submit_group_request(
        people[0],
        GroupRequestInput(
            school_year_id=year.id,
            sessions=2,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Rehtorien ryhmätyönohjaus",
            member_emails=tuple(p.email for p in people[1:]),
        ),
        today,
    )
    change_status(admin, sup_request, RequestStatus.MATCHED, "Ryhmätyönohjaaja vapaana.")
    process = create_process(
        admin, sup_request, supervisor, 2, rule="ranking", grounds=[], today=today
    ).process
    now = datetime.now(UTC)
    for day in (start, second):
        data = session_services.SessionInput(
            on_date=day,
            at=time(13, 0),
            duration_minutes=90,
            mode="on_site",
            place="Kaupungintalo, neuvotteluhuone 3",
        )
        sup_session, _ = session_services.plan_session(admin, process, data, now)
        # the second session held uses the last one granted: the process closes itself
        session_services.log_session(
            supervisor.user,
            sup_session,
            session_services.LogInput(
                outcome=SessionStatus.HELD,
                duration_minutes=90,
                attendee_ids=frozenset(process.client_ids),
            ),
            now,
        )
    venue = db.session.scalar(select(Venue).where(Venue.name == "Mukkulan kartano"))
    if venue is None:
        venue = Venue(
            name="Mukkulan kartano",
            address="Ritaniemenkatu 10, 15240 Lahti",
            accessibility_note="Esteetön sisäänkäynti pihan puolelta; induktiosilmukka salissa.",
        )
        db.session.add(venue)
        db.session.flush()
    circle = circles.start_circle(people[1], process, CIRCLE_NAME)
    for person in people:
        if person.id != people[1].id:
            circles.join_circle(person, circle)
    # One meeting two weeks ago (planned before it, held, attendance kept) ...
    held_day = today - timedelta(days=14)
    back_then = datetime.combine(held_day - timedelta(days=30), time(9), tzinfo=UTC)
    (held,) = circles.plan_meetings(
        people[1], circle, circles.PlanInput(held_day, time(14), 1, 4, 90, venue.id), back_then
    )
    circles.set_topic(held.host, held, "Lasten hoitopäivien pituus ja koulupäivän rytmi")
    circles.record_attendance(
        held.host, held, {p.id for p in people[:3]}, held.starts_at + timedelta(minutes=95)
    )
    # ... and the next three, four weeks apart, the hosts taking turns.
    coming = circles.PlanInput(
        today + timedelta(days=14),
        time(14),
        3,
        4,
        90,
        venue.id,
        "https://meet.example.fi/rehtorien-kovisio",
    )
    circles.plan_meetings(people[1], circle, coming, now)
    theme = themes.draft_theme(people[2], circle, THEME)
    for person in people:
        if person.id != people[2].id:
            themes.confirm_theme(person, theme, today)
    db.session.flush()
    return 1
