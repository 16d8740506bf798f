"""Who a survey goes to: the populations the features register.

A feature that has people in some group (a network's members, a programme's cohort)
registers a population kind with ``register_population``; the surveys feature lists the
kinds, lets its author choose one (and the network or cohort), and reads its members.
This module knows no feature.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select


@dataclass(frozen=True)
class PopulationKind:
    kind: str
    #: what the author chooses from, e.g. a lazy "Members of a peer network"
    label: object
    #: a select of ``users.id`` of the population; takes the subject id (a network's
    #: or programme's id), None for a population without one (all staff)
    member_ids: Callable[[int | None], Select]
    #: the subjects to choose from, as (id, name); None when the kind has no subject
    choices: Callable[[], list[tuple[int, str]]] | None = None
    #: a select of ``users.id`` of those who may survey the subject's people besides the
    #: administrator (a network's coordinators, a programme's organisers); takes the
    #: subject id; None: the administrator only
    organisers: Callable[[int | None], Select] | None = None
    #: the mapping report's kind of the subject (core/mapping.py, e.g. "network"), so a
    #: survey about it is shown on its row; empty: the population kind itself
    subject_kind: str = ""

    @property
    def mapping_kind(self) -> str:
        return self.subject_kind or self.kind


_KINDS: dict[str, PopulationKind] = {}


def register_population(
    kind: str, label, member_ids, choices=None, organisers=None, subject_kind: str = ""
) -> None:
    _KINDS[kind] = PopulationKind(kind, label, member_ids, choices, organisers, subject_kind)


def population_kinds() -> list[PopulationKind]:
    return list(_KINDS.values())


def population_kind(kind: str) -> PopulationKind | None:
    return _KINDS.get(kind)
