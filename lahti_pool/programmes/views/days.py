"""A programme's modules, their days, attendance and guests, the certificates, and the
public page that verifies a certificate."""

from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.programmes import services
from lahti_pool.programmes.certificate import certificate_pdf
from lahti_pool.programmes.forms import AttendanceForm, DayForm, GuestForm, ModuleForm
from lahti_pool.programmes.models import ModuleDay, ProgrammeMember
from lahti_pool.programmes.views import bp, get_managed, get_programme, render_detail, today


def fill_module_choices(form: ModuleForm) -> None:
    from lahti_pool.organisation.models import Venue
    from lahti_pool.supervisors.models import Supervisor

    venues = db.session.scalars(select(Venue).where(Venue.is_active).order_by(Venue.name))
    form.venue_id.choices = [SelectChoice(0, _("No venue yet"))] + [
        SelectChoice(v.id, f"{v.name}, {v.address}" if v.address else v.name) for v in venues
    ]
    supervisors = db.session.scalars(select(Supervisor).where(Supervisor.active))
    form.supervisor_ids.choices = [
        SelectChoice(s.id, s.name) for s in sorted(supervisors, key=lambda s: s.name)
    ]


@bp.post("/programmes/<int:programme_id>/modules")
@login_required
def add_module(programme_id: int):
    programme = get_managed(programme_id)
    form = ModuleForm(prefix="module")
    fill_module_choices(form)
    if form.validate_on_submit():
        data = services.ModuleInput(
            theme=form.theme.data,
            venue_id=form.venue_id.data or None,
            supervisor_ids=tuple(form.supervisor_ids.data or ()),
            outside_facilitators=form.outside_facilitators.data or "",
        )
        services.add_module(current_user, programme, data)
        db.session.commit()
        flash(_("The module is added. Add its days next."), "success")
        return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_detail(programme, 400, module_form=form)


@bp.post("/programmes/<int:programme_id>/days")
@login_required
def add_day(programme_id: int):
    programme = get_managed(programme_id)
    form = DayForm(prefix="day")
    form.module_id.choices = module_choices(programme)
    if form.validate_on_submit():
        module = next(m for m in programme.modules if m.id == form.module_id.data)
        data = services.DayInput(
            on_date=form.on_date.data,
            starts_at=form.starts_at.data,
            minutes=int(form.hours.data * Decimal(60)),
            agenda=form.agenda.data or "",
            wider_network=form.wider_network.data,
        )
        try:
            services.add_day(current_user, module, data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The day is added."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_detail(programme, 400, day_form=form)


def module_choices(programme) -> list[SelectChoice]:
    return [
        SelectChoice(m.id, _("Module %(number)s: %(theme)s", number=m.number, theme=m.theme))
        for m in programme.modules
    ]


def get_day(programme_id: int, day_id: int) -> ModuleDay:
    """A day of a programme the current user manages (404 unknown, 403 not theirs)."""
    programme = get_managed(programme_id)
    day = db.session.get(ModuleDay, day_id) if 0 < day_id < 2**31 else None
    if day is None or day.module.programme_id != programme.id:
        abort(404)
    return day


def render_day(day: ModuleDay, status: int = 200, guest_form: GuestForm | None = None):
    programme = day.module.programme
    present = {a.member_id for a in day.attendance}
    return render_template(
        "programmes/day.html",
        day=day,
        programme=programme,
        members=services.accepted_members(programme),
        present=present,
        form=AttendanceForm(),
        guest_form=guest_form or GuestForm(prefix="guest"),
    ), status


@bp.get("/programmes/<int:programme_id>/days/<int:day_id>")
@login_required
def day(programme_id: int, day_id: int):
    return render_day(get_day(programme_id, day_id))


@bp.post("/programmes/<int:programme_id>/days/<int:day_id>")
@login_required
def record_attendance(programme_id: int, day_id: int):
    the_day = get_day(programme_id, day_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        return render_day(the_day, 400)
    try:
        members = {int(v) for v in request.form.getlist("member")}
        guests = {int(v) for v in request.form.getlist("guest")}
        services.record_attendance(current_user, the_day, members, guests, utcnow())
    except ValueError:
        flash(_("Only the cohort and the day's guests can be marked present."), "danger")
        return render_day(the_day, 400)
    except DomainError as error:
        show_domain_error(None, error)
        return render_day(the_day, 400)
    db.session.commit()
    flash(_("The attendance is saved."), "success")
    return redirect(url_for("programmes.day", programme_id=programme_id, day_id=day_id))


@bp.post("/programmes/<int:programme_id>/days/<int:day_id>/guests")
@login_required
def invite_guest(programme_id: int, day_id: int):
    the_day = get_day(programme_id, day_id)
    form = GuestForm(prefix="guest")
    if form.validate_on_submit():
        data = services.GuestInput(
            form.name.data, form.email.data, form.organisation.data or "", form.locale.data
        )
        try:
            services.invite_guest(current_user, the_day, data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The guest is invited by e-mail with a calendar invitation."), "success")
            return redirect(url_for("programmes.day", programme_id=programme_id, day_id=day_id))
    return render_day(the_day, 400, guest_form=form)


@bp.post("/programmes/<int:programme_id>/certificates")
@login_required
def issue_certificates(programme_id: int):
    programme = get_managed(programme_id)
    if not AttendanceForm().validate_on_submit():
        abort(400)
    issued = services.issue_certificates(current_user, programme, today())
    db.session.commit()
    flash(
        _("Certificates issued: %(count)s.", count=len(issued)),
        "success" if issued else "info",
    )
    return redirect(url_for("programmes.detail", programme_id=programme.id))


@bp.get("/programmes/<int:programme_id>/members/<int:member_id>/certificate.pdf")
@login_required
def certificate(programme_id: int, member_id: int):
    """The participant's own certificate; the organisers and the administrator may fetch
    any participant's."""
    programme = get_programme(programme_id)
    member = next((m for m in programme.members if m.id == member_id), None)
    if member is None:
        abort(404)
    if member.user_id != current_user.id and not services.can_manage(current_user, programme):
        abort(403)
    if member.certificate_code is None:
        abort(404)
    pdf = certificate_pdf(member, services.completion(member))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response


@bp.get("/certificates/<code>")
def verify(code: str):
    """Public: confirms a certificate by its code (name, programme, date; nothing more)."""
    member = None
    if 0 < len(code) <= 64:
        member = db.session.scalar(
            select(ProgrammeMember).where(ProgrammeMember.certificate_code == code)
        )
    if member is None:
        return render_template("programmes/verify.html", member=None), 404
    return render_template("programmes/verify.html", member=member)
