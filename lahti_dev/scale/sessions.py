"""A process's sessions, as its supervisor planned and logged them.

Outcomes, attendance, logging and approval follow sessions/services.py: a planned
session reserves one session of each client's quota, a held, missed or late-cancelled
one uses it (an absent member of a held group session gets theirs back), a timely or
supervisor's cancellation frees it, covision never touches quota or money. In the
current year, sessions before today are logged (the last week's partly not yet),
the next ones are planned up to six weeks ahead, and the rest of the grant waits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from lahti_dev.scale import names, params
from lahti_dev.scale.calendar import local, session_hour
from lahti_dev.scale.city import Sup
from lahti_dev.scale.context import YearState, statement_sent_at
from lahti_dev.scale.params import Weighted

OUTCOMES = Weighted(params.OUTCOMES)
USING = frozenset({"held", "no_show", "late_cancelled"})
#: hours between the session's start and its logging, by outcome (negative: before it)
LOG_DELAY = {
    "held": (1, 74),
    "no_show": (1, 50),
    "late_cancelled": (-20, -2),
    "cancelled": (-120, -26),
    "cancelled_by_supervisor": (-96, -24),
}


@dataclass(slots=True)
class Proc:
    """A process being simulated: written with its sessions by its supervisor's batch."""

    id: int
    kind: str
    sup: Sup
    members: list[int]
    member_requests: list[int | None]
    request_id: int | None
    granted: int
    price: int
    vat: Decimal
    accepted_at: datetime
    accepted_by: int | None
    rule: str
    grounds: list
    modes: tuple[str, ...]
    group_offer_id: int | None = None
    covision: bool = False
    #: scripted sessions of the known logins: [(day, hour, outcome, attended by member)]
    script: list | None = None
    sessions: list["Occ"] = field(default_factory=list)
    status: str = "active"
    closed_at: datetime | None = None
    closed_by: int | None = None
    midpoint: date | None = None
    closing: date | None = None


@dataclass(slots=True)
class Occ:
    """One session row and what hangs on it."""

    id: int
    proc: Proc
    day: date
    starts_at: datetime
    duration: int
    mode: str
    place: str
    status: str
    covision: bool
    host_user: int | None
    attended: dict[int, bool | None]
    logged_at: datetime | None = None
    approval: str = "not_logged"
    approved_at: datetime | None = None
    approved_by: int | None = None
    return_reason: str = ""
    statement_id: int | None = None
    #: the session's cost per division id (the budget's committed or spent)
    costs: dict[int, int] = field(default_factory=dict)

    @property
    def uses_supervisor(self) -> bool:
        return self.status in USING and not self.covision

    @property
    def billable(self) -> bool:
        return self.uses_supervisor and self.proc.price > 0

    def share(self, user_id: int) -> str | None:
        """sessions/rules.member_share: "reserved", "used" or None."""
        if self.covision:
            return None
        if self.status == "planned":
            return "reserved"
        if self.status == "held" and self.proc.kind == "group" and self.attended[user_id] is False:
            return None
        return "used" if self.status in USING else None


def attendance(state: YearState, proc: Proc, status: str) -> dict[int, bool | None]:
    """sessions/services._attendance_for: who came, per member."""
    if status == "held":
        if proc.kind != "group":
            return dict.fromkeys(proc.members, True)
        came = {m: state.rng.random() >= params.GROUP_ABSENCE for m in proc.members}
        if not any(came.values()):
            came[proc.members[0]] = True
        return came
    if status in ("no_show", "late_cancelled"):
        return dict.fromkeys(proc.members, False)
    return dict.fromkeys(proc.members, None)


def log(state: YearState, occ: Occ) -> None:
    """The supervisor logs the outcome; the administrator approves it in time."""
    run, rng = state.run, state.rng
    low, high = LOG_DELAY[occ.status]
    occ.logged_at = min(
        occ.starts_at + timedelta(hours=rng.uniform(low, high)),
        run.now - timedelta(minutes=rng.randint(5, 120)),
    )
    month = (occ.day.year, occ.day.month)
    if month <= run.sent_until:
        # Approved before the month's statement was sent.
        deadline = statement_sent_at(*month) - timedelta(hours=1)
        occ.approval = "approved"
    else:
        age = (run.today - occ.day).days
        roll = rng.random()
        if roll < 0.02 and occ.uses_supervisor:
            occ.approval, occ.return_reason = "returned", names.RETURN_REASON
        elif roll < (0.85 if age > 14 else 0.5 if age > 7 else 0.2):
            occ.approval = "approved"
        else:
            occ.approval = "pending"
        deadline = run.now - timedelta(minutes=rng.randint(5, 600))
    if occ.approval == "approved":
        approved = occ.logged_at + timedelta(hours=rng.uniform(2, 120))
        occ.approved_at = max(min(approved, deadline), occ.logged_at + timedelta(minutes=5))
        occ.approved_by = run.admin()


class Scheduler:
    """Lays out a process's sessions in the year's term days, relative to today."""

    def __init__(self, state: YearState, ids) -> None:
        self.state, self.ids = state, ids
        self.today = state.run.today
        self.current = state.year.is_current

    def occ(self, proc, day, hour, minute, status, covision=False, duration=None) -> Occ:
        group = proc.kind == "group"
        unit_names = self.state.run.city.unit_names
        members = sorted(proc.members)
        # the hosts rotate between the members; the host's unit arranges the room
        host = members[len(proc.sessions) % len(members)] if group and members else None
        host_unit = self.state.run.city.user_unit[host] if host else None
        mode = self._mode(proc, group)
        if mode == "on_site" and host_unit:
            place = f"{unit_names[host_unit]}, {self.state.rng.choice(names.PLACES_FOR_GROUPS)}"
        else:
            place = ""
        occ = Occ(
            id=self.ids.take("supervision_sessions"),
            proc=proc,
            day=day,
            starts_at=local(day, hour, minute),
            duration=duration or (90 if group else 60),
            mode=mode,
            place=place,
            status=status,
            covision=covision,
            host_user=host,
            attended=attendance(self.state, proc, status),
        )
        if status != "planned":
            log(self.state, occ)
        proc.sessions.append(occ)
        return occ

    def _mode(self, proc: Proc, group: bool) -> str:
        common = [m for m in proc.modes if m in proc.sup.modes] or list(proc.sup.modes)
        if group and "on_site" in common:
            return "on_site"
        return self.state.rng.choice(common)

    def _status(self, day: date, ahead: int) -> str | None:
        """The session's state by its day; None when it is not planned yet."""
        if not self.current or day < self.today - timedelta(days=7):
            return OUTCOMES(self.state.rng)
        if day < self.today:
            return "planned" if self.state.rng.random() < 0.3 else OUTCOMES(self.state.rng)
        limit = self.today + timedelta(days=params.PLAN_AHEAD_DAYS)
        return "planned" if ahead < 2 and day <= limit else None

    def schedule(self, proc: Proc) -> str:
        """Lay the sessions out; returns why they stop: done, early, year_end or future."""
        rng, year = self.state.rng, self.state.year
        group = proc.kind == "group"
        stop_after = None
        if rng.random() < params.EARLY_CLOSE:
            stop_after = rng.randint(1, max(1, proc.granted - 1))
        interval = rng.choice((21, 28, 28, 35) if group else (10, 14, 14, 14, 21, 21))
        hour, minute = session_hour(rng)
        day = year.day_on_or_after(proc.accepted_at.date() + timedelta(days=rng.randint(7, 20)))
        counted = ahead = 0
        while counted < proc.granted:
            if stop_after is not None and counted >= stop_after:
                return "early"
            if day is None:
                return "year_end"
            status = self._status(day, ahead)
            if status is None:
                return "future"
            ahead += day >= self.today
            occ = self.occ(proc, day, hour, minute, status)
            counted += status == "planned" or status in USING
            next_day = year.day_on_or_after(day + timedelta(days=interval + rng.randint(-3, 3)))
            if proc.covision and next_day and rng.random() < 0.5 and occ.status != "planned":
                self._covision(proc, day + (next_day - day) / 2)
            day = next_day
        return "done"

    def _covision(self, proc: Proc, day: date) -> None:
        """A peer meeting between two paid sessions, after the working day (16:00)."""
        day = self.state.year.day_on_or_after(day)
        if day is None or day >= self.today:
            return
        status = "held" if self.state.rng.random() < 0.9 else "cancelled"
        self.occ(proc, day, 16, 0, status, covision=True)
