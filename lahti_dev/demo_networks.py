"""The demo's peer networks (Omnia practice): a network of organisations, two themed
networks with coordinators and members, a past workshop with attendance, a coming
webinar with registrations and a waiting list, and a few board posts. Idempotent."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.networks import board, events, services
from lahti_pool.networks.models import NetworkKind, PeerNetwork
from lahti_pool.networks.rules import EventInput
from lahti_pool.organisation.models import Organisation, Venue
from lahti_pool.sessions.rules import LOCAL_TZ, local_to_utc

DOMAIN = "demo.lahti.fi"
ORGANISATIONS_NETWORK = "Vertaansa vailla – Päijät-Hämeen verkosto"
HR_NETWORK = "HR-kehittäjät"
PEDAGOGY_NETWORK = "Pedagoginen johtaminen"
VENUE = ("Lahden kaupungintalo, Harjusali", "Harjukatu 31, 15100 Lahti")


def _user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == f"{login}@{DOMAIN}"))


def _staff(n: int, skip: set[int]) -> list[User]:
    """The first ``n`` demo staff members other than the known logins, in a fixed order."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(
                UserRole.role == Role.STAFF, User.id.not_in(skip), User.email.like(f"%@{DOMAIN}")
            )
            .order_by(User.id)
            .limit(n)
        )
    )


def _venue() -> Venue:
    venue = db.session.scalar(select(Venue).where(Venue.name == VENUE[0]))
    if venue is None:
        venue = Venue(
            name=VENUE[0],
            address=VENUE[1],
            accessibility_note="Esteetön sisäänkäynti Harjukadulta, induktiosilmukka.",
        )
        db.session.add(venue)
        db.session.flush()
    return venue


def _event(coordinator, network, kind, title, starts_at: datetime, capacity, **kwargs):
    local = starts_at.astimezone(LOCAL_TZ)
    data = EventInput(
        kind, title, local.date(), local.time(), kwargs.pop("minutes", 120), capacity, **kwargs
    )
    return events.create_event(coordinator, network, data, utcnow())


def ensure_networks(admin: User, today: date) -> int:
    """Create the demo networks unless they exist; how many networks were created."""
    if db.session.scalar(select(PeerNetwork.id).where(PeerNetwork.name == HR_NETWORK)):
        return 0
    now = utcnow()
    manager, staff, personal = _user("manager"), _user("staff"), _user("personal")
    known = {u.id for u in (manager, staff, personal) if u is not None}
    people = _staff(9, known)
    hr_coordinator, others = people[0], people[1:]

    umbrella = services.create_network(
        admin,
        ORGANISATIONS_NETWORK,
        NetworkKind.ORGANISATIONS,
        "Kaupunki ja naapurikuntien sivistystoimet: johtamisen vertaisverkostot.",
        None,
    )
    for org in db.session.scalars(select(Organisation).where(Organisation.is_active.is_(True))):
        services.add_organisation(admin, umbrella, org.id)
    hr = services.create_network(
        admin,
        HR_NETWORK,
        NetworkKind.THEMED,
        "HR-kehittäjien vertaisverkosto: perehdytys, osaamisen kehittäminen, työhyvinvointi.",
        umbrella.id,
    )
    pedagogy = services.create_network(
        admin,
        PEDAGOGY_NETWORK,
        NetworkKind.THEMED,
        "Rehtoreille, apulaisrehtoreille ja tiiminvetäjille: pedagoginen johtaminen arjessa.",
        umbrella.id,
    )
    services.grant_coordinator(admin, hr, hr_coordinator.email)
    services.grant_coordinator(admin, pedagogy, manager.email)
    for person in [hr_coordinator, *others[:6]]:
        services.join(person, hr, now - timedelta(days=40))
    for person in [manager, *others[2:8]]:
        services.join(person, pedagogy, now - timedelta(days=40))
    venue = _venue()

    # A past workshop with attendance: planned ahead, held two weeks ago.
    held_at = local_to_utc(today - timedelta(days=14), time(13))
    workshop = _event(
        manager, pedagogy, "workshop", "Pedagogisen johtamisen työpaja", now + timedelta(days=1),
        12, venue_id=venue.id, minutes=180,
    )  # fmt: skip
    attendees = [manager, *others[2:8]]
    for person in attendees:
        events.register(person, workshop, now)
    workshop.starts_at = held_at
    db.session.flush()
    present = {p.id for p in attendees[:-2]}
    events.record_attendance(manager, workshop, present, now)

    # A coming webinar with three places, five registrations: two on the waiting list.
    webinar = _event(
        hr_coordinator, hr, "webinar", "Perehdytyksen hyvät käytännöt",
        local_to_utc(today + timedelta(days=10), time(14)), 3,
        video_url="https://meet.demo.lahti.fi/hr-perehdytys", minutes=60,
    )  # fmt: skip
    for person in others[:5]:
        events.register(person, webinar, now)
    _event(
        hr_coordinator, hr, "sparring", "Sparraus: työhyvinvointikysely",
        local_to_utc(today + timedelta(days=24), time(9)), 10, venue_id=venue.id, minutes=90,
    )  # fmt: skip

    first = board.post(
        hr_coordinator,
        hr,
        "Tervetuloa verkostoon! Kertokaa, **mitä aiheita** haluatte käsitellä keväällä:\n\n"
        "- perehdytys\n- osaamiskartoitukset\n- työhyvinvointi",
        now - timedelta(days=6),
    )
    board.post(
        others[1], hr, "Perehdytys kiinnostaa eniten meillä.", now - timedelta(days=5), first.id
    )
    board.post(
        manager,
        pedagogy,
        "Työpajan materiaalit ovat [kaupungin sivuilla](https://www.lahti.fi). Kiitos kaikille!",
        now - timedelta(days=13),
    )
    db.session.flush()
    return 3
