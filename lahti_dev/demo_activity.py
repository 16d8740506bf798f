"""Demo activity on top of the demo city: budgets, a month of sessions, slots, feedback.

Made through the services where they exist, so quota, capacity and costs agree; run
again it adds nothing. Feedback history is written directly: it stands for answers
given before the demo started.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.budget import funding
from lahti_pool.budget.models import Budget, FundingSource
from lahti_pool.extensions import db
from lahti_pool.feedback.models import FeedbackResponse
from lahti_pool.feedback.rules import reportable_terms
from lahti_pool.organisation.models import Division
from lahti_pool.sessions import services as session_services
from lahti_pool.sessions.models import ProcessStatus, SessionStatus, SupervisionProcess
from lahti_pool.slots import rules as slot_rules
from lahti_pool.slots import services as slot_services
from lahti_pool.slots.models import OnDutySlot
from lahti_pool.supervisors.models import Supervisor

#: the yearly money for supervision, in cents (Lahti's whole system: about 40,000 €)
BUDGETS = {None: 4_000_000, "4110": 3_000_000, "4210": 600_000, "5310": 400_000}


def ensure_activity(admin: User, supervisor_user: User, today: date) -> dict[str, int]:
    made = {"budgets": 0, "sessions": 0, "slots": 0, "feedback": 0}
    divisions = {d.code: d.id for d in db.session.scalars(select(Division))}
    for code, cents in BUDGETS.items():
        division_id = divisions.get(code) if code else None
        exists = db.session.scalar(
            select(Budget).where(
                Budget.fiscal_year == today.year,
                Budget.division_id.is_(None) if code is None else Budget.division_id == division_id,
            )
        )
        if exists is None:
            db.session.add(
                Budget(fiscal_year=today.year, division_id=division_id, amount_cents=cents)
            )
            made["budgets"] += 1
    db.session.flush()
    ensure_funding(admin, today)
    supervisor = db.session.scalar(
        select(Supervisor).where(Supervisor.user_id == supervisor_user.id)
    )
    now = datetime.now(UTC)
    processes = db.session.scalars(
        select(SupervisionProcess).where(
            SupervisionProcess.supervisor_id == supervisor.id,
            SupervisionProcess.status == ProcessStatus.ACTIVE,
        )
    ).all()
    # The newest individual client has no session yet: the supervisor's journey starts
    # there (plan the first session), the others show one under way.
    individual = [p for p in processes if p.kind.value == "individual"]
    new_client = max(individual, key=lambda p: p.id) if individual else None
    for index, process in enumerate(processes):
        if process.sessions or process is new_client:
            continue
        year = process.school_year
        # Two sessions in the past month (logged, awaiting approval) and one coming up;
        # each process at its own hour (8.00, 10.00, ... 16.00), five a day, so the
        # supervisor is never in two sessions at once (the planning refuses that).
        shift = timedelta(days=index // 5)
        at = time(8 + 2 * (index % 5), 0)
        days = [today - timedelta(days=24), today - timedelta(days=10), today + timedelta(days=5)]
        for day in (d + shift for d in days if year.starts_on <= d + shift <= year.ends_on):
            data = session_services.SessionInput(
                on_date=day,
                at=at,
                duration_minutes=90 if process.kind.value == "group" else 60,
                mode="on_site" if process.kind.value == "group" else "video",
                place="Kaupungintalo, neuvotteluhuone 3" if process.kind.value == "group" else "",
            )
            sup_session, _ = session_services.plan_session(admin, process, data, now)
            made["sessions"] += 1
            if day < today:
                session_services.log_session(
                    supervisor_user,
                    sup_session,
                    session_services.LogInput(
                        outcome=SessionStatus.HELD,
                        duration_minutes=data.duration_minutes,
                        attendee_ids=frozenset(process.client_ids),
                    ),
                    now,
                )
    has_slots = db.session.scalar(
        select(func.count())
        .select_from(OnDutySlot)
        .where(OnDutySlot.supervisor_id == supervisor.id)
    )
    if not has_slots:
        start = today + timedelta(days=1)
        pattern = slot_rules.SlotPattern(
            first_day=start,
            last_day=start + timedelta(days=20),
            weekdays=frozenset({1, 3}),  # Tuesdays and Thursdays
            times=(time(9, 0), time(14, 0)),
            mode="video",
        )
        result = slot_services.publish_pattern(admin, supervisor, pattern, now)
        made["slots"] = len(result.created)
    if not db.session.scalar(select(func.count()).select_from(FeedbackResponse)):
        rng = random.Random(2026)
        # in the latest term that is reported (its feedback has closed), a month each
        days = current_app.config["FEEDBACK_DAYS_AFTER_TERM"]
        term = reportable_terms(today, days, count=1)[0]
        months = [date(term.year, m, 1) for m in range(term.start.month, term.end.month + 1)]
        for division_id in divisions.values():
            for _ in range(rng.randint(6, 9)):
                db.session.add(
                    FeedbackResponse(
                        supervisor_id=supervisor.id,
                        division_id=division_id,
                        month=rng.choice(months),
                        kind="individual",
                        usefulness=rng.choice((4, 5, 5)),
                        atmosphere=rng.choice((4, 5, 5, 5)),
                        arrangements=rng.choice((3, 4, 5)),
                        comment=rng.choice(("", "", "Auttoi jäsentämään omaa työtä.")),
                    )
                )
                made["feedback"] += 1
    db.session.flush()
    return made


#: a development programme's money beside the pool's budget (issue 19)
MINISTRY_MONEY = "Opetus- ja kulttuuriministeriön kumppanuusraha"


def ensure_funding(admin: User, today: date) -> FundingSource:
    """Ministry partnership money with this year's budget and one expense paid from it."""
    source = db.session.scalar(select(FundingSource).where(FundingSource.name == MINISTRY_MONEY))
    if source is None:
        source = funding.add_source(admin, MINISTRY_MONEY)
        funding.set_funding_budget(admin, source, today.year, 2_500_000, 80)
        funding.record_expense(
            admin,
            funding.ExpenseInput(
                source.id,
                date(today.year, 1, 15),
                120_000,
                "Kehittämisohjelman 1. moduuli: tilavuokra ja tarjoilut",
            ),
        )
    return source
