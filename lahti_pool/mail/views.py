"""Pages for e-mail: the administrator's outbox and a user's notification settings."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField

from lahti_pool.accounts.models import Role
from lahti_pool.core.listing import paginate
from lahti_pool.core.mailer import resend_message
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage
from lahti_pool.core.permissions import roles_required
from lahti_pool.extensions import db
from lahti_pool.mail import services
from lahti_pool.mail.labels import kind_label
from lahti_pool.nudges.models import NudgeKind
from lahti_pool.nudges.services import preferences, set_preference

bp = Blueprint("mail", __name__)


class NotificationSettingsForm(FlaskForm):
    weekly_digest = BooleanField(
        _l("Send me a weekly e-mail of free on-duty supervision times"),
        description=_l("Only while you have sessions left this school year."),
    )
    year_start = BooleanField(
        _l("Remind me at the start of each school year that my sessions are available"),
    )
    free_slots = BooleanField(
        _l("Tell me of free on-duty supervision times on the same day"),
        description=_l("At most a few e-mails a week, only while you have sessions left."),
    )
    unit_uptake = BooleanField(
        _l("Send me the pool's messages about the uptake of supervision in my unit"),
    )


#: the nudge behind each field (lahti_pool/nudges)
NUDGE_FIELDS = {
    "year_start": NudgeKind.YEAR_START,
    "free_slots": NudgeKind.FREE_SLOTS,
    "unit_uptake": NudgeKind.UNIT_UPTAKE,
}


@bp.get("/admin/mail")
@roles_required(Role.ADMIN)
def outbox():
    """What waits and since when, what failed, and when mail last moved."""
    page = paginate(services.unsent_messages_query(), per_page=50)
    return render_template(
        "mail/outbox.html",
        page=page,
        state=services.outbox_state(utcnow()),
        kind_label=kind_label,
        stall_minutes=current_app.config["MAIL_STALL_MINUTES"],
    )


@bp.post("/admin/mail/resend-failed")
@roles_required(Role.ADMIN)
def resend_failed():
    count = services.resend_failed(current_user, utcnow())
    db.session.commit()
    flash(
        ngettext(
            "%(num)d failed message is queued again.",
            "%(num)d failed messages are queued again.",
            count,
        )
        if count
        else _("No message had failed."),
        "success" if count else "info",
    )
    return redirect(url_for("mail.outbox"))


@bp.post("/admin/mail/<int:message_id>/resend")
@roles_required(Role.ADMIN)
def resend(message_id: int):
    message = db.get_or_404(MailMessage, message_id)
    if not resend_message(current_user, message, utcnow()):
        flash(_("This message was sent already; it is not sent again."), "info")
        return redirect(url_for("mail.outbox"))
    db.session.commit()
    flash(_("The message is queued again."), "success")
    return redirect(url_for("mail.outbox"))


@bp.get("/settings/notifications")
@login_required
def notification_settings():
    chosen = preferences(current_user.id)
    form = NotificationSettingsForm(
        weekly_digest=current_user.weekly_digest,
        **{name: chosen[kind] for name, kind in NUDGE_FIELDS.items()},
    )
    return render_template("mail/notification_settings.html", form=form)


@bp.post("/settings/notifications")
@login_required
def notification_settings_save():
    form = NotificationSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    current_user.weekly_digest = form.weekly_digest.data
    shown = (
        [NudgeKind.YEAR_START, NudgeKind.FREE_SLOTS] if current_user.has_role(Role.STAFF) else []
    )
    if current_user.is_unit_manager:
        shown.append(NudgeKind.UNIT_UPTAKE)
    for name, kind in NUDGE_FIELDS.items():
        if kind in shown:
            set_preference(
                current_user, current_user.id, kind, getattr(form, name).data, "settings"
            )
    db.session.commit()
    flash(_("Your e-mail settings are saved."), "success")
    return redirect(url_for("mail.notification_settings"))
