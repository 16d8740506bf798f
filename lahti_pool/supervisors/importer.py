"""``flask pool import-supervisors FILE.csv``: create or update supervisors, all or nothing.

The file format is documented in docs/import-supervisors.md. Decisions an
administrator relies on:

* **All or nothing.** Every row is checked; one bad row means nothing is imported,
  and every bad row is listed with its line number and reasons.
* **Keyed by e-mail**, case-insensitively. An unknown e-mail creates a user with the
  supervisor role and **no password**; a known user keeps their name, unit and
  password and gets the supervisor role. A user who already has a supervisor profile
  gets it updated from the row.
* Rows go through the same services as the administrator's pages
  (supervisors/services.py), so the same rules apply and every change is audited.
* Nobody is deactivated because they are missing from the file.
* Messages are in English, like the staff import's.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.services import UserInput, create_user
from lahti_pool.core import audit
from lahti_pool.core.csvimport import ImportRefused, RowError, read_csv
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division
from lahti_pool.supervisors import services
from lahti_pool.supervisors.import_rows import (  # noqa: F401 - the import's public names
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportSummary,
    Lookup,
    SupervisorRecord,
    check_header,
    validate_rows,
)
from lahti_pool.supervisors.models import FrameworkAgreement, Supervisor

# --- Writing -----------------------------------------------------------------------


def current_lookup() -> Lookup:
    """The agreements, division codes and ranks now in the database."""
    rows = db.session.execute(
        select(FrameworkAgreement.id, FrameworkAgreement.name, FrameworkAgreement.procurement_ref)
    ).all()
    # Names and references are unique across both (services.py); a name wins anyway.
    agreements = {ref.lower(): id_ for id_, _name, ref in rows if ref}
    agreements |= {name.lower(): id_ for id_, name, _ref in rows}
    holders = db.session.execute(
        select(Supervisor.agreement_id, Supervisor.rank, func.lower(User.email))
        .join(User, User.id == Supervisor.user_id)
        .where(Supervisor.agreement_id.is_not(None), Supervisor.rank.is_not(None))
    )
    return Lookup(
        agreements=agreements,
        divisions={
            code: id_ for code, id_ in db.session.execute(select(Division.code, Division.id))
        },
        ranks={(a, r): email for a, r, email in holders},
    )


def write_supervisors(
    records: Sequence[SupervisorRecord],
    today: date,
    on_written: Callable[[int], object] | None = None,
) -> tuple[ImportSummary, list[RowError]]:
    """Create or update each supervisor through the services; flushes, never commits.

    A DomainError from a service (a rule only the database can tell, e.g. a lowered
    capacity below what is already granted) becomes a RowError; the caller must then
    roll back. ``on_written(1)`` is called after each record.
    """
    summary, errors = ImportSummary(), []
    emails = [r.email for r in records]
    users = {
        u.email.lower(): u
        for u in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))
    }
    profiles = {
        s.user_id: s
        for s in db.session.scalars(
            select(Supervisor).where(Supervisor.user_id.in_([u.id for u in users.values()]))
        )
    }
    for record in records:
        try:
            _write(record, users, profiles, today, summary)
        except DomainError as error:
            errors.append(RowError(record.line, error.message))
        if on_written is not None:
            on_written(1)
    audit.record(
        None,
        "supervisors.imported",
        None,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        new_users=summary.new_users,
    )
    db.session.flush()
    return summary, errors


def _write(record, users, profiles, today, summary) -> None:
    user = users.get(record.email)
    if user is None:
        user = create_user(
            None, UserInput(record.email, record.name, "", None, frozenset({Role.SUPERVISOR}))
        )
        summary.new_users += 1
    supervisor = profiles.get(user.id)
    if supervisor is None:
        services.create_supervisor(None, replace(record.data, email=record.email), today)
        summary.created += 1
    elif services.update_supervisor(None, supervisor, record.data, today):
        summary.updated += 1
    else:
        summary.unchanged += 1


# --- The command -------------------------------------------------------------------


@dataclass
class _Outcome:
    errors: list[RowError] = field(default_factory=list)
    summary: ImportSummary | None = None


def run_import(data: bytes, today: date, progressbar=click.progressbar) -> _Outcome:
    """Validate, then write if every row is clean; the caller commits or rolls back."""
    header, rows = read_csv(data)
    records, errors = validate_rows(header, rows, current_lookup())
    if errors:
        return _Outcome(errors)
    with progressbar(length=len(records), label="Writing supervisors") as bar:
        summary, errors = write_supervisors(records, today, on_written=bar.update)
    return _Outcome(errors, summary)


@click.command("import-supervisors")
@click.argument("csv_file", metavar="FILE.csv", type=click.File("rb"))
@with_appcontext
def import_supervisors_command(csv_file) -> None:
    """Import or update supervisors (UTF-8 CSV; see docs/import-supervisors.md).

    All or nothing: if any row is bad, nothing is imported and every bad row is listed.
    """
    limit = current_app.config["MAX_IMPORT_BYTES"]
    data = csv_file.read(limit + 1)
    if len(data) > limit:
        raise click.ClickException(
            f"{csv_file.name} is larger than {limit:,} bytes (MAX_IMPORT_BYTES); "
            "split it into smaller files. Nothing was imported."
        )
    try:
        with force_locale("en"):  # the services' messages, like ours, in English
            outcome = run_import(data, date.today())
    except ImportRefused as exc:
        db.session.rollback()
        raise click.ClickException(f"{csv_file.name}: {exc} Nothing was imported.") from exc
    except Exception:
        db.session.rollback()
        raise
    if outcome.errors:
        db.session.rollback()
        for error in outcome.errors:
            click.echo(str(error), err=True)
        bad_lines = len({e.line for e in outcome.errors})
        raise click.ClickException(
            f"{bad_lines} line(s) of {csv_file.name} have errors (listed above). "
            "Nothing was imported; correct the file and run the import again."
        )
    db.session.commit()
    s = outcome.summary
    click.echo(
        f"Created {s.created}, updated {s.updated}, unchanged {s.unchanged} supervisor(s); "
        f"{s.new_users} new user account(s)."
    )
    if s.new_users:
        click.echo(
            "New accounts have no password: set one in the user administration "
            "before they can log in."
        )
