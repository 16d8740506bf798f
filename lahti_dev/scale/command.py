"""``flask pool demo --scale city``: generate the city and print what was made."""

import time

import click

from lahti_dev.demo import DEMO_PASSWORD
from lahti_dev.scale import DatabaseNotEmpty, generate_city, names

#: what the summary line names, in order: (table, label)
SUMMARY = (
    ("divisions", "divisions"),
    ("units", "units"),
    ("users", "users"),
    ("supervisors", "supervisors"),
    ("supervision_requests", "requests"),
    ("supervision_processes", "processes"),
    ("supervision_sessions", "sessions"),
    ("on_duty_slots", "on-duty slots"),
    ("invoice_statements", "invoice statements"),
    ("feedback_responses", "feedback answers"),
)
KNOWN_LOGINS = (
    ("pool administrator", "admin"),
    ("development services (reports)", "reports"),
    ("staff member (teacher)", "staff"),
    ("supervisor", "supervisor"),
)


def run_city(factor: float, seed: int) -> None:
    if not 0 < factor <= 10:
        raise click.BadParameter("give a factor above 0 and at most 10", param_hint="--factor")
    started = time.perf_counter()
    try:
        counts = generate_city(factor=factor, seed=seed, progress=True)
    except DatabaseNotEmpty as exc:
        raise click.ClickException(str(exc)) from exc
    seconds = time.perf_counter() - started
    click.echo(
        f"City generated (factor {factor:g}, seed {seed}) in {seconds:.0f} s: "
        + ", ".join(f"{counts.get(table, 0):,} {label}" for table, label in SUMMARY)
        + f"; {sum(counts.values()):,} rows in all."
    )
    click.echo(f"Known logins (password: {DEMO_PASSWORD}):")
    for label, login in KNOWN_LOGINS:
        name = names.KNOWN[login][0]
        click.echo(f"  {label:<32} {login + '@' + names.DOMAIN:<28} {name}")
