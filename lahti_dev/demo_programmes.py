"""The demo's development programme, after the social-sector leaders' cohort of
../shared/seeds/002_…: five two-day modules, each at a different venue, paid from ministry
partnership money. The first cohort has ended: attendance is recorded, participants who
attended at least four modules hold certificates (the Swedish-speaking demo login among
them), and the cohort continues as a group with a responsible person."""

from datetime import date, time, timedelta

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.budget.models import FundingSource
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Venue
from lahti_pool.programmes import services
from lahti_pool.programmes.models import DayGuest, Programme

NAME = "Johtajien kehittämisohjelma, 1. ryhmä"
FUNDING = "Ministeriön strategisen kumppanuuden rahoitus"
#: (theme, venue, address, outside facilitators, agenda of the two days)
MODULES = [
    (
        "Viestintä mediassa ja tietoon perustuva johtaminen",
        "Lahden kaupungintalo",
        "Harjukatu 31, 15100 Lahti",
        "Simone Epro",
        "9.00 Media ja johtaja\n13.00 Tietoon perustuva työ",
    ),
    (
        "Yhteistyö valtion virastojen kanssa: talous, valvonta, hankkeet",
        "Hollolan kunnantalo",
        "Virastotie 3, 15870 Hollola",
        "",
        "9.00 Talousarvio ja valvonta\n13.00 Hankkeet ja kehittämisohjelmat",
    ),
    (
        "Verkosto- ja yhteisötyö, innovatiivinen johtaminen",
        "Vesijärven luontokeskus",
        "Vesijärvenkatu 1, 15140 Lahti",
        "Marika Saar, Triin Kaaver",
        "9.00 Verkostot (laajemman verkoston päivä)\n13.00 Yhteiskehittäminen",
    ),
    (
        "Eettiset dilemmat, tiimin innostaminen ja kriisijohtaminen",
        "Messilän kartano",
        "Messiläntie 308, 15980 Hollola",
        "",
        "9.00 Eettiset dilemmat\n13.00 Kriisijohtaminen",
    ),
    (
        "Mentorointi, kokoukset ja laatu",
        "Lahden kaupunginmuseo",
        "Lahdenkatu 4, 15110 Lahti",
        "Simone Epro",
        "9.00 Mentorointi\n13.00 Arvot ja motivaatio",
    ),
]


def _get_or_add(model, **values):
    found = db.session.scalar(select(model).filter_by(name=values["name"]))
    if found is None:
        found = model(**values)
        db.session.add(found)
        db.session.flush()
    return found


def ensure_programme(admin: User, today: date) -> int:
    """The programme (once); 1 when it was created now."""
    if db.session.scalar(select(Programme.id).where(Programme.name == NAME)):
        return 0
    funding = _get_or_add(FundingSource, name=FUNDING)
    starts_on = today - timedelta(days=420)
    programme = services.create_programme(
        admin,
        services.ProgrammeInput(
            name=NAME,
            audience="Kaupungin ja kumppanikuntien esihenkilöt ja rehtorit",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=220),
            funding_source_id=funding.id,
            capacity=20,
            modules_required=4,
            issuer="Lahden kaupunki, kehittämispalvelut",
            open_for_applications=False,
        ),
    )
    leaders = db.session.scalars(
        select(User).where(User.job_title == "Rehtori").order_by(User.id).limit(6)
    ).all()
    swedish = db.session.scalar(select(User).where(User.email == "personal@demo.lahti.fi"))
    organiser = db.session.scalar(select(User).where(User.email == "manager@demo.lahti.fi"))
    if organiser is not None:
        services.grant_organiser(admin, programme, organiser)
    cohort = [p for p in [swedish, *leaders] if p is not None and p != organiser]
    members = []
    for person in cohort:
        member = services.nominate(admin, programme, person)
        services.decide(admin, member, services.Decision.ACCEPT)
        members.append(member)
    now = utcnow()
    for n, (theme, venue_name, address, outsiders, agenda) in enumerate(MODULES):
        venue = _get_or_add(Venue, name=venue_name, address=address)
        module = services.add_module(
            admin, programme, services.ModuleInput(theme, venue.id, (), outsiders)
        )
        first = starts_on + timedelta(days=10 + 45 * n)
        for offset in (0, 1):
            day = services.add_day(
                admin,
                module,
                services.DayInput(
                    first + timedelta(days=offset), time(9), 390, agenda, n == 2 and offset == 0
                ),
            )
            if day.wider_network:
                day.guests = [
                    DayGuest(
                        name="Riikka Rehtori",
                        email="riikka.rehtori@hollola.example",
                        organisation="Hollolan kunta",
                        attended=True,
                    ),
                    DayGuest(
                        name="Kalle Kunnanjohtaja",
                        email="kalle@asikkala.example",
                        organisation="Asikkalan kunta",
                    ),
                ]
                db.session.flush()
            guests = {g.id for g in day.guests if g.attended}
            # member i misses module i (i < 5) on its second day: everybody but the last
            # two completes four of five; the first completes them all (misses none)
            present = {
                m.id
                for i, m in enumerate(members)
                if not (offset == 1 and (i == n + 1 or (i >= 5 and n >= 3)))
            }
            services.record_attendance(admin, day, present, guests, now)
    services.issue_certificates(admin, programme, today)
    if organiser is not None:
        services.set_continuation(admin, programme, True, organiser)
    return 1
