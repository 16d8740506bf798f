"""``flask pool budget``: the budget page's summary in the terminal."""

from datetime import date

import click
from sqlalchemy import select

from lahti_pool.budget.queries import summary
from lahti_pool.core.money import plain_euros
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division


def _figure(cents: int | None) -> str:
    return "-" if cents is None else f"{plain_euros(cents)} EUR"


def summary_lines(fiscal_year: int, division: Division | None, today: date) -> list[str]:
    """The same figures as the budget page, as plain lines (amounts from the cents)."""
    s = summary(fiscal_year, division.id if division else None, today)
    t = s.totals
    name = f"{division.code} {division.name_en}" if division else "the whole pool"
    fc = s.forecast
    return [
        f"Budget {fiscal_year}, {name}",
        f"  budget:             {_figure(t.budget_cents)}",
        f"  committed:          {_figure(t.committed_cents)}",
        f"  spent:              {_figure(t.spent_cents)}",
        f"  awaiting approval:  {_figure(s.pending_cents)}",
        f"  remaining:          {_figure(t.remaining_cents)}",
        f"  forecast:           {_figure(fc.total_cents)}",
        f"  used:               {'-' if s.percent is None else f'{s.percent} %'} ({s.level})",
        "Forecast method: months begun count spent + awaiting approval + committed; each",
        "month to come counts the larger of its committed money and the run-rate (average",
        "approved spend of the complete school months, June and July excluded) - here "
        f"{plain_euros(fc.run_rate_cents)} EUR/month from {fc.rate_months} months; June and July "
        "count only what is planned.",
    ]


@click.command("budget")
@click.option("--year", type=int, default=None, help="Fiscal year; this year by default.")
@click.option("--division", "code", default=None, help="A division's code; the pool by default.")
def budget_command(year: int | None, code: str | None) -> None:
    """Print a fiscal year's budget, committed, spent, remaining and forecast."""
    today = date.today()
    division = None
    if code:
        division = db.session.scalar(select(Division).where(Division.code == code))
        if division is None:
            raise click.BadParameter(f"no division with the code {code}", param_hint="--division")
    for line in summary_lines(year or today.year, division, today):
        click.echo(line)
