"""The ``flask pool …`` command group."""

import click
from flask import Flask
from flask.cli import AppGroup

from lahti_pool.extensions import db

pool = AppGroup("pool", help="Lahti Pool administration commands.")


@pool.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="At least 10 characters, not a common password.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a pool administrator, or give an existing user the role."""
    from lahti_pool.accounts.models import Role
    from lahti_pool.accounts.passwords import hash_password, password_problem
    from lahti_pool.accounts.services import (
        UserInput,
        check_roles,
        create_user,
        find_user_by_email,
    )
    from lahti_pool.core.errors import DomainError

    problem = password_problem(password, [email, name])
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    user = find_user_by_email(email)
    if user is None:
        try:
            user = create_user(
                None,
                UserInput(email, name, "", None, frozenset({Role.ADMIN}), password=password),
            )
        except Exception as exc:  # DomainError: print what to fix
            raise click.ClickException(str(exc)) from exc
    else:
        try:
            check_roles(user, user.roles | {Role.ADMIN})  # never a supervisor as well
        except DomainError as exc:
            raise click.ClickException(str(exc)) from exc
        user.set_roles(user.roles | {Role.ADMIN})
        user.password_hash = hash_password(password)
        user.session_version += 1
    db.session.commit()
    click.echo(f"{user.email} is a pool administrator.")


@pool.command("expire-slot-offers")
def expire_slot_offers() -> None:
    """End lapsed waiting-list offers of on-duty slots and offer them to the next person."""
    from lahti_pool.core.models import utcnow
    from lahti_pool.slots.services import expire_offers

    ended = expire_offers(utcnow())
    db.session.commit()
    click.echo(f"{ended} slot offers expired.")


@pool.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
def backup(target: str) -> None:
    """Copy the SQLite database to TARGET with SQLite's online backup API.

    Safe while the app runs. For PostgreSQL use pg_dump (see the README).
    """
    import sqlite3

    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException("This database is not SQLite; back it up with pg_dump.")
    source = sqlite3.connect(engine.url.database)
    try:
        with sqlite3.connect(target) as copy:
            source.backup(copy)
    finally:
        source.close()
    click.echo(f"Backed up {engine.url.database} to {target}.")


def init_app(app: Flask) -> None:
    from lahti_pool.budget.cli import budget_command
    from lahti_pool.core import jobs
    from lahti_pool.organisation import importer
    from lahti_pool.requests.retention import purge_answers_command
    from lahti_pool.supervisors import importer as supervisors_importer

    pool.add_command(importer.import_staff_command)
    pool.add_command(supervisors_importer.import_supervisors_command)
    pool.add_command(jobs.send_mail_command)
    pool.add_command(jobs.daily_jobs_command)
    pool.add_command(purge_answers_command)
    pool.add_command(budget_command)
    app.cli.add_command(pool)
