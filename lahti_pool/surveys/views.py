"""Survey pages: build, send, answer, close, results, proposals; the mapping report."""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role
from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.exports import csv_download
from lahti_pool.core.models import utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.populations import population_kind, population_kinds
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.sessions.rules import local_date
from lahti_pool.surveys import mapping_report, proposals, results, services
from lahti_pool.surveys.forms import KIND_LABELS, AnswerForm, PeriodForm, SurveyForm
from lahti_pool.surveys.models import QuestionKind, Survey, SurveyKind, SurveyStatus

bp = Blueprint("surveys", __name__)
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def today() -> date:
    return local_date(utcnow())


def _k() -> int:
    return current_app.config.get("REPORT_MIN_RESPONSES", 5)


def get_survey(survey_id: int, manage: bool = True) -> Survey:
    """The survey, for one who may manage it.

    :raises 404: no such survey
    :raises 403: ``manage`` and the user may not send, close or read it
    """
    survey = db.get_or_404(Survey, survey_id)
    if manage and not services.can_manage(current_user, survey):
        abort(403)
    return survey


def population_choices(user) -> list[SelectChoice]:
    """The populations ``user`` may survey: "kind", or "kind:subject id" per subject."""
    found = []
    for registered in population_kinds():
        if registered.choices is None:
            if services.can_build(user, registered.kind, None):
                found.append(SelectChoice(registered.kind, str(registered.label)))
            continue
        for subject_id, name in registered.choices():
            if services.can_build(user, registered.kind, subject_id):
                found.append(
                    SelectChoice(f"{registered.kind}:{subject_id}", f"{registered.label}: {name}")
                )
    return found


@bp.get("/surveys")
@login_required
def index():
    built = []
    if current_user.has_role(Role.ADMIN, Role.REPORTS):
        built = db.session.scalars(select(Survey).order_by(Survey.id.desc()).limit(100)).all()
    else:
        built = db.session.scalars(
            select(Survey).where(Survey.created_by_id == current_user.id).order_by(Survey.id.desc())
        ).all()
    return render_template(
        "surveys/index.html",
        to_answer=services.open_surveys_for(current_user),
        built=built,
        may_build=bool(population_choices(current_user)),
        kind_labels=KIND_LABELS,
    )


@bp.route("/surveys/new", methods=["GET", "POST"])
@login_required
def new():
    form = SurveyForm()
    form.population.choices = population_choices(current_user)
    if not form.population.choices:
        abort(403)
    if form.validate_on_submit():
        try:
            survey = services.create_survey(current_user, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The survey is saved. Check it, then send it."), "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/new.html", form=form)


def _population_label(survey: Survey) -> str:
    registered = population_kind(survey.population_kind)
    label = str(registered.label) if registered else survey.population_kind
    if registered and registered.choices and survey.population_subject_id is not None:
        names = dict(registered.choices())
        label += f": {names.get(survey.population_subject_id, survey.population_subject_id)}"
    return label


@bp.get("/surveys/<int:survey_id>")
@login_required
def detail(survey_id: int):
    survey = get_survey(survey_id)
    return render_template(
        "surveys/detail.html",
        survey=survey,
        population=_population_label(survey),
        kind_labels=KIND_LABELS,
        answered=results.respondent_count(survey.id)
        if survey.status == SurveyStatus.CLOSED
        else None,
    )


def _act(survey: Survey, action, done: str):
    try:
        action()
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/send", methods=["GET", "POST"])
@login_required
def send(survey_id: int):
    survey = get_survey(survey_id)
    if not ConfirmActionForm().is_confirmed():
        return confirmation_page(
            Confirmation(
                title=_("Send the survey"),
                what=_(
                    "Everybody in the population gets a notification and an e-mail with a link "
                    "to the survey. Its questions can no longer be changed."
                ),
                button=_("Yes, send the survey"),
                back_url=url_for("surveys.detail", survey_id=survey.id),
                back_label=_("Back to the survey"),
                facts=[
                    (_("Survey"), survey.title),
                    (_("Who it goes to"), _population_label(survey)),
                ],
            )
        )
    return _act(
        survey,
        lambda: services.send_survey(current_user, survey, today()),
        _("The survey is sent."),
    )


@bp.route("/surveys/<int:survey_id>/close", methods=["GET", "POST"])
@login_required
def close(survey_id: int):
    survey = get_survey(survey_id)
    if not ConfirmActionForm().is_confirmed():
        return confirmation_page(
            Confirmation(
                title=_("Close the survey"),
                what=_("Nobody can answer any more, and the results can be read."),
                button=_("Yes, close the survey"),
                back_url=url_for("surveys.detail", survey_id=survey.id),
                back_label=_("Back to the survey"),
                facts=[(_("Survey"), survey.title)],
            )
        )
    return _act(
        survey,
        lambda: services.close_survey(current_user, survey, today()),
        _("The survey is closed."),
    )


@bp.route("/surveys/<int:survey_id>/answer", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    survey = get_survey(survey_id, manage=False)
    if not services.is_invited(current_user, survey) or survey.status == SurveyStatus.DRAFT:
        abort(404)  # nobody learns of a survey not sent to them
    if services.has_answered(current_user, survey):
        return render_template("surveys/thanks.html", survey=survey)
    form, given, error = AnswerForm(), {}, None
    if survey.status == SurveyStatus.OPEN and form.validate_on_submit():
        given, error = form.answers(survey)
        try:
            if error:
                raise DomainError(error)
            services.answer_survey(current_user, survey, given)
        except DomainError as domain_error:
            show_domain_error(None, domain_error)
        else:
            db.session.commit()
            flash(_("Thank you for your answers."), "success")
            return redirect(url_for("surveys.index"))
    return render_template(
        "surveys/answer.html", survey=survey, form=form, given=given, QuestionKind=QuestionKind
    )


@bp.get("/surveys/<int:survey_id>/results")
@login_required
def results_page(survey_id: int):
    reports = current_user.has_role(Role.REPORTS)
    survey = get_survey(survey_id, manage=not reports)
    # Free text goes to the development services only, never to the administrator.
    found = results.survey_results(survey, _k(), with_text=reports)
    return render_template(
        "surveys/results.html", survey=survey, results=found, k=_k(), QuestionKind=QuestionKind
    )


@bp.get("/surveys/<int:survey_id>/propose")
@roles_required(Role.ADMIN)
def propose(survey_id: int):
    """A closed needs survey's choice options with their counts: themes for networks."""
    survey = db.get_or_404(Survey, survey_id)
    if survey.kind != SurveyKind.NEEDS:
        abort(404)
    return render_template(
        "surveys/propose.html",
        survey=survey,
        results=results.survey_results(survey, _k(), with_text=False),
        creator=proposals.network_creator(),
        k=_k(),
        QuestionKind=QuestionKind,
    )


# --- the mapping report -------------------------------------------------------------


def _period():
    form = PeriodForm(request.args)
    form.validate()
    year = today().year
    start = form.start.data or date(year, 1, 1)
    end = form.end.data or date(year, 12, 31)
    if end < start:
        form.end.errors = [_("The end cannot be before the start.")]
        start, end = end, start
    form.start.data, form.end.data = start, end
    return form, start, end


@bp.get("/reports/mapping")
@roles_required(Role.ADMIN, Role.REPORTS)
def mapping():
    form, start, end = _period()
    entries = mapping_report.mapping(start, end, _k())
    return render_template(
        "surveys/mapping.html",
        form=form,
        start=start,
        end=end,
        entries=entries,
        k=_k(),
        QuestionKind=QuestionKind,
    )


@bp.get("/reports/mapping.csv")
@roles_required(Role.ADMIN, Role.REPORTS)
def mapping_csv():
    _form, start, end = _period()
    rows = mapping_report.export_rows(mapping_report.mapping(start, end, _k()))
    return csv_download(rows, f"mapping_{start}_{end}.csv")


@bp.get("/reports/mapping.xlsx")
@roles_required(Role.ADMIN, Role.REPORTS)
def mapping_xlsx():
    _form, start, end = _period()
    body = mapping_report.to_xlsx(mapping_report.mapping(start, end, _k()), start, end)
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="mapping_{start}_{end}.xlsx"'},
    )


@bp.get("/reports/mapping/chart.svg")
@roles_required(Role.ADMIN, Role.REPORTS)
def mapping_chart():
    _form, start, end = _period()
    svg = mapping_report.chart_svg(mapping_report.mapping(start, end, _k()))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response
