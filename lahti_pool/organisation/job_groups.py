"""A person's job group: a structured category mapped from the HR system's job titles.

Pure: no Flask, no database. The reports that follow count people and sessions by
group, not by the free-text title HR keeps (``Luokanopettaja``, ``Lehtori``, ...).
"""

import enum
import re

from lahti_pool.core.errors import N_


class JobGroup(enum.StrEnum):
    TEACHER = "teacher"
    PRINCIPAL = "principal"
    SCHOOL_ASSISTANT = "school_assistant"
    SCHOOL_SECRETARY = "school_secretary"
    MANAGER = "manager"
    OTHER = "other"


#: the group's name on pages and in exports (translated where shown)
LABELS = {
    JobGroup.TEACHER: N_("Teacher"),
    JobGroup.PRINCIPAL: N_("Principal"),
    JobGroup.SCHOOL_ASSISTANT: N_("School assistant"),
    JobGroup.SCHOOL_SECRETARY: N_("School secretary"),
    JobGroup.MANAGER: N_("Manager"),
    JobGroup.OTHER: N_("Other"),
}

#: (pattern, group) in order; the first that matches a lower-cased title wins. Finnish
#: and Swedish titles of the city's HR system and their English equivalents. "Apulaisrehtori"
#: is a principal; "rehtorin sihteeri" a secretary (checked before principals).
_RULES: list[tuple[re.Pattern[str], JobGroup]] = [
    (re.compile(r"sihteeri|sekreterare|secretary|toimistosihteeri"), JobGroup.SCHOOL_SECRETARY),
    (re.compile(r"rehtori|rektor|principal|head ?teacher"), JobGroup.PRINCIPAL),
    (
        re.compile(
            r"koulunkäynnin ?ohjaaja|koulunkäyntiavustaja|ohjaaja|avustaja|skolgångsbiträde"
            r"|assistant|elevassistent"
        ),
        JobGroup.SCHOOL_ASSISTANT,
    ),
    (re.compile(r"opettaja|lehtori|lärare|lektor|teacher|opo\b"), JobGroup.TEACHER),
    (
        re.compile(r"päällikkö|johtaja|esihenkilö|esimies|chef|direktör|manager|director"),
        JobGroup.MANAGER,
    ),
]


def job_group_for(title: str) -> JobGroup:
    """The job group of an HR job title; ``OTHER`` when no rule knows it."""
    text = " ".join(title.lower().split())
    for pattern, group in _RULES:
        if pattern.search(text):
            return group
    return JobGroup.OTHER
