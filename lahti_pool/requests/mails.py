"""The requests feature's e-mails."""

from flask_babel import lazy_gettext as _l

from lahti_pool.core.mailer import absolute_url, active, queue_mail


def notify_request_received(sup_request) -> None:
    """To the requester (the organiser of a group), after a request was submitted."""
    queue_mail(
        sup_request.requester,
        "request_received",
        "requests/request_received",
        _l("We received your supervision request"),
        sup_request=sup_request,
        link=absolute_url("requests.detail", request_id=sup_request.id),
    )


def notify_group_invitation(sup_request, member) -> None:
    """To a colleague named in a group request (a User or a RequestMember)."""
    user = getattr(member, "user", member)
    if not active([user]):
        return
    queue_mail(
        user,
        "group_invitation",
        "requests/group_invitation",
        _l("You were invited to group supervision"),
        organiser=sup_request.requester.name,
        sessions=sup_request.sessions_requested,
        link=absolute_url("requests.detail", request_id=sup_request.id),
    )
