"""Money: the supervisors' monthly invoice statements and the yearly budgets.

A month's statement holds the supervisor's approved billable sessions of that month,
one line per session and cost centre, as budget/statements.plan_lines would generate
it; months whose statements were sent (on the 6th of the next month) are frozen and
their sessions point at them, the last finished month may still be a draft. Budgets
are set from what the city actually spent, so finished years end at 87–95 % and the
current year has room for the queue.
"""

from datetime import timedelta

from lahti_dev.scale.context import statement_sent_at
from lahti_pool.budget.rules import vat_cents
from lahti_pool.sessions.models import process_reference

#: the busiest year's spending and this much more is a new year's budget
BUDGET_OVER_SPEND = 1.10


def statements(batch) -> tuple[list[dict], list[dict]]:
    """The batch's statement rows and line rows; marks the sessions of sent months."""
    state, run = batch.state, batch.state.run
    this_month = (run.today.year, run.today.month)
    by_month: dict[tuple[int, int], list] = {}
    for proc in batch.procs:
        for occ in proc.sessions:
            if occ.approval == "approved" and occ.billable:
                month = (occ.day.year, occ.day.month)
                if month < this_month:
                    by_month.setdefault(month, []).append(occ)
    codes = run.city.division_codes
    rows, lines = [], []
    for month in sorted(by_month):
        statement_id = run.ids.take("invoice_statements")
        sent = month <= run.sent_until
        sent_at = statement_sent_at(*month)
        net = vat = 0
        for occ in sorted(by_month[month], key=lambda o: (o.day, o.id)):
            if sent:
                occ.statement_id = statement_id
            reference = process_reference(state.year.starts_on.year, occ.proc.id)
            for division, cents in sorted(occ.costs.items(), key=lambda c: codes[c[0]]):
                net += cents
                vat += vat_cents(cents, occ.proc.vat)
                lines.append(
                    {
                        "id": run.ids.take("statement_lines"),
                        "statement_id": statement_id,
                        "session_id": occ.id,
                        "session_date": occ.day,
                        "kind": occ.proc.kind,
                        "duration_minutes": occ.duration,
                        "division_code": codes[division],
                        "reference": reference,
                        "net_cents": cents,
                        "vat_percent": occ.proc.vat,
                        "is_adjustment": False,
                        "note": "",
                    }
                )
        paid = sent and sent_at + timedelta(days=25) < run.now
        rows.append(
            {
                "id": statement_id,
                "supervisor_id": batch.sup.id,
                "year": month[0],
                "month": month[1],
                "status": "paid" if paid else ("sent" if sent else "draft"),
                "net_cents": net,
                "vat_cents": vat,
                "generated_at": (
                    sent_at - timedelta(days=1) if sent else run.now - timedelta(hours=20)
                ),
                "sent_at": sent_at if sent else None,
                "paid_at": sent_at + timedelta(days=21) if paid else None,
            }
        )
    return rows, lines


def budgets(run, queue_cents: int) -> None:
    """Budgets for every fiscal year with costs: the pool's and each division's.

    A finished year's budget was 5–15 % above what it spent; the first (partial) year
    and any later one get the busiest year's spending plus 10 %; the current one at
    least a fifth more than it has spent and committed with the whole queue accepted.
    """
    years = sorted({year for year, _ in run.costs} | {run.today.year})
    divisions = sorted(run.city.division_codes)
    finished = [y for y in years[1:] if y < run.today.year]
    busiest = {d: max((run.costs[(y, d)] for y in finished), default=0) for d in divisions}
    for year in years:
        amounts = {}
        for d in divisions:
            spent = run.costs[(year, d)]
            if year in finished:
                base = spent * run.rng.uniform(1.05, 1.15)
            elif year == run.today.year:
                base = max(busiest[d] * BUDGET_OVER_SPEND, (spent + queue_cents) * 1.2)
            else:
                base = busiest[d] * BUDGET_OVER_SPEND
            amounts[d] = max(_round_up(int(base), 100_000), 100_000)  # whole thousands of euros
        for division, amount in [(None, sum(amounts.values()))] + list(amounts.items()):
            run.writer.add(
                "budgets",
                {
                    "id": run.ids.take("budgets"),
                    "fiscal_year": year,
                    "division_id": division,
                    "amount_cents": amount,
                    "warn_percent": 80,
                },
            )


def _round_up(cents: int, step: int) -> int:
    return -(-cents // step) * step
