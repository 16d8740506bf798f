"""The ``flask pool …`` command group."""

import click
from flask import Flask
from flask.cli import AppGroup

from lahti_pool.extensions import db

pool = AppGroup("pool", help="Lahti Pool administration commands.")


@pool.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="At least 12 characters.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a pool administrator, or give an existing user the role."""
    from lahti_pool.accounts.models import Role
    from lahti_pool.accounts.passwords import hash_password
    from lahti_pool.accounts.services import UserInput, create_user, find_user_by_email

    if len(password) < 12:
        raise click.BadParameter("use at least 12 characters", param_hint="--password")
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
        user.set_roles(user.roles | {Role.ADMIN})
        user.password_hash = hash_password(password)
        user.session_version += 1
    db.session.commit()
    click.echo(f"{user.email} is a pool administrator.")


def init_app(app: Flask) -> None:
    from lahti_pool import demo
    from lahti_pool.organisation import importer
    from lahti_pool.supervisors import importer as supervisors_importer

    pool.add_command(importer.import_staff_command)
    pool.add_command(supervisors_importer.import_supervisors_command)
    pool.add_command(demo.demo_command)
    app.cli.add_command(pool)
