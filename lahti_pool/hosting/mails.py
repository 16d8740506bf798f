"""The hosting feature's e-mail: the host's reminder with the arrangements checklist."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lahti_pool.core.mailer import absolute_url, active, mail_domain, queue_mail, recipient_locale
from lahti_pool.hosting.labels import host_checklist
from lahti_pool.sessions.mails import session_context


def host_reminder_id(sup_session) -> str:
    """One reminder per session and host: a new host of the session is reminded too."""
    return f"<host-reminder-{sup_session.id}-{sup_session.host_user_id}@{mail_domain()}>"


def queue_host_reminder(sup_session) -> bool:
    """To the host of a coming group session: when, where, and what to arrange."""
    hosts = active([sup_session.host]) if sup_session.host is not None else []
    if not hosts:
        return False
    host = hosts[0]
    with force_locale(recipient_locale(host)):
        items = host_checklist(sup_session)
    message = queue_mail(
        host,
        "host_reminder",
        "hosting/host_reminder",
        _l("You host a group session: arrangements"),
        message_id=host_reminder_id(sup_session),
        checklist=items,
        **session_context(sup_session, host),
        link=absolute_url("sessions.process_detail", process_id=sup_session.process_id),
    )
    return message is not None
