"""``flask pool import-staff FILE.csv``: keep staff in step with an HR export.

This module reads and checks the file; organisation/sync.py plans and writes the
changes. The file format is documented in docs/import-staff.md. In short: UTF-8 (a BOM
is fine), comma- or semicolon-separated, a header row with the columns ``email``,
``name``, ``job_title``, ``unit_code`` and optionally ``division_code``, ``unit_name``,
``locale`` and ``staff_number``.

Decisions an administrator relies on:

* **All or nothing.** Every row is validated before anything is written; one bad
  row means nothing is imported, and every bad row is listed with its line number.
  The changes are written in one transaction.
* **Keyed by staff number**, else by e-mail (case-insensitively). With a
  ``staff_number`` column the file is the whole staff: the people it no longer lists
  are leavers (sync.py says what happens to them). ``--dry-run`` prints the difference;
  too many leavers refuse without ``--force``.
* **Units.** A known ``unit_code`` is used as it is (its name and division are never
  changed by an import). An unknown ``unit_code`` is created only when the row also
  gives ``unit_name`` and the ``division_code`` of an existing division; otherwise
  the row is refused. Divisions are never created by an import.
* Nobody is deleted. The log of use records each change (codes and counts only).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lahti_pool.accounts.addresses import email_problem
from lahti_pool.core import csvimport
from lahti_pool.core.csvimport import ImportRefused, RowError, read_csv
from lahti_pool.core.csvimport import shown as _shown
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation import sync
from lahti_pool.organisation.models import Division, Unit

REQUIRED_COLUMNS = ("email", "name", "job_title", "unit_code")
OPTIONAL_COLUMNS = ("division_code", "unit_name", "locale", "staff_number")
LOCALES = ("fi", "sv", "en")
#: column -> longest accepted value, as in the database columns
MAX_LENGTHS = {
    "email": 254,
    "name": 200,
    "job_title": 200,
    "unit_code": 20,
    "division_code": 20,
    "unit_name": 200,
    "staff_number": 40,
}
_CHUNK = 500  # rows per IN (...) lookup and per flush
_CONTROL_CHARS = frozenset(chr(c) for c in (*range(32), 127))


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    division_code: str


@dataclass(frozen=True)
class StaffRecord:
    """One clean row, ready to write."""

    line: int
    email: str  #: lower-case
    name: str
    job_title: str
    unit_code: str
    locale: str  #: "fi", "sv", "en" or "" (follow the browser)
    new_unit: NewUnit | None = None  #: set when the row creates its unit
    staff_number: str = ""  #: HR's employee number; "" when the file has no such column


@dataclass(frozen=True)
class OrgLookup:
    """What validation needs to know about the database: the codes that exist."""

    unit_codes: frozenset[str]
    division_codes: frozenset[str]


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    units_created: int


# --- Reading the file --------------------------------------------------------------


def check_header(header: Sequence[str]) -> list[str]:
    """What is wrong with the header row (empty if nothing)."""
    return csvimport.check_header(header, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)


def validate_rows(
    header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]], lookup: OrgLookup
) -> tuple[list[StaffRecord], list[RowError]]:
    """Check every row; return the clean records and every error found.

    The import may only go ahead when the error list is empty.
    """
    header_problems = check_header(header)
    if header_problems:
        return [], [RowError(1, p) for p in header_problems]
    columns = [h.strip().lower() for h in header]
    records: list[StaffRecord] = []
    errors: list[RowError] = []
    seen_emails: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    has_numbers = "staff_number" in columns
    new_units: dict[str, tuple[NewUnit, int]] = {}
    for line, fields in rows:
        if len(fields) != len(columns):
            errors.append(RowError(line, f"expected {len(columns)} fields, found {len(fields)}"))
            continue
        row = {c: f.strip() for c, f in zip(columns, fields, strict=True)}
        row_errors: list[str] = []
        refuse = row_errors.append
        for column, value in row.items():
            if any(ch in value for ch in _CONTROL_CHARS):
                refuse(f"{column} contains a line break or another control character")
        for column, limit in MAX_LENGTHS.items():
            if len(row.get(column, "")) > limit:
                refuse(f"{column} is longer than {limit} characters")
        email, problem = email_problem(row["email"])
        if not email:
            refuse("email is missing")
        elif len(email) <= MAX_LENGTHS["email"] and problem:
            refuse(f"email {_shown(email)} {problem}")
        elif email in seen_emails:
            refuse(f"email {_shown(email)} is already on line {seen_emails[email]}")
        else:
            seen_emails[email] = line
        if not row["name"]:
            refuse("name is missing")
        number = row.get("staff_number", "")
        if has_numbers and not number:
            refuse("staff_number is missing")
        elif number in seen_numbers:
            refuse(f"staff_number {_shown(number)} is already on line {seen_numbers[number]}")
        elif number:
            seen_numbers[number] = line
        locale = row.get("locale", "").lower()
        if locale not in ("", *LOCALES):
            refuse(f"locale {_shown(row['locale'])} is not one of: {', '.join(LOCALES)} (or empty)")
        new_unit = _check_unit(row, line, lookup, new_units, refuse)
        if row_errors:
            errors.extend(RowError(line, reason) for reason in row_errors)
            continue
        records.append(
            StaffRecord(
                line=line,
                email=email,
                name=row["name"],
                job_title=row["job_title"],
                unit_code=row["unit_code"],
                locale=locale,
                new_unit=new_unit,
                staff_number=number,
            )
        )
    if not records and not errors:
        errors.append(RowError(1, "the file has a header but no staff rows"))
    return records, errors


def _check_unit(row, line, lookup, new_units, refuse) -> NewUnit | None:
    code = row["unit_code"]
    if not code:
        refuse("unit_code is missing")
        return None
    if code in lookup.unit_codes:
        return None
    unit_name, division_code = row.get("unit_name", ""), row.get("division_code", "")
    if not unit_name:
        refuse(
            f"unit_code {_shown(code)} is not a known unit "
            "(give unit_name and division_code to create it)"
        )
        return None
    if division_code not in lookup.division_codes:
        refuse(
            f"division_code {_shown(division_code)} is not a known division; "
            f"the new unit {_shown(code)} needs one"
        )
        return None
    new_unit = NewUnit(code, unit_name, division_code)
    if code in new_units and new_units[code][0] != new_unit:
        refuse(
            f"new unit {_shown(code)} has a different unit_name or division_code "
            f"on line {new_units[code][1]}"
        )
        return None
    new_units.setdefault(code, (new_unit, line))
    return new_unit


# --- Writing: organisation/sync.py ------------------------------------------------------


def current_lookup() -> OrgLookup:
    """The unit and division codes now in the database."""
    return OrgLookup(
        unit_codes=frozenset(db.session.scalars(select(Unit.code))),
        division_codes=frozenset(db.session.scalars(select(Division.code))),
    )


def as_people(records: Sequence[StaffRecord]) -> list[sync.Person]:
    return [
        sync.Person(
            staff_number=r.staff_number,
            email=r.email,
            name=r.name,
            job_title=r.job_title,
            unit_code=r.unit_code,
            locale=r.locale,
            line=r.line,
        )
        for r in records
    ]


# --- The command -------------------------------------------------------------------


def _read(csv_file) -> tuple[list[StaffRecord], bool]:
    """The file's clean records and whether it lists staff numbers; ClickException if bad."""
    limit = current_app.config["MAX_IMPORT_BYTES"]
    data = csv_file.read(limit + 1)
    if len(data) > limit:
        raise click.ClickException(
            f"{csv_file.name} is larger than {limit:,} bytes (MAX_IMPORT_BYTES); "
            "split it into smaller files. Nothing was imported."
        )
    try:
        header, rows = read_csv(data)
        records, errors = validate_rows(header, rows, current_lookup())
    except ImportRefused as exc:
        raise click.ClickException(f"{csv_file.name}: {exc} Nothing was imported.") from exc
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        bad_lines = len({e.line for e in errors})
        raise click.ClickException(
            f"{bad_lines} line(s) of {csv_file.name} have errors (listed above). "
            "Nothing was imported; correct the file and run the import again."
        )
    full = "staff_number" in (h.strip().lower() for h in header)
    return records, full


@click.command("import-staff")
@click.argument("csv_file", metavar="FILE.csv", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Print the difference; change nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Deactivate the leavers even when they are more than SYNC_MAX_DEACTIVATE_SHARE.",
)
@with_appcontext
def import_staff_command(csv_file, dry_run: bool, force: bool) -> None:
    """Sync staff with an HR export (UTF-8 CSV; see docs/import-staff.md).

    With a staff_number column the file is the whole staff: people missing from it are
    deactivated. All or nothing: if any row is bad, nothing is imported.
    """
    records, full = _read(csv_file)
    try:
        plan = sync.plan_sync(as_people(records), full=full)
    except sync.SyncRefused as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        raise click.ClickException("Nothing was imported; correct the file.") from exc
    new_units = list({r.new_unit.code: r.new_unit for r in records if r.new_unit}.values())
    if dry_run:
        for line in sync.describe(plan):
            click.echo(line)
        for spec in new_units:
            click.echo(f"+ unit     {spec.code} {spec.name!r} in division {spec.division_code}")
        click.echo(
            f"Dry run: {len(plan.of(sync.ChangeKind.NEW))} new, "
            f"{len(plan.of(sync.ChangeKind.UPDATED))} changed, "
            f"{len(plan.of(sync.ChangeKind.RETURNED))} returning, "
            f"{len(plan.of(sync.ChangeKind.LEAVER))} leaver(s), {plan.unchanged} unchanged. "
            "Nothing was changed."
        )
        db.session.rollback()
        return
    try:
        sync.check_leaver_share(plan, current_app.config["SYNC_MAX_DEACTIVATE_SHARE"], force)
    except sync.SyncRefused as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc} Nothing was imported.") from exc
    try:
        with click.progressbar(length=len(plan.changes), label="Writing staff") as bar:
            summary = sync.apply_sync(plan, new_units, on_done=bar.update)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()  # all or nothing: a leaver's session that cannot be freed
        raise click.ClickException(f"{exc.message} Nothing was imported.") from exc
    except Exception:
        db.session.rollback()
        raise
    click.echo(
        f"Created {summary.created}, updated {summary.updated}, "
        f"unchanged {summary.unchanged} staff member(s)"
        + (f"; created {summary.units_created} unit(s)." if summary.units_created else ".")
    )
    if summary.reactivated:
        click.echo(f"Reactivated {summary.reactivated} returning staff member(s).")
    if full:
        click.echo(
            f"Deactivated {summary.deactivated} leaver(s); withdrew {summary.withdrawn} "
            f"request(s) and cancelled {summary.cancelled} coming session(s)."
        )
    else:
        click.echo("The file has no staff_number column: nobody was deactivated.")
    if summary.created:
        click.echo(
            "New accounts have no password: they sign in with the city account, or an "
            "administrator sets a password in the user administration."
        )
