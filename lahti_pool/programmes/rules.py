"""The programmes' rules: pure (no Flask, no database).

**The completion rule.** A module counts when the participant attended *every* one of its
days (a two-day module half attended does not count: its second day builds on the
first); the programme is completed when at least ``modules_required`` modules count
(e.g. four of five). The certificate lists every module with the hours attended in it,
counted or not, and the hours in all.
"""

from dataclasses import dataclass

from lahti_pool.core.errors import N_, DomainError


@dataclass(frozen=True)
class ModuleAttendance:
    """One module as one participant attended it."""

    number: int
    theme: str
    #: (minutes of the day, attended) for each of the module's days
    days: tuple[tuple[int, bool], ...]

    @property
    def counts(self) -> bool:
        """Every day of the module attended (a module without days never counts)."""
        return bool(self.days) and all(attended for _minutes, attended in self.days)

    @property
    def minutes_attended(self) -> int:
        return sum(minutes for minutes, attended in self.days if attended)


@dataclass(frozen=True)
class Completion:
    modules: tuple[ModuleAttendance, ...]
    required: int

    @property
    def modules_counted(self) -> int:
        return sum(m.counts for m in self.modules)

    @property
    def minutes_attended(self) -> int:
        return sum(m.minutes_attended for m in self.modules)

    @property
    def completed(self) -> bool:
        return self.required > 0 and self.modules_counted >= self.required


def check_capacity(accepted: int, capacity: int) -> None:
    """Accepting one more must keep the cohort within its capacity."""
    if accepted >= capacity:
        raise DomainError(
            N_(
                "The cohort is full (%(capacity)s participants). Put the person on the "
                "waiting list or refuse with a message."
            ),
            capacity=capacity,
        )


def check_programme(starts_on, ends_on, capacity: int, required: int) -> None:
    if ends_on < starts_on:
        raise DomainError(N_("The programme cannot end before it starts."), field="ends_on")
    if capacity < 1:
        raise DomainError(N_("The capacity must be at least one."), field="capacity")
    if required < 1:
        raise DomainError(
            N_("At least one module must be required for completion."), field="modules_required"
        )


def hours(minutes: int) -> float | int:
    """Minutes as hours for display: 450 → 7.5, 420 → 7 (never money: a display value)."""
    whole, rest = divmod(minutes, 60)
    return whole if rest == 0 else round(minutes / 60, 2)
