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

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import func, select

from lahti_pool.accounts.addresses import email_problem
from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.services import UserInput, create_user
from lahti_pool.core import audit, csvimport, money
from lahti_pool.core.csvimport import ImportRefused, RowError, read_csv
from lahti_pool.core.csvimport import shown as _shown
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division
from lahti_pool.supervisors import services
from lahti_pool.supervisors.models import FrameworkAgreement, Supervisor, SupervisorKind
from lahti_pool.supervisors.services import SupervisorInput

REQUIRED_COLUMNS = (
    "email",
    "name",
    "kind",
    "price_individual_eur",
    "price_group_eur",
    "capacity_sessions",
    "capacity_processes",
)
OPTIONAL_COLUMNS = (
    "company_name",
    "business_id",
    "agreement",
    "rank",
    "contract_start",
    "contract_end",
    "languages",
    "modes",
    "kinds",
    "divisions",
    "areas",
    "qualifications",
    "bio",
)
#: column -> longest accepted value, as in the database columns
MAX_LENGTHS = {"email": 254, "name": 200, "company_name": 200, "qualifications": 500}
#: columns that may hold line breaks
MULTILINE = frozenset({"bio"})
_CONTROL_CHARS = frozenset(chr(c) for c in (*range(32), 127))
_LIST_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class SupervisorRecord:
    """One clean row, ready to write."""

    line: int
    email: str  #: lower-case
    name: str
    data: SupervisorInput


@dataclass(frozen=True)
class Lookup:
    """What validation needs from the database: agreements and division codes."""

    #: lower-case name or procurement reference -> agreement id
    agreements: dict[str, int]
    #: division code -> id
    divisions: dict[str, int]
    #: (agreement id, rank) -> lower-case e-mail of the supervisor holding it
    ranks: dict[tuple[int, int], str]


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_users: int = 0


# --- Reading the file --------------------------------------------------------------


def check_header(header: Sequence[str]) -> list[str]:
    """What is wrong with the header row (empty if nothing)."""
    return csvimport.check_header(header, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)


# --- Checking one row (pure apart from the lookup) ---------------------------------


class _Row:
    """One row's values and every problem found in them (not just the first)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.problems: list[str] = []

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def refuse(self, reason: str) -> None:
        self.problems.append(reason)

    def rule(self, check: Callable, *args, column: str = ""):
        """Run a check from services.py; its DomainError becomes a problem."""
        try:
            return check(*args)
        except DomainError as error:
            self.refuse(f"{column}: {error.message}" if column else error.message)
            return None

    def calendar_date(self, column: str) -> date | None:
        text = self[column]
        if not text:
            return None
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.refuse(f"{column} {_shown(text)} is not a date (write e.g. 2025-08-01)")
        return None

    def integer(self, column: str) -> int | None:
        text = self[column]
        if text and not re.fullmatch(r"[-−]?\d+", text):
            self.refuse(f"{column} {_shown(text)} is not a whole number")
            return None
        return int(text.replace("−", "-")) if text else None

    def capacity(self, column: str) -> int:
        value = self.integer(column)
        if value is None:
            if not self[column]:
                self.refuse(f"{column} is missing")
            return 0
        return self.rule(services.check_capacity, value, column, column=column) or 0

    def euros(self, column: str) -> Decimal:
        text = self[column]
        if not text:
            self.refuse(f"{column} is missing")
            return Decimal(0)
        try:
            amount = money.parse_decimal(text)
        except money.AmountError:
            self.refuse(f"{column} {_shown(text)} is not an amount in euros (write e.g. 85.50)")
            return Decimal(0)
        cents = self.rule(services.price_cents, amount, column, column=column)
        return money.cents_to_euros(cents or 0)

    def codes(self, column: str, allowed: Sequence[str]) -> tuple[str, ...]:
        codes = tuple(c.lower() for c in _LIST_SEPARATORS.split(self[column]) if c)
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            self.refuse(
                f"{column}: unknown code(s) {', '.join(map(_shown, unknown))} "
                f"(known: {' '.join(allowed)})"
            )
            return ()
        return codes


def _email(row: _Row, seen: dict[str, int], line: int) -> str:
    email, problem = email_problem(row["email"])
    if not email:
        row.refuse("email is missing")
    elif len(email) > MAX_LENGTHS["email"]:
        pass  # reported with the other lengths
    elif problem:
        row.refuse(f"email {_shown(email)} {problem}")
    elif email in seen:
        row.refuse(f"email {_shown(email)} is already on line {seen[email]}")
    else:
        seen[email] = line
    return email


def _contract(row: _Row, lookup: Lookup, ranks: dict, line: int, email: str) -> tuple:
    """(kind, agreement id, rank); a rank held by someone else is refused."""
    try:
        kind = SupervisorKind((row["kind"] or "contracted").lower())
    except ValueError:
        row.refuse(f"kind {_shown(row['kind'])} is neither 'contracted' nor 'internal'")
        return SupervisorKind.CONTRACTED, None, None
    rank = row.integer("rank")
    if kind == SupervisorKind.INTERNAL:
        return kind, None, None
    for column in ("company_name", "business_id"):
        if not row[column]:
            row.refuse(f"{column} is missing (a contracted supervisor needs one)")
    name = row["agreement"]
    agreement_id = lookup.agreements.get(name.lower())
    if not name:
        row.refuse("agreement is missing (a contracted supervisor needs one)")
    elif agreement_id is None:
        row.refuse(f"agreement {_shown(name)} is not a known framework agreement (name or ref)")
    if rank is None:
        if not row["rank"]:
            row.refuse("rank is missing (a contracted supervisor needs one)")
    elif rank < 1:
        row.refuse(f"rank {rank} is not 1 or more")
    elif agreement_id is not None:
        key = (agreement_id, rank)
        holder = lookup.ranks.get(key)
        if key in ranks:
            row.refuse(f"rank {rank} in {_shown(name)} is already on line {ranks[key]}")
        elif holder is not None and holder != email:
            row.refuse(f"rank {rank} in {_shown(name)} is already held by {holder}")
        else:
            ranks[key] = line
    return kind, agreement_id, rank


def _divisions(row: _Row, lookup: Lookup) -> tuple[int, ...]:
    codes = [c for c in _LIST_SEPARATORS.split(row["divisions"]) if c]
    unknown = [c for c in codes if c not in lookup.divisions]
    if unknown:
        row.refuse(f"divisions: unknown division code(s) {', '.join(map(_shown, unknown))}")
        return ()
    return tuple(dict.fromkeys(lookup.divisions[c] for c in codes))


def validate_rows(
    header: Sequence[str], rows: Iterator[tuple[int, Sequence[str]]], lookup: Lookup
) -> tuple[list[SupervisorRecord], list[RowError]]:
    """Check every row; return the clean records and every error found.

    The import may only go ahead when the error list is empty.
    """
    header_problems = check_header(header)
    if header_problems:
        return [], [RowError(1, p) for p in header_problems]
    columns = [h.strip().lower() for h in header]
    records: list[SupervisorRecord] = []
    errors: list[RowError] = []
    seen_emails: dict[str, int] = {}
    ranks: dict[tuple[int, int], int] = {}
    for line, fields in rows:
        if len(fields) != len(columns):
            errors.append(RowError(line, f"expected {len(columns)} fields, found {len(fields)}"))
            continue
        row = _Row({c: f.strip() for c, f in zip(columns, fields, strict=True)})
        for column, value in row.values.items():
            if column not in MULTILINE and any(ch in value for ch in _CONTROL_CHARS):
                row.refuse(f"{column} contains a line break or another control character")
        for column, limit in MAX_LENGTHS.items():
            if len(row[column]) > limit:
                row.refuse(f"{column} is longer than {limit} characters")
        email = _email(row, seen_emails, line)
        if not row["name"]:
            row.refuse("name is missing")
        kind, agreement_id, rank = _contract(row, lookup, ranks, line, email)
        starts, ends = row.calendar_date("contract_start"), row.calendar_date("contract_end")
        row.rule(services.check_period, starts, ends, "contract_end", column="contract_end")
        data = SupervisorInput(
            kind=kind,
            agreement_id=agreement_id,
            rank=rank,
            company_name=row["company_name"],
            business_id=row.rule(
                services.check_business_id, row["business_id"], column="business_id"
            )
            or "",
            contract_starts_on=starts,
            contract_ends_on=ends,
            price_individual=row.euros("price_individual_eur"),
            price_group=row.euros("price_group_eur"),
            capacity_sessions=row.capacity("capacity_sessions"),
            capacity_processes=row.capacity("capacity_processes"),
            languages=row.codes("languages", services.LANGUAGES),
            modes=row.codes("modes", services.MODES),
            kinds=row.codes("kinds", services.KINDS),
            division_ids=_divisions(row, lookup),
            areas=services.split_areas(row["areas"]),
            qualifications=row["qualifications"],
            bio=row["bio"],
            email=email,
        )
        if row.problems:
            errors.extend(RowError(line, reason) for reason in row.problems)
        else:
            records.append(SupervisorRecord(line, email, row["name"], data))
    if not records and not errors:
        errors.append(RowError(1, "the file has a header but no supervisor rows"))
    return records, errors


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
