"""The surveys' forms: building a survey, answering one, the mapping report's period."""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lahti_pool.surveys.models import QuestionKind, SurveyKind
from lahti_pool.surveys.rules import QuestionInput
from lahti_pool.surveys.services import SurveyInput

KIND_LABELS = {
    SurveyKind.NEEDS: _l("Needs survey"),
    SurveyKind.EVALUATION: _l("Evaluation survey"),
    SurveyKind.OTHER: _l("Other survey"),
}
QUESTION_LABELS = {
    QuestionKind.SCALE: _l("Scale from 1 to 5"),
    QuestionKind.CHOICE: _l("One of the options"),
    QuestionKind.TEXT: _l("Free text"),
}
TEXT_LIMIT = 2000  #: characters in a free-text answer


class QuestionForm(Form):
    kind = SelectField(
        _l("Kind of answer"),
        choices=[SelectChoice(k.value, label) for k, label in QUESTION_LABELS.items()],
        default=QuestionKind.SCALE.value,
    )
    text = StringField(_l("Question"), validators=[Optional(), Length(max=300)])
    options = TextAreaField(
        _l("Options, one a line (a choice question)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )


class SurveyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(
        _l("What the survey is for (optional)"), validators=[Optional(), Length(max=2000)]
    )
    kind = SelectField(
        _l("Kind of survey"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
    )
    #: "kind" or "kind:subject id"; the view fills the choices from the registry
    population = SelectField(_l("Who it goes to"), choices=[])
    about = BooleanField(_l("The survey is about this network or programme"))
    evaluates_year = IntegerField(
        _l("The year it evaluates (an evaluation survey closes it)"),
        validators=[Optional(), NumberRange(2000, 2100)],
    )
    questions = FieldList(FormField(QuestionForm), min_entries=6, max_entries=10)

    def as_input(self) -> SurveyInput:
        kind, _sep, subject = (self.population.data or "").partition(":")
        return SurveyInput(
            title=self.title.data,
            intro=self.intro.data or "",
            kind=self.kind.data,
            population_kind=kind,
            population_subject_id=int(subject) if subject.isdigit() else None,
            about=self.about.data,
            evaluates_year=self.evaluates_year.data,
            questions=[
                QuestionInput(
                    q.kind.data, q.text.data or "", tuple((q.options.data or "").splitlines())
                )
                for q in self.questions
            ],
        )


class AnswerForm(FlaskForm):
    """The CSRF token; the answers are fields named ``q<question id>``."""

    def answers(self, survey) -> tuple[dict[int, object], str | None]:
        """The answers by question id, and an error when a text is too long."""
        answers: dict[int, object] = {}
        for question in survey.questions:
            given = request.form.get(f"q{question.id}", "")
            if question.kind == QuestionKind.TEXT:
                if len(given) > TEXT_LIMIT:
                    return answers, str(_l("Write at most %(num)s characters.", num=TEXT_LIMIT))
                answers[question.id] = given
            elif given.isdigit() and len(given) < 4:
                answers[question.id] = int(given)
        return answers, None


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
