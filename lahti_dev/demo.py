"""``flask pool demo``: a small believable Finnish city to try the pool with.

Three divisions, about forty units, about five hundred staff, eighteen contracted
supervisors, an administrator, a reports user, the current school year and a few
requests in every state. The content is deterministic (``random.Random(2026)``) and
the command is idempotent: divisions and units are found by code, people by e-mail,
the agreement by its procurement reference, and the requests are only made when the
demo staff member has none yet. Requests go through the services, so the quota
counters are exactly what real use would leave.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from lahti_dev.demo_across import ensure_across
from lahti_dev.demo_activity import ensure_activity
from lahti_dev.demo_circles import ensure_circle
from lahti_dev.demo_guests import ensure_guests, free_staff
from lahti_dev.demo_hosting import ensure_hosting
from lahti_dev.demo_networks import ensure_networks
from lahti_dev.demo_pages import ensure_service_pages
from lahti_dev.demo_programmes import ensure_programme
from lahti_dev.demo_quotes import ensure_quotes
from lahti_dev.demo_surveys import ensure_surveys
from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.passwords import hash_password
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching.models import GroupOffer, GroupOfferMember, OfferResponse
from lahti_pool.matching.services import create_process
from lahti_pool.organisation.job_groups import job_group_for
from lahti_pool.organisation.models import Division, Unit, UnitKind
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.requests.quota import school_year_for
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import (
    GroupRequestInput,
    RequestInput,
    change_status,
    decline_group_membership,
    submit_group_request,
    submit_individual_request,
    withdraw_request,
)
from lahti_pool.supervisors.models import FrameworkAgreement, Supervisor

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on purpose; demo data only
DOMAIN = "demo.lahti.fi"
SUPERVISOR_DOMAIN = "tyonohjaajat.demo.lahti.fi"
AGREEMENT_REF = "DEMO-HILMA-2025-123456"
STAFF_TARGET = 500
AREAS = ("Keskusta", "Etelä", "Pohjoinen", "Itä", "Länsi")

# --- The organisation ----------------------------------------------------------------

#: (code, Finnish name, English name, unit-code prefix)
DIVISIONS = (
    ("4110", "Perusopetus", "Basic education", "PO"),
    ("4210", "Varhaiskasvatus", "Early childhood education", "VK"),
    ("5310", "Sosiaali- ja terveyspalvelut", "Social and health services", "ST"),
)

#: division code -> [(unit name, kind, area)]
UNITS = {
    "4110": [
        ("Kivimaan koulu", UnitKind.SCHOOL, "Keskusta"),
        ("Tiirismaan koulu", UnitKind.SCHOOL, "Keskusta"),
        ("Salpausselän koulu", UnitKind.SCHOOL, "Keskusta"),
        ("Jalkarannan koulu", UnitKind.SCHOOL, "Etelä"),
        ("Kärpäsen koulu", UnitKind.SCHOOL, "Etelä"),
        ("Launeen koulu", UnitKind.SCHOOL, "Etelä"),
        ("Mukkulan koulu", UnitKind.SCHOOL, "Pohjoinen"),
        ("Metsäkankaan koulu", UnitKind.SCHOOL, "Pohjoinen"),
        ("Kunnaksen koulu", UnitKind.SCHOOL, "Pohjoinen"),
        ("Ahtialan koulu", UnitKind.SCHOOL, "Itä"),
        ("Kiveriön koulu", UnitKind.SCHOOL, "Itä"),
        ("Myllypohjan koulu", UnitKind.SCHOOL, "Itä"),
        ("Liipolan koulu", UnitKind.SCHOOL, "Länsi"),
        ("Möysän koulu", UnitKind.SCHOOL, "Länsi"),
        ("Vesijärven koulu", UnitKind.SCHOOL, "Länsi"),
        ("Perusopetuksen palvelukeskus", UnitKind.OFFICE, "Keskusta"),
    ],
    "4210": [
        ("Päiväkoti Tähtikallio", UnitKind.KINDERGARTEN, "Keskusta"),
        ("Päiväkoti Sinisiipi", UnitKind.KINDERGARTEN, "Keskusta"),
        ("Päiväkoti Metsätähti", UnitKind.KINDERGARTEN, "Etelä"),
        ("Päiväkoti Kuusikko", UnitKind.KINDERGARTEN, "Etelä"),
        ("Päiväkoti Onnenapila", UnitKind.KINDERGARTEN, "Pohjoinen"),
        ("Päiväkoti Kelloharju", UnitKind.KINDERGARTEN, "Pohjoinen"),
        ("Päiväkoti Pikku-Karhu", UnitKind.KINDERGARTEN, "Itä"),
        ("Päiväkoti Myllyranta", UnitKind.KINDERGARTEN, "Itä"),
        ("Päiväkoti Kanerva", UnitKind.KINDERGARTEN, "Länsi"),
        ("Päiväkoti Satumetsä", UnitKind.KINDERGARTEN, "Länsi"),
        ("Päiväkoti Rinnetupa", UnitKind.KINDERGARTEN, "Etelä"),
        ("Varhaiskasvatuksen palvelutoimisto", UnitKind.OFFICE, "Keskusta"),
    ],
    "5310": [
        ("Keskustan sosiaaliasema", UnitKind.OFFICE, "Keskusta"),
        ("Lapsiperheiden sosiaalityö", UnitKind.OFFICE, "Keskusta"),
        ("Aikuissosiaalityö", UnitKind.OFFICE, "Etelä"),
        ("Perheneuvola", UnitKind.OFFICE, "Keskusta"),
        ("Kotihoito Etelä", UnitKind.OTHER, "Etelä"),
        ("Kotihoito Pohjoinen", UnitKind.OTHER, "Pohjoinen"),
        ("Terveysasema Keskusta", UnitKind.OTHER, "Keskusta"),
        ("Liipolan terveysasema", UnitKind.OTHER, "Länsi"),
        ("Mukkulan terveysasema", UnitKind.OTHER, "Pohjoinen"),
        ("Vammaispalvelut", UnitKind.OFFICE, "Itä"),
        ("Nuorten palvelut", UnitKind.OFFICE, "Itä"),
        ("Sosiaali- ja terveyspalvelujen hallinto", UnitKind.OFFICE, "Keskusta"),
    ],
}

#: staff per unit kind, roughly; the total is trimmed to STAFF_TARGET
STAFF_PER_KIND = {
    UnitKind.SCHOOL: 17,
    UnitKind.KINDERGARTEN: 11,
    UnitKind.OFFICE: 7,
    UnitKind.OTHER: 12,
}

#: (division code, unit kind) -> [(job title, weight)]; a head comes first, once per unit
JOB_TITLES = {
    ("4110", UnitKind.SCHOOL): [
        ("Rehtori", 0),
        ("Luokanopettaja", 6),
        ("Aineenopettaja", 5),
        ("Opettaja", 3),
        ("Erityisopettaja", 2),
        ("Koulunkäynninohjaaja", 4),
        ("Koulusihteeri", 1),
        ("Apulaisrehtori", 1),
        ("Koulukuraattori", 1),
    ],
    ("4110", UnitKind.OFFICE): [
        ("Perusopetusjohtaja", 0),
        ("Suunnittelija", 3),
        ("Koulutussuunnittelija", 2),
        ("Toimistosihteeri", 2),
        ("Koulupsykologi", 2),
    ],
    ("4210", UnitKind.KINDERGARTEN): [
        ("Päiväkodinjohtaja", 0),
        ("Lastentarhanopettaja", 3),
        ("Varhaiskasvatuksen opettaja", 3),
        ("Lastenhoitaja", 5),
        ("Varhaiskasvatuksen erityisopettaja", 1),
        ("Varhaiskasvatuksen avustaja", 1),
    ],
    ("4210", UnitKind.OFFICE): [
        ("Varhaiskasvatusjohtaja", 0),
        ("Palveluohjaaja", 3),
        ("Suunnittelija", 2),
        ("Toimistosihteeri", 2),
    ],
    ("5310", UnitKind.OFFICE): [
        ("Johtava sosiaalityöntekijä", 0),
        ("Sosiaalityöntekijä", 5),
        ("Sosiaaliohjaaja", 4),
        ("Perhetyöntekijä", 2),
        ("Psykologi", 1),
        ("Toimistosihteeri", 1),
    ],
    ("5310", UnitKind.OTHER): [
        ("Osastonhoitaja", 0),
        ("Sairaanhoitaja", 4),
        ("Terveydenhoitaja", 3),
        ("Lähihoitaja", 5),
        ("Fysioterapeutti", 1),
        ("Sosiaaliohjaaja", 1),
    ],
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE_NAMES = _words(
    "Aino Anna Anne Anu Eeva Elina Emilia Hanna Heidi Helena Johanna Jenni Katja Kaisa "
    "Kirsi Laura Leena Liisa Maria Marja Minna Noora Outi Päivi Pia Riikka Sanna Satu "
    "Sari Susanna Taina Tiina Tuula Ulla Veera Virpi"
)
MALE_NAMES = _words(
    "Antti Eero Harri Heikki Ilkka Janne Jari Juha Jukka Jussi Kari Lauri Markku Matti "
    "Mika Mikko Olli Pekka Petri Sami Seppo Timo Tomi Tuomas Ville Veikko"
)
SURNAMES = _words(
    "Aaltonen Ahonen Anttila Backman Eskola Hakala Halonen Heikkinen Heinonen Hiltunen "
    "Hirvonen Huttunen Hämäläinen Jokinen Järvinen Kallio Karjalainen Kettunen Kinnunen "
    "Koivisto Korhonen Koskinen Laaksonen Lahtinen Laine Lehtonen Leinonen Lindholm "
    "Manninen Mattila Miettinen Mäkelä Mäkinen Niemi Nieminen Nurmi Ojala Peltonen "
    "Pitkänen Rantanen Räsänen Saarinen Salminen Salo Salonen Sirola Suominen Tuominen "
    "Turunen Vainio Virtanen Väisänen"
)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    job_title: str
    unit_code: str | None
    roles: frozenset[Role]


#: the known logins, printed at the end: (role shown, e-mail, name, job title, unit name)
KNOWN_PEOPLE = (
    ("staff member (teacher)", "staff", "Sanna Koskinen", "Luokanopettaja", "Kivimaan koulu"),
    (
        "staff member, in Swedish",
        "personal",
        "Johanna Lindqvist",
        "Luokanopettaja",
        "Kivimaan koulu",
    ),
    (
        "unit manager (principal)",
        "manager",
        "Mikko Lehtinen",
        "Rehtori",
        "Kivimaan koulu",
    ),
    ("supervisor", "supervisor", "Marjatta Heinonen", "Työnohjaaja", None),
    (
        "pool administrator",
        "admin",
        "Anu Lindholm",
        "Työnohjauspoolin koordinaattori",
        "Perusopetuksen palvelukeskus",
    ),
    (
        "development services (reports)",
        "reports",
        "Riikka Salonen",
        "Kehittämisasiantuntija",
        "Perusopetuksen palvelukeskus",
    ),
)

# --- Supervisors -----------------------------------------------------------------------

SUPERVISOR_NAMES = (
    "Marjatta Heinonen",
    "Pirjo Laaksonen",
    "Kimmo Rautio",
    "Helena Sjöberg",
    "Tarja Kivelä",
    "Jouni Haapala",
    "Anneli Rantanen",
    "Merja Vuorinen",
    "Ritva Kallio-Nieminen",
    "Hannu Peltola",
    "Sirpa Airaksinen",
    "Kristiina Ek",
    "Raili Manninen",
    "Esa Lampinen",
    "Maarit Toivonen",
    "Katariina Tamm",
    "Jaana Lehtovaara",
    "Ari Holmström",
)
COMPANY_FORMS = ("Työnohjaus {last} Oy", "Tmi {first} {last}", "Ohjausvoima {last} Oy")
QUALIFICATIONS = (
    "STOry ry:n auktorisoima työnohjaaja",
    "Työnohjaajakoulutus (60 op), STOry ry:n jäsen",
    "Psykoterapeutti (VET), työnohjaaja",
    "Ratkaisukeskeinen työnohjaaja ja coach",
    "Työnohjaaja ja johdon coach (ICF PCC)",
)
BIO_OPENINGS = (
    "Olen toiminut työnohjaajana {years} vuotta",
    "Työnohjaajana olen toiminut vuodesta {since}",
    "Minulla on {years} vuoden kokemus työnohjauksesta",
)
BIO_BACKGROUNDS = (
    "ja taustani on opettajana ja rehtorina.",
    "ja taustani on sosiaalityössä ja lastensuojelussa.",
    "ja olen aiemmin työskennellyt varhaiskasvatuksen johtajana.",
    "ja taustani on psykiatrisessa hoitotyössä.",
    "ja olen työskennellyt erityisopettajana ja oppilashuollossa.",
)
BIO_APPROACHES = (
    "Työskentelen ratkaisukeskeisesti ja dialogisesti: lähdemme liikkeelle siitä, "
    "mikä työssäsi nyt on tärkeää.",
    "Työnohjauksessa pysähdymme yhdessä työn arkeen ja etsimme uusia näkökulmia "
    "kuormittaviin tilanteisiin.",
    "Ryhmien ja työyhteisöjen ohjaus on minulle erityisen läheistä; "
    "vuorovaikutus ja luottamus ovat työskentelyni perusta.",
    "Autan jäsentämään omaa työtä, jaksamista ja ammatillista kasvua turvallisessa tilassa.",
)

# --- Small helpers -----------------------------------------------------------------------


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch in ".-")


def _email_for(name: str, domain: str, taken: set[str]) -> str:
    first, *rest = name.split()
    base = f"{_ascii(first)}.{_ascii('-'.join(rest))}"
    email, n = f"{base}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{base}{n}@{domain}"
    taken.add(email)
    return email


def business_id(number: int) -> str:
    """A Finnish business ID (Y-tunnus) with a valid check digit, for a 7-digit number."""
    digits = f"{number:07d}"
    remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if remainder == 1:  # no valid check digit exists; take the next number
        return business_id(number + 1)
    return f"{digits}-{0 if remainder == 0 else 11 - remainder}"


def _weighted(rng: random.Random, titles: list[tuple[str, int]]) -> str:
    names = [t for t, w in titles if w]
    return rng.choices(names, weights=[w for _, w in titles if w])[0]


# --- Building the city ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: UnitKind
    area: str
    division_code: str


def _demo_units() -> list[DemoUnit]:
    """The units the demo defines, with codes like PO01 (division prefix + number)."""
    return [
        DemoUnit(f"{prefix}{i:02d}", name, kind, area, division_code)
        for division_code, _fi, _en, prefix in DIVISIONS
        for i, (name, kind, area) in enumerate(UNITS[division_code], start=1)
    ]


def _ensure_divisions_and_units() -> dict[str, Unit]:
    """The demo's units by code, created (with their divisions) where missing."""
    divisions = {d.code: d for d in db.session.scalars(select(Division))}
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    for code, name_fi, name_en, _prefix in DIVISIONS:
        if code not in divisions:
            divisions[code] = Division(code=code, name_fi=name_fi, name_en=name_en)
            db.session.add(divisions[code])
    for spec in _demo_units():
        if spec.code not in units:
            units[spec.code] = Unit(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                area=spec.area,
                division=divisions[spec.division_code],
            )
            db.session.add(units[spec.code])
    db.session.flush()
    return {spec.code: units[spec.code] for spec in _demo_units()}


def _planned_people() -> list[Person]:
    """Everyone the demo city employs, in a fixed order (the same on every run)."""
    rng = random.Random(2026)
    specs = _demo_units()
    code_of = {spec.name: spec.code for spec in specs}
    taken = {f"{login}@{DOMAIN}" for _, login, *_ in KNOWN_PEOPLE}
    people = []
    for _label, login, name, title, unit_name in KNOWN_PEOPLE:
        roles = {
            "staff": {Role.STAFF},
            "personal": {Role.STAFF},
            "manager": {Role.STAFF, Role.MANAGER},
            "supervisor": {Role.SUPERVISOR},
            "admin": {Role.ADMIN},
            "reports": {Role.REPORTS},
        }[login]
        unit_code = code_of[unit_name] if unit_name else None
        people.append(Person(f"{login}@{DOMAIN}", name, title, unit_code, frozenset(roles)))

    slots = []  # (unit, job titles, the head's title or None)
    for spec in specs:
        titles = JOB_TITLES[(spec.division_code, spec.kind)]
        slots.append((spec, titles, titles[0][0]))
        slots.extend((spec, titles, None) for _ in range(STAFF_PER_KIND[spec.kind] - 1))
    for spec, titles, head_title in slots[: STAFF_TARGET - len(people)]:
        title = head_title or _weighted(rng, titles)
        first_names = FEMALE_NAMES if rng.random() < 0.72 else MALE_NAMES
        name = f"{rng.choice(first_names)} {rng.choice(SURNAMES)}"
        email = _email_for(name, DOMAIN, taken)
        people.append(Person(email, name, title, spec.code, frozenset({Role.STAFF})))
    return people


def _ensure_people(people: list[Person], units: dict[str, Unit], password_hash: str) -> int:
    existing = set(db.session.scalars(select(func.lower(User.email))))
    created = 0
    for person in people:
        if person.email in existing:
            continue
        user = User(
            email=person.email,
            name=person.name,
            job_title=person.job_title,
            # as the HR sync maps it (the reach report counts by job group)
            job_group=job_group_for(person.job_title),
            unit_id=units[person.unit_code].id if person.unit_code else None,
            password_hash=password_hash,
            locale="sv" if person.email == f"personal@{DOMAIN}" else "fi",
            session_version=1,
        )
        user.set_roles(set(person.roles))
        db.session.add(user)
        created += 1
    db.session.flush()
    return created


def _ensure_supervisors(units: dict[str, Unit], password_hash: str, today: date) -> int:
    rng = random.Random(2026 * 18)
    year = school_year_for(today)
    agreement = db.session.scalar(
        select(FrameworkAgreement).where(FrameworkAgreement.procurement_ref == AGREEMENT_REF)
    )
    if agreement is None:
        starts_on = year.starts_on.replace(year=year.starts_on.year - 1)
        agreement = FrameworkAgreement(
            name="Työnohjauspalvelut, puitesopimus",
            procurement_ref=AGREEMENT_REF,
            starts_on=starts_on,
            ends_on=starts_on.replace(year=starts_on.year + 4) - timedelta(days=1),
        )
        db.session.add(agreement)
        db.session.flush()
    divisions = {d.code: d for d in db.session.scalars(select(Division))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    have = set(db.session.scalars(select(Supervisor.user_id)))
    created = 0
    for rank, name in enumerate(SUPERVISOR_NAMES, start=1):
        first, last = name.split(" ", 1)
        if rank == 1:
            email = f"supervisor@{DOMAIN}"
        else:
            email = f"{_ascii(first)}.{_ascii(last)}@{SUPERVISOR_DOMAIN}"
        # Draw every random value on every run so that later supervisors come out the same.
        years = rng.randint(4, 25)
        languages = ["fi"] + [lang for lang, p in (("en", 0.5), ("sv", 0.2)) if rng.random() < p]
        if name == "Katariina Tamm":
            languages.append("et")
        if rng.random() < 0.8:
            modes = ["on_site", "video"] + (["phone"] if rng.random() < 0.4 else [])
        else:
            modes = ["video", "phone"]  # meets remotely only
        areas = sorted(rng.sample(AREAS, rng.randint(1, 3)))
        serves = ["4110"] + [c for c in ("4210", "5310") if rng.random() < 0.55]
        bio = " ".join(
            (
                rng.choice(BIO_OPENINGS).format(years=years, since=today.year - years),
                rng.choice(BIO_BACKGROUNDS),
                rng.choice(BIO_APPROACHES),
            )
        )
        company = rng.choice(COMPANY_FORMS).format(first=first, last=last.split("-")[0])
        qualification = rng.choice(QUALIFICATIONS)
        price = rng.choice((8500, 9000, 9500, 9800, 10500, 11000))
        capacity = rng.choice((40, 60, 80, 100, 120))
        conflict = rng.choice(sorted(units)) if rng.random() < 0.2 else None

        user = users.get(email)
        if user is None:
            user = User(
                email=email,
                name=name,
                job_title="Työnohjaaja",
                password_hash=password_hash,
                locale="fi",
                session_version=1,
            )
            user.set_roles({Role.SUPERVISOR})
            db.session.add(user)
            db.session.flush()
        if user.id in have:
            continue
        supervisor = Supervisor(
            user_id=user.id,
            agreement_id=agreement.id,
            rank=rank,
            company_name=company,
            business_id=business_id(2_400_000 + rank * 7919),
            contract_starts_on=agreement.starts_on,
            contract_ends_on=agreement.ends_on,
            price_individual_cents=price,
            price_group_cents=price + 4000,
            capacity_sessions=capacity,
            capacity_processes=capacity // 8,
            languages=languages,
            modes=modes,
            kinds=["individual", "group"] if rank % 5 else ["individual"],
            areas=areas,
            qualifications=qualification,
            bio=bio,
            divisions=[divisions[c] for c in serves],
            conflicts=[units[conflict]] if conflict else [],
        )
        db.session.add(supervisor)
        created += 1
    db.session.flush()
    return created


# --- Requests through the services ------------------------------------------------------


def _make_requests(today: date) -> int:
    """Requests in every state, made and moved as staff and the administrator would."""
    rng = random.Random(2027)
    year = school_year_for(today)
    admin = db.session.scalar(select(User).where(User.email == f"admin@{DOMAIN}"))
    staff_member = db.session.scalar(select(User).where(User.email == f"staff@{DOMAIN}"))
    supervisors = list(db.session.scalars(select(Supervisor).order_by(Supervisor.rank).limit(6)))
    staff = [
        u
        for u in db.session.scalars(
            select(User)
            .where(User.email.like(f"%@{DOMAIN}"), User.unit_id.is_not(None))
            .order_by(User.email)
        )
        if u.has_role(Role.STAFF)
    ]
    unit_codes = {u.id: u.code for u in db.session.scalars(select(Unit))}
    # The demo logins of staff start their journey at its beginning: all ten sessions
    # left, nothing asked yet, so that their first click (book a slot, ask for
    # supervision) works. Everybody else asks only once, so nobody's quota runs out
    # halfway through the demo.
    swedish_member = db.session.scalar(select(User).where(User.email == f"personal@{DOMAIN}"))
    busy = {staff_member.id, swedish_member.id}

    def take(where=lambda u: True, n=1) -> list[User]:
        chosen = [u for u in staff if u.id not in busy and where(u)][:n]
        busy.update(u.id for u in chosen)
        return chosen

    others = [u for u in staff if u.unit_id != staff_member.unit_id]
    rng.shuffle(others)
    requesters = iter(others)

    def next_requester() -> User:
        user = next(u for u in requesters if u.id not in busy)
        busy.add(user.id)
        return user

    def wanted(days: int) -> date:
        return min(today + timedelta(days=days), year.ends_on)

    def apply(sup_request, steps):
        for status, reason in steps:
            if status == RequestStatus.ACCEPTED:
                # A real process: the supervisor's capacity and the prices are frozen.
                supervisor = (
                    supervisors[0]
                    if sup_request.kind == RequestKind.INDIVIDUAL
                    else (next(s for s in supervisors if "group" in s.kinds))
                )
                create_process(
                    admin,
                    sup_request,
                    supervisor,
                    sup_request.sessions_requested,
                    rule="ranking",
                    grounds=[],
                )
            else:
                change_status(admin, sup_request, status, reason)

    def individual(user, sessions, *steps, **kwargs):
        data = RequestInput(
            school_year_id=year.id,
            sessions=sessions,
            modes=tuple(kwargs.pop("modes", ("video", "on_site"))),
            language=kwargs.pop("language", "fi"),
            wanted_from=wanted(14),
            **kwargs,
        )
        sup_request = submit_individual_request(user, data, today)
        apply(sup_request, steps)
        return sup_request

    def group(people, sessions, name, *steps, **kwargs):
        organiser, *members = people
        data = GroupRequestInput(
            school_year_id=year.id,
            sessions=sessions,
            modes=("on_site",),
            language="fi",
            wanted_from=wanted(21),
            group_name=name,
            member_emails=tuple(m.email for m in members),
            **kwargs,
        )
        sup_request = submit_group_request(organiser, data, today)
        apply(sup_request, steps)
        return sup_request

    matched = (RequestStatus.MATCHED, "Ehdotus: sopiva ohjaaja puitesopimuksen järjestyksessä.")
    accepted = (RequestStatus.ACCEPTED, "Hyväksytty; ohjaaja sopii ensimmäisen tapaamisen.")
    waitlisted = (RequestStatus.WAITLISTED, "Yksilötyönohjauksen kapasiteetti on täynnä.")
    group_offered = (
        RequestStatus.GROUP_OFFERED,
        "Yksilötyönohjaus on täynnä; tarjotaan ryhmätyönohjausta.",
    )
    declined = (RequestStatus.DECLINED, "Pyyntö koskee esihenkilön tehtävää, ei omaa työtä.")
    withdrawn_reason = "Tilanne muuttui, en tarvitse työnohjausta nyt."

    colleagues = take(lambda u: u.unit_id == staff_member.unit_id, 4)
    made: list[SupervisionRequest] = [
        # The demo staff member's colleagues: a request, and a group of the school.
        individual(
            colleagues[0],
            4,
            times_that_suit="Tiistai- ja torstai-iltapäivät klo 14 jälkeen",
            preferred_supervisor_id=supervisors[0].id,
            answers={1: "Haluaisin jäsentää uuden luokan kanssa alkanutta syksyä."},
        ),
        group(
            colleagues[1:],
            6,
            "Kivimaan koulun alkuopettajat",
            times_that_suit="Keskiviikkoisin koulupäivän jälkeen",
        ),
    ]
    made += [individual(next_requester(), n) for n in (3, 5, 10, 6)]
    made.append(individual(next_requester(), 2, language="sv", modes=("video", "phone")))
    made += [individual(next_requester(), n, matched) for n in (5, 8, 4)]
    made += [
        individual(
            next_requester(), n, matched, accepted, preferred_supervisor_id=supervisors[0].id
        )
        for n in (10, 6, 5)
    ]
    made += [individual(next_requester(), n, waitlisted) for n in (10, 8, 6)]
    offered = [
        individual(next_requester(), n, waitlisted, group_offered, language="en", modes=("video",))
        for n in (6, 10, 8)
    ]
    made += offered
    group_supervisor = next(s for s in supervisors if "group" in s.kinds)
    db.session.add(
        GroupOffer(
            supervisor_id=group_supervisor.id,
            school_year_id=year.id,
            division_id=offered[0].requester.unit.division_id,
            language="en",
            sessions=6,
            created_by_id=admin.id,
            # All three have said yes: the administrator can form the group (the
            # smallest a group may be), the Lahti fallback's last step.
            members=[
                GroupOfferMember(request_id=r.id, response=OfferResponse.ACCEPTED) for r in offered
            ],
        )
    )
    for n in (4, 3):
        made.append(individual(next_requester(), n))
        withdraw_request(made[-1].requester, made[-1], withdrawn_reason)
    made.append(individual(next_requester(), 2, declined))

    def team(unit_code: str, n: int = 5) -> list[User]:
        return take(lambda u: unit_codes[u.unit_id] == unit_code, n)

    made.append(group(team("VK01"), 5, "Päiväkoti Tähtikallion tiimi", matched))
    made.append(group(team("ST02"), 8, "Lapsiperheiden sosiaalityön tiimi", matched, accepted))
    made.append(group(team("PO04", 6), 5, "Jalkarannan koulun 5.–6. luokkien tiimi", waitlisted))
    made.append(group(team("ST01"), 4, "Sosiaaliaseman sosiaaliohjaajat", declined))
    made.append(group(team("PO07"), 6, "Mukkulan koulun yhteisopettajat"))
    invited = made[-1].participating_members[1].user
    decline_group_membership(invited, made[-1], "Aikataulu ei sovi.")
    principals = take(lambda u: u.job_title == "Rehtori", 4)
    made.append(group(principals, 4, "Rehtorien vertaisryhmä"))
    withdraw_request(principals[0], made[-1], "Ryhmä kokoontuu tänä vuonna ilman ohjaajaa.")
    _spread_in_time(made, rng)
    return len(made)


def _spread_in_time(made: list[SupervisionRequest], rng: random.Random) -> None:
    """Give the requests believable ages: oldest first, events a couple of days apart."""
    now = utcnow()
    for i, sup_request in enumerate(made):
        start = now - timedelta(days=5 + 2 * (len(made) - i), hours=rng.randint(0, 8))
        sup_request.created_at = start
        for n, event in enumerate(sup_request.events):
            event.at = min(start + timedelta(days=2 * n, minutes=n), now)
    db.session.flush()


# --- The command ----------------------------------------------------------------------


def _login_user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == f"{login}@{DOMAIN}"))


def load_demo(today: date) -> tuple[str, dict]:
    """Create the demo city (idempotent, committed); what was added, for the command."""
    try:
        year = school_year_for(today)
        units = _ensure_divisions_and_units()
        password_hash = hash_password(DEMO_PASSWORD)  # once: Argon2 is slow on purpose
        created_people = _ensure_people(_planned_people(), units, password_hash)
        created_supervisors = _ensure_supervisors(units, password_hash, today)
        has_requests = db.session.scalar(select(func.count()).select_from(SupervisionRequest))
        created_requests = 0 if has_requests else _make_requests(today)
        admin = db.session.scalar(select(User).where(User.email == f"admin@{DOMAIN}"))
        supervisor_user = db.session.scalar(
            select(User).where(User.email == f"supervisor@{DOMAIN}")
        )
        activity = ensure_activity(admin, supervisor_user, today)
        activity.update(ensure_hosting(admin, today))
        activity["service_pages"] = ensure_service_pages(admin)
        activity["guest organisations"] = ensure_guests(admin, today, password_hash, DOMAIN)
        activity["groups across organisations"] = ensure_across(
            admin,
            free_staff(2, {f"{login}@{DOMAIN}" for login in ("staff", "personal", "manager")}),
            [u for u in (_login_user(login) for login in ("hollola", "hyvinvointialue")) if u],
            today,
        )
        activity["programmes"] = ensure_programme(admin, today)
        activity["quote_rounds"] = ensure_quotes(supervisor_user.id, today)
        activity["networks"] = ensure_networks(admin, today)
        activity["circles"] = ensure_circle(admin, DOMAIN, today)
        activity["surveys"] = ensure_surveys(admin, today)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    summary = (
        f"Demo city ready for school year {year.label}: {len(units)} units, "
        f"{created_people} people, {created_supervisors} supervisors and "
        f"{created_requests} requests added"
        + ("." if created_people or created_requests else " (everything was already there).")
    )
    return summary, activity
