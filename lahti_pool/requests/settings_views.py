"""The administrator's settings for requests: school-year quotas and pre-questions."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.requests import services, settings
from lahti_pool.requests.forms import PreQuestionsForm, QuotaForm
from lahti_pool.requests.models import PreQuestion, SchoolYear
from lahti_pool.requests.views import today

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


def _years():
    return db.session.scalars(select(SchoolYear).order_by(SchoolYear.starts_on.desc())).all()


def _page(quota_form=None, questions_form=None, year_id=None):
    questions = {q.position: q for q in db.session.scalars(select(PreQuestion))}
    if questions_form is None:
        questions_form = PreQuestionsForm()
        for position, q in questions.items():
            getattr(questions_form, f"text_fi_{position}").data = q.text_fi
            getattr(questions_form, f"text_en_{position}").data = q.text_en
    return render_template(
        "requests/settings.html",
        years=_years(),
        quota_form=quota_form,
        failed_year_id=year_id,
        questions_form=questions_form,
        next_year=settings.next_school_year(today()),
    )


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    services.open_school_years(today())  # the current year always exists
    db.session.commit()
    return _page()


@bp.post("/years/<int:year_id>/quota")
@roles_required(Role.ADMIN)
def year_quota(year_id: int):
    year = db.get_or_404(SchoolYear, year_id)
    form = QuotaForm()
    if form.validate():
        try:
            settings.set_year_quota(current_user, year, form.quota.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The quota for %(year)s is now %(n)s.", year=year.label, n=year.quota), "success"
            )
            return redirect(url_for("settings.index"))
    return _page(quota_form=form, year_id=year_id), 400


@bp.post("/years/next")
@roles_required(Role.ADMIN)
def open_next_year():
    try:
        year = settings.open_next_school_year(current_user, today())
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("School year %(year)s is open for requests.", year=year.label), "success")
    return redirect(url_for("settings.index"))


@bp.post("/pre-questions")
@roles_required(Role.ADMIN)
def pre_questions():
    form = PreQuestionsForm()
    if form.validate():
        try:
            settings.update_pre_questions(current_user, form.texts())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The pre-questions are saved."), "success")
            return redirect(url_for("settings.index"))
    return _page(questions_form=form), 400
