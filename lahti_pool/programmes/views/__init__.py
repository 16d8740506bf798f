"""The programmes' pages: the list, a programme and its cohort (here), its modules, days,
attendance, guests and certificates (``days.py``), and the public verification page."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError
from lahti_pool.core.jobs import local_today
from lahti_pool.core.models import id_is, utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.programmes import rules, services
from lahti_pool.programmes.forms import (
    ContinuationForm,
    CostForm,
    DayForm,
    DecisionForm,
    ModuleForm,
    PersonForm,
    ProgrammeForm,
)
from lahti_pool.programmes.labels import STATUS_LABELS
from lahti_pool.programmes.models import (
    PENDING_STATUSES,
    Programme,
    ProgrammeMember,
    ProgrammeOrganiser,
)

bp = Blueprint("programmes", __name__)


def today():
    return local_today(utcnow())


def get_programme(programme_id: int) -> Programme:
    """:raises 404: no such programme"""
    programme = db.session.scalar(select(Programme).where(id_is(Programme.id, programme_id)))
    if programme is None:
        abort(404)
    return programme


def get_managed(programme_id: int) -> Programme:
    """A programme the current user manages (the administrator or an organiser).

    :raises 404: no such programme
    :raises 403: somebody else's
    """
    programme = get_programme(programme_id)
    if not services.can_manage(current_user, programme):
        abort(403)
    return programme


def funding_choices():
    from lahti_pool.budget.models import FundingSource

    sources = db.session.scalars(
        select(FundingSource).where(FundingSource.is_active).order_by(FundingSource.name)
    )
    return [SelectChoice(0, _("The city's own budget"))] + [
        SelectChoice(s.id, s.name) for s in sources
    ]


@bp.get("/programmes")
@login_required
def index():
    query = select(Programme).order_by(Programme.starts_on.desc(), Programme.id)
    if not current_user.has_role(Role.ADMIN):
        mine = select(ProgrammeMember.programme_id).where(
            ProgrammeMember.user_id == current_user.id
        )
        organised = select(ProgrammeOrganiser.programme_id).where(
            ProgrammeOrganiser.user_id == current_user.id
        )
        query = query.where(
            or_(
                Programme.id.in_(mine),
                Programme.id.in_(organised),
                Programme.open_for_applications & (Programme.ends_on >= today()),
            )
        )
    return render_template("programmes/index.html", programmes=db.session.scalars(query).all())


@bp.route("/programmes/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = ProgrammeForm()
    form.funding_source_id.choices = funding_choices()
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        data["funding_source_id"] = data["funding_source_id"] or None
        try:
            programme = services.create_programme(current_user, services.ProgrammeInput(**data))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The programme is created."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_template("programmes/new.html", form=form), 400 if form.errors else 200


def render_detail(programme: Programme, status: int = 200, **forms):
    manages = services.can_manage(current_user, programme)
    member = services.member_of(programme, current_user)
    context = {
        "programme": programme,
        "manages": manages,
        "member": member,
        "labels": STATUS_LABELS,
        "today": today(),
        "hours": rules.hours,
        "nominate_form": forms.get("nominate_form") or PersonForm(prefix="nominate"),
        "may_nominate": manages or current_user.is_unit_manager,
    }
    if member is not None and member.status.value == "accepted":
        context["completion"] = services.completion(member)
        context["attended_days"] = services.attended_day_ids(member)
    if manages:
        module_form = forms.get("module_form") or ModuleForm(prefix="module")
        from lahti_pool.programmes.views.days import fill_module_choices, module_choices

        fill_module_choices(module_form)
        day_form = forms.get("day_form") or DayForm(prefix="day")
        day_form.module_id.choices = module_choices(programme)
        context.update(
            organiser_form=forms.get("organiser_form") or PersonForm(prefix="organiser"),
            decision_form=DecisionForm(prefix="decision"),
            module_form=module_form,
            day_form=day_form,
            continuation_form=forms.get("continuation_form")
            or ContinuationForm(
                prefix="continuation",
                data={
                    "continues": programme.continues_as_group,
                    "email": programme.group_responsible.email
                    if programme.group_responsible
                    else "",
                },
            ),
            cost_form=forms.get("cost_form") or CostForm(prefix="cost"),
            costs=costs.costs_of(programme),
            pending=[m for m in programme.members if m.status in PENDING_STATUSES],
            completions={
                m.id: services.completion(m) for m in services.accepted_members(programme)
            },
        )
    return render_template("programmes/detail.html", **context), status


@bp.get("/programmes/<int:programme_id>")
@login_required
def detail(programme_id: int):
    return render_detail(get_programme(programme_id))


@bp.post("/programmes/<int:programme_id>/organisers")
@roles_required(Role.ADMIN)
def grant_organiser(programme_id: int):
    programme = get_programme(programme_id)
    form = PersonForm(prefix="organiser")
    if form.validate_on_submit():
        try:
            user = services.find_user(form.email.data, "email")
            services.grant_organiser(current_user, programme, user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is now an organiser.", name=user.name), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_detail(programme, 400, organiser_form=form)


@bp.post("/programmes/<int:programme_id>/apply")
@roles_required(Role.STAFF)
def apply(programme_id: int):
    programme = get_programme(programme_id)
    try:
        services.apply(current_user, programme, today())
    except DomainError as error:
        show_domain_error(None, error)
        return render_detail(programme, 400)
    db.session.commit()
    flash(_("Your application is sent. The organiser will tell you the decision."), "success")
    return redirect(url_for("programmes.detail", programme_id=programme.id))


@bp.post("/programmes/<int:programme_id>/nominate")
@login_required
def nominate(programme_id: int):
    programme = get_programme(programme_id)
    if not (services.can_manage(current_user, programme) or current_user.is_unit_manager):
        abort(403)
    form = PersonForm(prefix="nominate")
    if form.validate_on_submit():
        try:
            person = services.find_user(form.email.data, "email")
            services.nominate(current_user, programme, person)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is nominated.", name=person.name), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_detail(programme, 400, nominate_form=form)


@bp.post("/programmes/<int:programme_id>/members/<int:member_id>/decide")
@login_required
def decide(programme_id: int, member_id: int):
    programme = get_managed(programme_id)
    member = next((m for m in programme.members if m.id == member_id), None)
    if member is None:
        abort(404)
    form = DecisionForm(prefix="decision")
    if form.validate_on_submit():
        try:
            services.decide(current_user, member, form.decision.data, form.message.data or "")
        except DomainError as error:
            show_domain_error(None, error)
        else:
            db.session.commit()
            flash(
                _("The decision is saved and %(name)s is told.", name=member.user.name), "success"
            )
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_detail(programme, 400)


@bp.post("/programmes/<int:programme_id>/continuation")
@login_required
def continuation(programme_id: int):
    programme = get_managed(programme_id)
    form = ContinuationForm(prefix="continuation")
    if form.validate_on_submit():
        try:
            responsible = (
                services.find_user(form.email.data, "email") if form.continues.data else None
            )
            services.set_continuation(current_user, programme, form.continues.data, responsible)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_detail(programme, 400, continuation_form=form)


from lahti_pool.programmes.views import costs, days  # noqa: E402, F401 - routes join bp
