"""``flask pool import-staff FILE.csv``: create or update staff from an HR export.

The file format is documented in docs/import-staff.md. In short: UTF-8 (a BOM is
fine), comma- or semicolon-separated, a header row with the columns ``email``,
``name``, ``job_title``, ``unit_code`` and optionally ``division_code``,
``unit_name`` and ``locale``.

Decisions an administrator relies on:

* **All or nothing.** Every row is validated before anything is written; one bad
  row means nothing is imported, and every bad row is listed with its line number.
* **Keyed by e-mail**, case-insensitively. An existing user gets the file's name,
  job title and unit; their roles, password, language and active state are kept.
  A new user gets the staff role and **no password**: they cannot log in until an
  administrator sets one (or single sign-on is added).
* **Units.** A known ``unit_code`` is used as it is (its name and division are never
  changed by an import). An unknown ``unit_code`` is created only when the row also
  gives ``unit_name`` and the ``division_code`` of an existing division; otherwise
  the row is refused. Divisions are never created by an import.
* Nobody is deleted or deactivated because they are missing from the file.
* The audit log gets one ``staff.imported`` event with counts only.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from lahti_pool.accounts.addresses import email_problem
from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit, csvimport
from lahti_pool.core.csvimport import ImportRefused, RowError, read_csv
from lahti_pool.core.csvimport import shown as _shown
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit, UnitKind

REQUIRED_COLUMNS = ("email", "name", "job_title", "unit_code")
OPTIONAL_COLUMNS = ("division_code", "unit_name", "locale")
LOCALES = ("fi", "sv", "en")
#: column -> longest accepted value, as in the database columns
MAX_LENGTHS = {
    "email": 254,
    "name": 200,
    "job_title": 200,
    "unit_code": 20,
    "division_code": 20,
    "unit_name": 200,
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


# --- Writing -----------------------------------------------------------------------


def current_lookup() -> OrgLookup:
    """The unit and division codes now in the database."""
    return OrgLookup(
        unit_codes=frozenset(db.session.scalars(select(Unit.code))),
        division_codes=frozenset(db.session.scalars(select(Division.code))),
    )


def write_staff(
    records: Sequence[StaffRecord], on_written: Callable[[int], object] | None = None
) -> ImportSummary:
    """Create missing units, then create or update each user; flushes, never commits.

    ``on_written(1)`` is called after each record (e.g. a progress bar's ``update``).
    """
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    divisions = {d.code: d for d in db.session.scalars(select(Division))}
    units_created = 0
    for record in records:
        spec = record.new_unit
        if spec is not None and spec.code not in units:
            units[spec.code] = Unit(
                code=spec.code,
                name=spec.name,
                kind=UnitKind.OTHER,
                division=divisions[spec.division_code],
            )
            db.session.add(units[spec.code])
            units_created += 1
    db.session.flush()

    existing: dict[str, User] = {}
    emails = [r.email for r in records]
    for start in range(0, len(emails), _CHUNK):
        chunk = emails[start : start + _CHUNK]
        for user in db.session.scalars(select(User).where(func.lower(User.email).in_(chunk))):
            existing[user.email.lower()] = user

    created = updated = unchanged = 0
    for n, record in enumerate(records, start=1):
        unit_id = units[record.unit_code].id
        user = existing.get(record.email)
        if user is None:
            user = User(
                email=record.email,
                name=record.name,
                job_title=record.job_title,
                unit_id=unit_id,
                locale=record.locale,
                password_hash=None,
                session_version=1,
            )
            user.set_roles({Role.STAFF})
            db.session.add(user)
            created += 1
        elif (user.name, user.job_title, user.unit_id) != (
            record.name,
            record.job_title,
            unit_id,
        ):
            user.name, user.job_title, user.unit_id = record.name, record.job_title, unit_id
            updated += 1
        else:
            unchanged += 1
        if n % _CHUNK == 0:
            db.session.flush()
        if on_written is not None:
            on_written(1)
    audit.record(
        None,
        "staff.imported",
        None,
        created=created,
        updated=updated,
        unchanged=unchanged,
        units_created=units_created,
    )
    db.session.flush()
    return ImportSummary(created, updated, unchanged, units_created)


# --- The command -------------------------------------------------------------------


@click.command("import-staff")
@click.argument("csv_file", metavar="FILE.csv", type=click.File("rb"))
@with_appcontext
def import_staff_command(csv_file) -> None:
    """Import or update staff from an HR export (UTF-8 CSV; see docs/import-staff.md).

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
    try:
        with click.progressbar(length=len(records), label="Writing staff") as bar:
            summary = write_staff(records, on_written=bar.update)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(
        f"Created {summary.created}, updated {summary.updated}, "
        f"unchanged {summary.unchanged} staff member(s)"
        + (f"; created {summary.units_created} unit(s)." if summary.units_created else ".")
    )
    if summary.created:
        click.echo(
            "New accounts have no password: set one in the user administration "
            "before they can log in."
        )
