"""Demo hosts: venues (one of them a special venue) and a plan of hosts on a group.

Made through the hosting services; run again it adds nothing.
"""

from datetime import date

from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.extensions import db
from lahti_pool.hosting import services as hosting
from lahti_pool.organisation.models import Venue
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.models import ProcessStatus, SupervisionProcess

VENUES = [
    (
        "Kaupungintalo, neuvotteluhuone 3",
        "Harjukatu 31, 15100 Lahti",
        "Esteetön sisäänkäynti Harjukadun puolelta, hissi 3. kerrokseen; induktiosilmukka.",
    ),
    (
        "Kivimaan koulu, opettajainhuone",
        "Kivimaantie 12, 15100 Lahti",
        "Portaaton kulku pihan puolelta; pysäköinti koulun pihalla.",
    ),
    # a special venue, away from the everyday (the Harju county group met in manors and
    # village centres)
    (
        "Tiirismaan luontokeskus",
        "Tiirismaantie 1, 15300 Lahti",
        "Sorapolku parkkipaikalta (150 m), ei portaita; ei induktiosilmukkaa.",
    ),
]


def ensure_hosting(admin: User, today: date) -> dict[str, int]:
    made = {"venues": 0, "hosts_planned": 0}
    if not db.session.scalar(select(func.count()).select_from(Venue)):
        for name, address, note in VENUES:
            hosting.save_venue(admin, None, hosting.VenueInput(name, address, note))
            made["venues"] += 1
    groups = db.session.scalars(
        select(SupervisionProcess)
        .where(
            SupervisionProcess.kind == RequestKind.GROUP,
            SupervisionProcess.status == ProcessStatus.ACTIVE,
        )
        .order_by(SupervisionProcess.id)
    ).all()
    for process in groups:
        sessions = hosting.planned_sessions(process)
        if sessions and all(s.host_user_id is None for s in sessions):
            rows = hosting.propose_plan(process)
            special = db.session.scalar(select(Venue).where(Venue.name == VENUES[2][0]))
            if special is not None:  # the last meeting of the plan goes out into nature
                last = rows[-1]
                rows[-1] = hosting.PlanRow(last.session_id, last.host_user_id, special.id)
            made["hosts_planned"] += hosting.save_plan(admin, process, rows)
            break  # one demo group with a plan; the others are planned in the app
    db.session.flush()
    return made
