"""The mapping report's rows: what each network and programme did in a period.

Features with networks or programmes register a function giving one ``MappingRow`` per
network or programme for a period (``register_mapping_subjects``); the mapping report
(issue 19) lists them with the results of the surveys about them. This module knows no
feature.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class MappingRow:
    kind: str  #: the registered kind, e.g. "network" or "programme"
    subject_id: int
    name: str
    #: member counts by role category (a job group's label) and by organisation name
    members_by_role: dict[str, int] = field(default_factory=dict)
    members_by_organisation: dict[str, int] = field(default_factory=dict)
    events_held: int = 0  #: events or module days held in the period
    attendances: int = 0  #: people present, summed over those events


#: kind -> (its label, rows(start, end) for the period, ends included)
_SUBJECTS: dict[str, tuple[object, Callable[[date, date], list[MappingRow]]]] = {}


def register_mapping_subjects(kind: str, label, rows: Callable[[date, date], list[MappingRow]]):
    _SUBJECTS[kind] = (label, rows)


def mapping_kinds() -> dict[str, object]:
    return {kind: label for kind, (label, _rows) in _SUBJECTS.items()}


def mapping_rows(start: date, end: date) -> list[MappingRow]:
    rows: list[MappingRow] = []
    for _label, subject_rows in _SUBJECTS.values():
        rows.extend(subject_rows(start, end))
    return rows
