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

bp = Blueprint("mail", __name__)


class NotificationSettingsForm(FlaskForm):
    weekly_digest = BooleanField(
        _l("Send me a weekly e-mail of free on-duty supervision times"),
        description=_l("Only while you have sessions left this school year."),
    )


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
    form = NotificationSettingsForm(weekly_digest=current_user.weekly_digest)
    return render_template("mail/notification_settings.html", form=form)


@bp.post("/settings/notifications")
@login_required
def notification_settings_save():
    form = NotificationSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    current_user.weekly_digest = form.weekly_digest.data
    db.session.commit()
    flash(_("Your e-mail settings are saved."), "success")
    return redirect(url_for("mail.notification_settings"))
