"""The log of use in words: actions, objects and details as a reader understands them.

The rows keep codes (``request.status_changed``, ``{"old": "submitted"}``) so that a
search finds them whatever the language; the page shows them translated, people by name,
and never a detail whose name says it could hold confidential content.
"""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core.money import format_euros
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import Supervisor

ACTION_LABELS = {
    "access.denied": _l("Access refused"),
    "agreement.created": _l("Framework agreement created"),
    "agreement.updated": _l("Framework agreement changed"),
    "agreement.vat_changed": _l("VAT rate of the agreement changed"),
    "answers.purged": _l("Pre-question answers deleted (retention)"),
    "answers.viewed": _l("Pre-question answers viewed"),
    "budget.override": _l("Budget exceeded with the administrator's reason"),
    "budget.set": _l("Budget set"),
    "calendar.token_created": _l("Calendar address created"),
    "calendar.token_revoked": _l("Calendar address revoked"),
    "circle.attendance": _l("Attendance of a covision meeting kept"),
    "circle.host_changed": _l("Host of a covision meeting changed"),
    "circle.joined": _l("Covision circle joined"),
    "circle.left": _l("Covision circle left"),
    "circle.meetings_planned": _l("Covision meetings planned"),
    "circle.started": _l("Covision circle started"),
    "csrf.refused": _l("Form refused (expired or forged)"),
    "email.changed": _l("Own e-mail address changed"),
    "feedback.given": _l("Feedback given"),
    "funding.budget_set": _l("Budget of a funding source set"),
    "funding.expense_added": _l("Expense of a funding source recorded"),
    "funding.expense_removed": _l("Expense of a funding source removed"),
    "funding.source_active": _l("Funding source taken into or out of use"),
    "funding.source_added": _l("Funding source added"),
    "goals.purged": _l("Process goals deleted (retention)"),
    "group_offer.answered": _l("Group offer answered"),
    "group_offer.cancelled": _l("Group offer cancelled"),
    "group_offer.expired": _l("Group offer expired"),
    "group_offer.formed": _l("Group formed from an offer"),
    "group_offer.made": _l("Group supervision offered"),
    "login.failed": _l("Failed sign-in"),
    "login.sso_refused": _l("Single sign-on refused"),
    "login.succeeded": _l("Signed in"),
    "mail.resent": _l("E-mail resent"),
    "matching.run": _l("Matching run"),
    "password.changed": _l("Own password changed"),
    "pre_questions.changed": _l("Pre-questions changed"),
    "process.accepted": _l("Supervision process accepted"),
    "process.closed": _l("Supervision process closed"),
    "process.cost_key_changed": _l("Group's cost key changed"),
    "process.goals_changed": _l("Process goals changed"),
    "process.practice": _l("Covision practice changed"),
    "quote.accepted": _l("Quote accepted (process opened at the quoted price)"),
    "quote.declined": _l("Declined to give a quote"),
    "quote.given": _l("Quote given"),
    "quotes.asked": _l("Quotes asked for a group"),
    "reauth.failed": _l("Wrong password when confirming"),
    "request.member_declined": _l("Group member declined"),
    "request.status_changed": _l("Request status changed"),
    "request.submitted": _l("Request submitted"),
    "school_year.opened": _l("School year opened"),
    "school_year.quota_changed": _l("Quota of the school year changed"),
    "scim.unauthorized": _l("Provisioning request refused"),
    "network.attendance_recorded": _l("Attendance at a network event recorded"),
    "network.coordinator_granted": _l("Network coordinator's role granted"),
    "network.coordinator_revoked": _l("Network coordinator's role taken away"),
    "network.created": _l("Peer network created"),
    "network.event_created": _l("Network event planned"),
    "network.joined": _l("Joined a peer network"),
    "network.left": _l("Left a peer network"),
    "network.organisation_added": _l("Organisation added to a network"),
    "network.place_given": _l("Freed place at a network event given to the first waiting"),
    "network.post_hidden": _l("Board post hidden"),
    "network.post_removed": _l("Board post removed"),
    "network.posted": _l("Message posted on a network board"),
    "network.registered": _l("Registered for a network event"),
    "network.registration_cancelled": _l("Registration for a network event cancelled"),
    "network.updated": _l("Peer network changed"),
    "nudge.preference": _l("Reminder e-mail choice changed"),
    "programme.applied": _l("Applied to a development programme"),
    "programme.attendance": _l("Programme day's attendance recorded"),
    "programme.certificates": _l("Programme certificates issued"),
    "programme.continuation": _l("Programme's continuing group set"),
    "programme.created": _l("Development programme created"),
    "programme.day_added": _l("Programme module day added"),
    "programme.decided": _l("Decision on a programme place"),
    "programme.guest_invited": _l("Guest invited to a wider-network day"),
    "programme.module_added": _l("Programme module added"),
    "programme.nominated": _l("Nominated to a development programme"),
    "programme.organiser_granted": _l("Programme organiser role granted"),
    "organisation.added": _l("Guest organisation added"),
    "organisation.updated": _l("Guest organisation changed"),
    "organisation.official_invited": _l("Official of a guest organisation invited"),
    "nudge.unit_message": _l("Message sent to the managers of a unit with low uptake"),
    "service_page.saved": _l("Service page saved"),
    "hosting.plan_saved": _l("Plan of hosts saved"),
    "session.approved": _l("Session approved"),
    "session.logged": _l("Session logged"),
    "session.moved": _l("Session moved to another time"),
    "session.planned": _l("Session planned"),
    "session.refused": _l("Signed out (session no longer valid)"),
    "session.returned": _l("Session returned to the supervisor"),
    "sign_in.policy_changed": _l("Sign-in policy changed"),
    "slot.booked": _l("On-duty slot booked"),
    "slot.cancelled": _l("On-duty booking cancelled"),
    "slot.offered": _l("On-duty slot offered from the waiting list"),
    "slot.withdrawn": _l("On-duty slot withdrawn"),
    "slots.pattern_withdrawn": _l("Weekly slot pattern withdrawn"),
    "slots.published": _l("On-duty slots published"),
    "staff.created": _l("Staff member added from HR"),
    "staff.deactivated": _l("Staff member left (HR)"),
    "staff.imported": _l("Staff import"),
    "staff.reactivated": _l("Staff member returned (HR)"),
    "staff.updated": _l("Staff member updated from HR"),
    "statement.generated": _l("Invoice statement drafted"),
    "statement.paid": _l("Invoice statement marked paid"),
    "statement.sent": _l("Invoice statement sent"),
    "supervisor.absence_added": _l("Supervisor's absence added"),
    "supervisor.absence_changed": _l("Supervisor's absence changed"),
    "supervisor.absence_removed": _l("Supervisor's absence removed"),
    "supervisor.activated": _l("Supervisor reactivated"),
    "supervisor.capacity_changed": _l("Supervisor's capacity changed"),
    "supervisor.created": _l("Supervisor added"),
    "supervisor.deactivated": _l("Supervisor deactivated"),
    "supervisor.presentation_updated": _l("Supervisor's own presentation changed"),
    "supervisor.price_changed": _l("Supervisor's price changed"),
    "supervisor.updated": _l("Supervisor changed"),
    "supervisors.imported": _l("Supervisor import"),
    "theme.confirmed": _l("Theme for management confirmed"),
    "theme.declined": _l("Theme for management declined"),
    "theme.drafted": _l("Theme for management drafted"),
    "theme.edited": _l("Theme for management changed"),
    "survey.closed": _l("Survey closed"),
    "survey.created": _l("Survey created"),
    "survey.sent": _l("Survey sent"),
    "throttled": _l("Too many attempts"),
    "unit.created": _l("Unit added from HR"),
    "user.activated": _l("Account activated"),
    "user.created": _l("Account created"),
    "user.deactivated": _l("Account deactivated"),
    "user.email_change_confirmed": _l("New e-mail address confirmed"),
    "user.email_change_requested": _l("E-mail address change asked"),
    "user.email_change_stopped": _l("E-mail address change stopped"),
    "user.email_changed": _l("E-mail address changed by the administrator"),
    "user.password_link_sent": _l("Password link sent"),
    "user.password_set_by_link": _l("Password set with a link"),
    "user.roles_changed": _l("Roles changed"),
    "user.sso_linked": _l("City account linked"),
    "user.sso_unlinked": _l("City account link removed"),
    "user.updated": _l("Account changed"),
    "venue.changed": _l("Venue changed"),
    "venue.created": _l("Venue added"),
}

OBJECT_LABELS = {
    "Budget": _l("Budget"),
    "CovisionCircle": _l("Covision circle"),
    "FrameworkAgreement": _l("Framework agreement"),
    "FundedExpense": _l("Expense of a funding source"),
    "FundingSource": _l("Funding source"),
    "GroupOffer": _l("Group offer"),
    "InvoiceStatement": _l("Invoice statement"),
    "MailMessage": _l("E-mail"),
    "MatchingRun": _l("Matching run"),
    "Organisation": _l("Guest organisation"),
    "OnDutySlot": _l("On-duty slot"),
    "Programme": _l("Development programme"),
    "PublishedPattern": _l("Weekly slot pattern"),
    "Quote": _l("Quote"),
    "QuoteRound": _l("Request for quotes"),
    "SchoolYear": _l("School year"),
    "SupervisionProcess": _l("Process"),
    "SupervisionRequest": _l("Request"),
    "SupervisionSession": _l("Session"),
    "Supervisor": _l("Supervisor"),
    "Unit": _l("Unit"),
    "UpwardTheme": _l("Theme for management"),
    "User": _l("Person"),
    "Venue": _l("Venue"),
}

DETAIL_LABELS = {
    "accepted": _l("Accepted"),
    "added_cents": _l("Over the budget by"),
    "budget_override": _l("Budget exceeded"),
    "by": _l("Linked by"),
    "cancelled": _l("Sessions cancelled"),
    "change": _l("Change"),
    "changed": _l("Changed"),
    "cleared": _l("Cleared"),
    "code": _l("Code"),
    "cost_key": _l("Cost key"),
    "cost_shares": _l("Shares (basis points)"),
    "count": _l("Number"),
    "covision": _l("Covision"),
    "created": _l("Created"),
    "deactivated": _l("Deactivated"),
    "deleted": _l("Deleted"),
    "division_id": _l("Division"),
    "divisions": _l("Divisions"),
    "endpoint": _l("Page"),
    "field": _l("Field"),
    "fields": _l("Fields"),
    "fiscal_year": _l("Fiscal year"),
    "group_offer_id": _l("Group offer"),
    "invited": _l("Invited"),
    "job_group": _l("Job group"),
    "kept_open": _l("Kept open"),
    "kind": _l("Kind"),
    "lines": _l("Lines"),
    "local_passwords": _l("Local passwords"),
    "members": _l("Members"),
    "method": _l("Method"),
    "net_cents": _l("Net"),
    "new": _l("New"),
    "new_amount_cents": _l("New amount"),
    "new_key": _l("New cost key"),
    "new_shares": _l("New shares (basis points)"),
    "new_users": _l("New accounts"),
    "new_warn_percent": _l("New warning threshold (%)"),
    "old": _l("Before"),
    "old_amount_cents": _l("Amount before"),
    "old_key": _l("Cost key before"),
    "old_shares": _l("Shares before (basis points)"),
    "old_warn_percent": _l("Warning threshold before (%)"),
    "outcome": _l("Outcome"),
    "override": _l("Override"),
    "path": _l("Address"),
    "pattern": _l("Pattern"),
    "policy": _l("Policy"),
    "positions": _l("Questions"),
    "price_cents": _l("Price per session"),
    "process_id": _l("Process"),
    "purpose": _l("Purpose"),
    "quote_id": _l("Quote"),
    "reactivated": _l("Reactivated"),
    "reason": _l("Reason"),
    "request_id": _l("Request"),
    "resplit": _l("Sessions split again"),
    "roles": _l("Roles"),
    "round_id": _l("Request for quotes"),
    "rule": _l("Rule"),
    "session_id": _l("Session"),
    "sessions": _l("Sessions"),
    "source": _l("Source"),
    "status": _l("Status"),
    "supervisor_id": _l("Supervisor"),
    "supervisors": _l("Supervisors"),
    "unchanged": _l("Unchanged"),
    "unit": _l("Unit"),
    "units_created": _l("Units added"),
    "unused": _l("Unused sessions"),
    "updated": _l("Updated"),
    "used": _l("Used sessions"),
    "user_id": _l("Person"),
    "vat_cents": _l("VAT"),
    "was": _l("Before"),
    "withdrawn": _l("Withdrawn"),
}

#: details never shown, whatever a feature put there: their names say they could hold
#: what DOMAIN.md keeps confidential (answers, goals, topics, booker phone numbers)
CONFIDENTIAL_PARTS = ("answer", "goal", "topic", "phone", "content", "question_text", "token")


def _words(code: str) -> str:
    return code.replace("_", " ").replace(".", ": ").capitalize()


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else _words(action)


def _is_confidential(key: str) -> bool:
    return any(part in key.lower() for part in CONFIDENTIAL_PARTS)


class Names:
    """The names of the people and supervisors a page of events mentions (two statements)."""

    def __init__(self, events) -> None:
        user_ids, supervisor_ids = set(), set()
        for event in events:
            if event.object_type == "User" and event.object_id:
                user_ids.add(event.object_id)
            if event.object_type == "Supervisor" and event.object_id:
                supervisor_ids.add(event.object_id)
            details = event.details if isinstance(event.details, dict) else {}
            if isinstance(details.get("user_id"), int):
                user_ids.add(details["user_id"])
            if isinstance(details.get("supervisor_id"), int):
                supervisor_ids.add(details["supervisor_id"])
        self.users = (
            dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
            if user_ids
            else {}
        )
        self.supervisors = (
            dict(
                db.session.execute(
                    select(Supervisor.id, User.name)
                    .join(User, Supervisor.user_id == User.id)
                    .where(Supervisor.id.in_(supervisor_ids))
                ).all()
            )
            if supervisor_ids
            else {}
        )

    def object_text(self, event) -> str:
        if not event.object_type:
            return ""
        if event.object_type == "User" and event.object_id in self.users:
            return self.users[event.object_id]
        if event.object_type == "Supervisor" and event.object_id in self.supervisors:
            return f"{OBJECT_LABELS['Supervisor']} {self.supervisors[event.object_id]}"
        label = OBJECT_LABELS.get(event.object_type)
        label = str(label) if label is not None else event.object_type
        return f"{label} {event.object_id}" if event.object_id else label

    def details(self, event) -> list[tuple[str, str]]:
        """The event's details as (label, text) pairs, confidential ones left out."""
        details = event.details if isinstance(event.details, dict) else {}
        return [
            (_detail_label(key), self._value(key, value))
            for key, value in details.items()
            if not _is_confidential(key)
        ]

    def _value(self, key: str, value) -> str:
        if key == "user_id" and value in self.users:
            return self.users[value]
        if key == "supervisor_id" and value in self.supervisors:
            return self.supervisors[value]
        return _text(key, value)


def _detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else _words(key)


def _text(key: str, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if key.endswith("_cents") and isinstance(value, int):
        return format_euros(value)
    if isinstance(value, list):
        return ", ".join(_text(key, v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(
            f"{_detail_label(k)}: {_text(k, v)}"
            for k, v in value.items()
            if not _is_confidential(k)
        )
    if isinstance(value, float):
        return format_decimal(value)
    return str(value)
