"""The supervisor import's rows: its columns, and each row checked (pure apart from the
lookup of agreements, divisions and the people already there)."""

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lahti_pool.accounts.addresses import email_problem
from lahti_pool.core import csvimport, money
from lahti_pool.core.csvimport import RowError
from lahti_pool.core.csvimport import shown as _shown
from lahti_pool.core.errors import DomainError
from lahti_pool.supervisors import services
from lahti_pool.supervisors.models import SupervisorKind
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
