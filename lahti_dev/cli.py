"""``flask pool demo``: the demo city, or a generated city at scale (development only)."""

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from lahti_dev.demo import DEMO_PASSWORD, DOMAIN, KNOWN_PEOPLE, load_demo
from lahti_dev.demo_guests import GUEST_LOGINS
from lahti_dev.mail_sink import MailSink, route_mail_to, start_sender
from lahti_dev.scale.command import run_city
from lahti_pool.config import INSTANCE_DIR


@click.command("demo")
@click.option(
    "--scale",
    type=click.Choice(["city"]),
    help="Generate a city-scale history instead (50,000 staff, about a million sessions) "
    "into an empty database; see lahti_dev/scale.",
)
@click.option(
    "--factor",
    type=float,
    help="Size of the generated city; 1.0 is --scale city, 0.01 a hundredth of it.",
)
@click.option("--seed", type=int, help="Seed of the generated city (default 2026).")
@with_appcontext
def demo_command(scale: str | None, factor: float | None, seed: int | None) -> None:
    """Create the demo city: organisation, staff, supervisors and requests (idempotent)."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Refusing to load demo data with LAHTI_POOL_ENV=production.")
    if scale or factor is not None:
        run_city(1.0 if factor is None else factor, 2026 if seed is None else seed)
        return
    if seed is not None:
        raise click.UsageError("--seed applies to a generated city: add --scale city or --factor.")
    summary, activity = load_demo(date.today())
    click.echo(summary)
    click.echo(
        "Activity added: "
        + ", ".join(f"{n} {what}" for what, n in activity.items())
        + " (budgets, sessions, on-duty slots, feedback answers)."
    )
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for label, login, name, *_ in (*KNOWN_PEOPLE, *GUEST_LOGINS):
        click.echo(f"  {label:<32} {login + '@' + DOMAIN:<26} {name}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--mail-port", default=0, type=int, help="The SMTP sink's port (0: a free one).")
@click.option(
    "--mail-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=INSTANCE_DIR / "mail",
    show_default=True,
    help="Where the sink saves each message as an .eml file.",
)
@with_appcontext
def serve_command(host: str, port: int, mail_port: int, mail_dir: Path) -> None:
    """Serve the app for development, its e-mail delivered to a local SMTP sink."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Refusing to serve the development server in production.")
    app = current_app._get_current_object()
    sink = MailSink(mail_dir, port=mail_port).start()
    route_mail_to(app, sink)
    start_sender(app)
    click.echo(
        f"E-mail: the outbox is sent every 5 s to a local SMTP sink on {sink.host}:{sink.port}"
        f"; each message is printed here and saved in {mail_dir}/ as an .eml file."
    )
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C stops)")
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        sink.stop()
