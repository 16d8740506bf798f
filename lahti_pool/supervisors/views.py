"""The administrator's agreement and supervisor pages, and the staff's presentations page."""

from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import money
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import paginate
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import ListPage, commit_created, show_domain_error
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.labels import LANGUAGE_LABELS, MODE_LABELS
from lahti_pool.requests.quota import school_year_for
from lahti_pool.supervisors import agreements as agreement_services
from lahti_pool.supervisors import presentations as presentation_services
from lahti_pool.supervisors import services
from lahti_pool.supervisors.forms import (
    ALLOCATION_LABELS,
    SUPERVISION_KIND_LABELS,
    SUPERVISOR_KIND_LABELS,
    AgreementForm,
    OwnPresentationForm,
    SupervisorForm,
)
from lahti_pool.supervisors.models import FrameworkAgreement, Supervisor
from lahti_pool.supervisors.photos import MAX_BYTES as MAX_PHOTO_BYTES

bp = Blueprint("supervisors", __name__, url_prefix="/admin/supervisors")
public_bp = Blueprint("supervisors_public", __name__, url_prefix="/supervisors")


def vat_note(agreement: FrameworkAgreement | None) -> str:
    if agreement is None:
        return _("No VAT set: internal supervisor.")
    return _("VAT %(vat)s %% is added.", vat=format_decimal(agreement.vat_percent))


@bp.context_processor
@public_bp.context_processor
def supervisor_labels():
    return {
        "allocation_labels": ALLOCATION_LABELS,
        "supervisor_kind_labels": SUPERVISOR_KIND_LABELS,
        "supervision_kind_labels": SUPERVISION_KIND_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "mode_labels": MODE_LABELS,
        "euros": money.format_euros,
        "vat_note": vat_note,
    }


def get_supervisor(supervisor_id: int) -> Supervisor:
    """The supervisor, or 404."""
    return db.get_or_404(Supervisor, supervisor_id)


def get_agreement(agreement_id: int) -> FrameworkAgreement:
    """The agreement, or 404."""
    return db.get_or_404(FrameworkAgreement, agreement_id)


# --- Framework agreements ----------------------------------------------------------


@bp.get("/agreements")
@roles_required(Role.ADMIN)
def agreements():
    rows = db.session.scalars(
        select(FrameworkAgreement).order_by(FrameworkAgreement.starts_on.desc())
    ).all()
    return render_template("supervisors/agreement_list.html", agreements=rows)


def _save_agreement(form: AgreementForm, agreement: FrameworkAgreement | None):
    if form.validate_on_submit():
        try:
            if agreement is None:
                agreement = agreement_services.create_agreement(current_user, form.as_input())
            else:
                agreement_services.update_agreement(current_user, agreement, form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Agreement %(name)s saved.", name=agreement.name), "success")
            return redirect(url_for("supervisors.agreements"))
    return render_template("supervisors/agreement_form.html", form=form, agreement=agreement)


@bp.route("/agreements/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_agreement():
    return _save_agreement(AgreementForm(vat_percent=Decimal("25.50")), None)


@bp.route("/agreements/<int:agreement_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_agreement(agreement_id: int):
    agreement = get_agreement(agreement_id)
    return _save_agreement(AgreementForm(obj=agreement), agreement)


# --- Supervisors -------------------------------------------------------------------


def _supervisor_form(supervisor: Supervisor | None = None) -> SupervisorForm:
    """The form with the choices that come from the database, filled from ``supervisor``."""
    form = SupervisorForm(obj=supervisor)
    locale = str(get_locale())
    agreements = db.session.scalars(select(FrameworkAgreement).order_by(FrameworkAgreement.name))
    form.agreement.choices = [SelectChoice(0, _("— none (internal supervisor) —"))] + [
        SelectChoice(a.id, f"{a.name} ({vat_note(a)})") for a in agreements
    ]
    divisions = db.session.scalars(select(Division).order_by(Division.code)).all()
    form.divisions.choices = [SelectChoice(d.id, d.name(locale)) for d in divisions]
    units = db.session.scalars(
        select(Unit).options(selectinload(Unit.division)).order_by(Unit.name)
    ).all()
    form.conflicts.choices = [
        SelectChoice(u.id, u.name, optgroup=u.division.name(locale)) for u in units
    ]
    vat = vat_note(supervisor.agreement) if supervisor and supervisor.agreement else None
    for price in (form.price_individual, form.price_group):
        price.description = vat or _("Without VAT: the agreement's VAT is added.")
    if supervisor is not None:
        del form.email  # the profile stays with its user
        if request.method == "GET":
            form.agreement.data = supervisor.agreement_id or 0
            form.price_individual.data = money.cents_to_euros(supervisor.price_individual_cents)
            form.price_group.data = money.cents_to_euros(supervisor.price_group_cents)
            form.divisions.data = [d.id for d in supervisor.divisions]
            form.conflicts.data = [u.id for u in supervisor.conflicts]
            form.areas.data = ", ".join(supervisor.areas)
    return form


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    page = paginate(
        select(Supervisor)
        .join(Supervisor.user)
        .options(contains_eager(Supervisor.user), selectinload(Supervisor.agreement))
        .order_by(
            Supervisor.active.desc(),
            Supervisor.agreement_id.is_(None),  # internal supervisors last on every database
            Supervisor.agreement_id,
            Supervisor.rank,
            User.name,
            Supervisor.id,
        ),
        per_page=50,
        error_out=False,
    )
    return render_template("supervisors/supervisor_list.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = _supervisor_form()
    if form.validate_on_submit():
        try:
            supervisor = services.create_supervisor(current_user, form.as_input(), date.today())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is now a supervisor.", name=supervisor.name), "success")
            return redirect(url_for("supervisors.index"))
    return render_template("supervisors/supervisor_form.html", form=form, supervisor=None)


@bp.route("/<int:supervisor_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(supervisor_id: int):
    supervisor = get_supervisor(supervisor_id)
    form = _supervisor_form(supervisor)
    if form.validate_on_submit():
        try:
            services.update_supervisor(current_user, supervisor, form.as_input(), date.today())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes to %(name)s saved.", name=supervisor.name), "success")
            return redirect(url_for("supervisors.index"))
    return render_template("supervisors/supervisor_form.html", form=form, supervisor=supervisor)


@bp.post("/<int:supervisor_id>/active")
@roles_required(Role.ADMIN)
def toggle_active(supervisor_id: int):
    supervisor = get_supervisor(supervisor_id)  # CSRFProtect has checked the token already
    services.set_supervisor_active(current_user, supervisor, not supervisor.active)
    db.session.commit()
    if supervisor.active:
        flash(_("%(name)s takes new clients again.", name=supervisor.name), "success")
    else:
        flash(_("%(name)s is deactivated: no new clients.", name=supervisor.name), "success")
    return redirect(url_for("supervisors.edit", supervisor_id=supervisor.id))


# --- The staff's presentations (the Vantaa platform) -------------------------------


@public_bp.get("/", endpoint="index")
@login_required
def presentations():
    language = request.args.get("language", "")
    mode = request.args.get("mode", "")
    language = language if language in services.LANGUAGES else ""
    mode = mode if mode in services.MODES else ""
    year = school_year_for(date.today())
    shown = presentation_services.presentations(year, language, mode)  # cached
    cards = ListPage(per_page=30, error_out=False, rows=shown)
    commit_created()
    return render_template(
        "supervisors/presentations.html",
        cards=cards,
        facts=_card_facts(cards.items),
        language=language,
        mode=mode,
        year=year,
    )


def _card_facts(cards: list[presentation_services.Presentation]) -> dict[int, dict[str, object]]:
    """Each card's lists as the text shown ("–" when empty), labels translated once per
    request rather than once per card and item in the template."""
    names = {
        "languages": {code: str(label) for code, label in LANGUAGE_LABELS.items()},
        "modes": {code: str(label) for code, label in MODE_LABELS.items()},
        "kinds": {code: str(label) for code, label in SUPERVISION_KIND_LABELS.items()},
    }
    facts = {}
    for card in cards:
        shown = {
            field: ", ".join(labels.get(code, code) for code in getattr(card, field)) or "–"
            for field, labels in names.items()
        }
        shown["areas"] = ", ".join(card.areas) or "–"
        shown["paragraphs"] = [p for p in card.bio.split("\n\n") if p.strip()]
        facts[card.id] = shown
    return facts


# --- The supervisor's own presentation ------------------------------------------------


@public_bp.route("/me", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def own():
    """A supervisor edits their bio, languages, ways of meeting, video link and photo."""
    supervisor = db.first_or_404(select(Supervisor).where(Supervisor.user_id == current_user.id))
    form = OwnPresentationForm(  # the posted values, else these (never the photo's bytes)
        data={name: getattr(supervisor, name) for name in presentation_services.OWN_FIELDS}
    )
    if form.validate_on_submit():
        upload = form.photo.data
        # one byte more than allowed is enough to refuse; a huge upload is not read whole
        photo = upload.stream.read(MAX_PHOTO_BYTES + 1) if upload and upload.filename else None
        try:
            presentation_services.update_own_presentation(
                current_user, supervisor, form.as_input(photo)
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your presentation is saved."), "success")
            return redirect(url_for("supervisors_public.own"))
    return render_template(
        "supervisors/own_presentation.html",
        form=form,
        supervisor=supervisor,
        initials=presentation_services.initials(supervisor.name),
    )


@public_bp.get("/<int:supervisor_id>/photo/<int:version>.jpg")
@login_required
def photo(supervisor_id: int, version: int):
    """The re-encoded photo; its URL changes with every new photo, so it may be cached."""
    row = db.session.execute(
        select(Supervisor.photo).where(
            Supervisor.id == supervisor_id, Supervisor.photo_version == version
        )
    ).first()
    if row is None or row.photo is None:
        abort(404)
    response = make_response(row.photo)
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
