"""Reading the CSV files the administrators import (staff, supervisors).

All or nothing: a file that cannot be read is refused whole (ImportRefused); rows are
then checked one by one by each importer, which lists every bad row (RowError).
"""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


class ImportRefused(Exception):
    """The file as a whole cannot be read; nothing is imported."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def shown(value: str, limit: int = 60) -> str:
    """A value quoted for an error line: control characters escaped, long ones cut."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the (line number, fields) of each non-blank row.

    UTF-8 with or without a byte-order mark; comma- or semicolon-separated (Excel in a
    Finnish locale writes semicolons). Raises ImportRefused if the bytes are not UTF-8
    (naming every bad line) or there is no header.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = [
            str(n)
            for n, line in enumerate(data.split(b"\n"), start=1)
            if not _is_utf8(line.removeprefix(b"\xef\xbb\xbf") if n == 1 else line)
        ]
        raise ImportRefused(
            f"the file is not UTF-8 text (bad bytes on line(s) {', '.join(bad)}). "
            "Save it as UTF-8, e.g. 'CSV UTF-8' in Excel, and try again."
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("the file is empty; it needs a header row.") from None
    except csv.Error as exc:
        raise ImportRefused(f"line 1: the header row cannot be read ({exc}).") from exc
    return header, _rows(reader)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _rows(reader) -> Iterator[tuple[int, list[str]]]:
    while True:
        line = reader.line_num + 1  # where the next record starts
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportRefused(f"line {line}: the CSV cannot be read ({exc}).") from exc
        if any(f.strip() for f in fields):
            yield line, fields


def check_header(
    header: Sequence[str], required: Sequence[str], optional: Sequence[str]
) -> list[str]:
    """What is wrong with the header row (empty if nothing)."""
    names = [h.strip().lower() for h in header]
    known = (*required, *optional)
    problems = []
    missing = [c for c in required if c not in names]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    unknown = [n or "(empty)" for n in names if n not in known]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(known)})")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        problems.append(f"repeated column(s): {', '.join(repeated)}")
    return problems
