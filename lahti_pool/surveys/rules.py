"""The rules of surveys, pure: what a survey may hold, and what its results may show.

Results follow the feedback rule (DOMAIN.md "Feedback and reports", feedback/rules.py):
no figure from fewer than ``k`` answers, and complementary suppression so that a hidden
count cannot be worked out from the total and the others. A survey's results are shown
only once it is closed, so they never change and two readings cannot be subtracted.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lahti_pool.core.errors import N_, DomainError
from lahti_pool.feedback.rules import suppress_column

MAX_QUESTIONS = 10
MAX_OPTIONS = 10
SCALE = range(1, 6)


@dataclass(frozen=True)
class QuestionInput:
    kind: str  #: models.QuestionKind's value
    text: str
    options: tuple[str, ...] = ()


def clean_questions(questions: list[QuestionInput]) -> list[QuestionInput]:
    """The questions with text, each checked; a survey needs one to ten."""
    kept = [q for q in questions if q.text.strip()]
    if not kept:
        raise DomainError(N_("Write at least one question."))
    if len(kept) > MAX_QUESTIONS:
        raise DomainError(N_("A survey has at most %(n)s questions."), n=MAX_QUESTIONS)
    cleaned = []
    for number, q in enumerate(kept, start=1):
        options = tuple(dict.fromkeys(o.strip() for o in q.options if o.strip()))
        if q.kind == "choice" and not 2 <= len(options) <= MAX_OPTIONS:
            raise DomainError(
                N_("Question %(number)s: give a choice question 2 to %(max)s options."),
                number=number,
                max=MAX_OPTIONS,
            )
        if q.kind not in ("scale", "choice", "text"):
            raise DomainError(N_("Question %(number)s: choose its kind."), number=number)
        cleaned.append(QuestionInput(q.kind, q.text.strip(), options if q.kind == "choice" else ()))
    return cleaned


def _average(total: int, n: int) -> Decimal:
    return (Decimal(total) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CountedQuestion:
    """A scale or choice question's figures: None where suppressed."""

    n: int | None  #: answers to the question (None: fewer than k)
    #: per option (a choice's index, a scale's value): its count, None where hidden
    counts: dict[int, int | None]
    average: Decimal | None = None  #: a scale question's average


def count_question(counts: Mapping[int, int], keys, k: int, scale: bool) -> CountedQuestion:
    """Suppressed figures of one question from its answer counts per value."""
    total = sum(counts.values())
    hidden, hide_total = suppress_column(counts, k)
    if hide_total:  # fewer than k answers: no figure at all
        return CountedQuestion(None, {key: None for key in keys})
    shown = {key: None if key in hidden else counts.get(key, 0) for key in keys}
    average = None
    if scale:
        average = _average(sum(v * n for v, n in counts.items()), total)
    return CountedQuestion(total, shown, average)


def shows_text(respondents: int, k: int) -> bool:
    """Free-text answers are listed (to the development services) only from a survey that
    at least ``k`` people answered."""
    return respondents >= k
