"""Every route × every role: the access table.

The table is checked against ``app.url_map``, so a new route without a row here
fails ``test_every_route_has_an_access_row``.
"""

import pytest
from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.services import GroupRequestInput, submit_group_request

ROLES = ("anonymous", "staff_owner", "staff_stranger", "supervisor", "admin", "reports", "guest")

# Shorthands for the expected status code per role, in the order of ROLES.
LOGIN = 302  # anonymous users are sent to the login page
OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


def row(*codes):
    return dict(zip(ROLES, codes, strict=True))


OWNER_ONLY = row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
OWNER_REDIRECT = row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
EVERYONE_OK = row(OK, OK, OK, OK, OK, OK, OK)
LOGGED_IN = row(LOGIN, OK, OK, OK, OK, OK, OK)
STAFF_ONLY = row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
ADMIN_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN)

#: endpoint -> (method, url arguments, expected status per role)
EXPECTED = {
    "static": ("GET", {"filename": "css/app.css"}, EVERYONE_OK),
    "bootstrap.static": ("GET", {"filename": "css/bootstrap.min.css"}, EVERYONE_OK),
    "accounts.index": (
        "GET",
        {},
        row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts.login": ("GET", {}, EVERYONE_OK),
    "accounts.welcome": ("GET", {}, row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    "accounts.logout": (
        "POST",
        {},
        row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts.set_language": (
        "POST",
        {},
        row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts.notifications": ("GET", {}, LOGGED_IN),
    "accounts.notifications_read": (
        "POST",
        {},
        row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    # Setting a password through an e-mailed link needs no login: a garbled token, or
    # none kept in the session, is a 400 page for everybody (tests/accounts covers the rest).
    "accounts.forgot_password": ("GET", {}, EVERYONE_OK),
    "accounts.password_link": ("GET", {"token": "not-a-token"}, row(*[400] * len(ROLES))),
    "accounts.set_password": ("GET", {}, row(*[400] * len(ROLES))),
    # Single sign-on is off here (no OIDC_ISSUER): its routes are not found for anybody;
    # tests/accounts/test_oidc.py covers them with the provider process.
    "oidc.start": ("GET", {}, row(*[NOT_FOUND] * len(ROLES))),
    "oidc.callback": ("GET", {}, row(*[NOT_FOUND] * len(ROLES))),
    "oidc.signed_out": ("GET", {}, row(*[REDIRECT] * len(ROLES))),
    "oidc.policy": ("GET", {}, ADMIN_ONLY),
    "oidc.unlink": (
        "POST",
        "user",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    # SCIM answers only a bearer token, never a browser session; with no SCIM_TOKEN it is
    # off (tests/organisation/test_scim.py covers the token).
    "scim.list_users": ("GET", {}, row(*[NOT_FOUND] * len(ROLES))),
    "scim.get_user": ("GET", "user", row(*[NOT_FOUND] * len(ROLES))),
    "scim.create_user": ("POST", {}, row(*[NOT_FOUND] * len(ROLES))),
    "scim.replace_user": ("PUT", "user", row(*[NOT_FOUND] * len(ROLES))),
    "scim.patch_user": ("PATCH", "user", row(*[NOT_FOUND] * len(ROLES))),
    "scim.delete_user": ("DELETE", "user", row(*[NOT_FOUND] * len(ROLES))),
    # Confirming or stopping an administrator's address change: the token is the key.
    "accounts.email_change": ("GET", {"token": "not-a-token"}, row(*[400] * len(ROLES))),
    "requests.dashboard": ("GET", {}, STAFF_ONLY),
    # Only a unit's manager (none among these people; tests/requests/test_team_orders.py)
    "requests.new_team": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "requests.new_individual": ("GET", {}, STAFF_ONLY),
    # a guest organisation's official may organise a group with the city (tests/guests)
    "requests.new_group": ("GET", {}, row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    # The request belongs to staff_owner; the stranger is a colleague outside the group.
    # The supervisor is the one assigned to the request's process, so they may see it.
    "requests.detail": ("GET", "request", row(LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)),
    "requests.withdraw": (
        "POST",
        "request",
        row(LOGIN, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "requests.decline": (  # its confirmation page; tests of its area send the POST
        "GET",
        "request",
        row(LOGIN, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "requests.answer_offer": (
        "POST",
        "request",
        row(LOGIN, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "requests.admin_overview": ("GET", {}, ADMIN_ONLY),
    "settings.index": ("GET", {}, ADMIN_ONLY),
    "settings.year_quota": (
        "POST",
        "year",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "settings.open_next_year": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "settings.pre_questions": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "matching.queue": ("GET", {}, ADMIN_ONLY),
    "matching.run": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "matching.assignment": ("GET", "assignment", ADMIN_ONLY),
    "matching.accept": (
        "POST",
        "assignment",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "matching.accept_all": (  # its confirmation page; tests of its area send the POST
        "GET",
        "run",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    ),
    "matching.offer_group": (
        "POST",
        "group",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "matching.form_group": (
        "POST",
        "offer",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "matching.cancel_offer": (
        "POST",
        "offer",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "matching.capacity_view": ("GET", {}, ADMIN_ONLY),
    "matching.orders_csv": ("GET", "period", ADMIN_ONLY),
    "sessions.workspace": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    # The process is staff_owner's group with the supervisor; the stranger is not in it.
    "sessions.process_detail": (
        "GET",
        "process",
        row(LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    # Sessions: the supervisor (and the administrator, for planning) run the process;
    # goals are for the supervisor and the clients only; a group session is cancelled by
    # its supervisor, so staff_owner is sent back with a message.
    "sessions.plan": (
        "POST",
        "process",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    "sessions.move": (
        "GET",
        "session",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "sessions.log": (
        "POST",
        "session",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "sessions.close_process": (  # its confirmation page; tests of its area send the POST
        "GET",
        "process",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "sessions.goals": (
        "POST",
        "process",
        row(LOGIN, REDIRECT, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "sessions.practice": (
        "POST",
        "process",
        row(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    # Hosts: venues are the administrator's; the group's plan of hosts is read by its
    # members and made by its supervisor or the administrator.
    "hosting.venues": ("GET", {}, ADMIN_ONLY),
    "hosting.venue_new": ("GET", {}, ADMIN_ONLY),
    "hosting.venue_edit": ("GET", "venue", ADMIN_ONLY),
    "hosting.plan": ("GET", "process", row(LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)),
    # Covision circles: the circle, its meeting and the group's theme are staff_owner's;
    # nobody else's, not the administrator's. The process is still active, so starting a
    # circle or renewing it sends its member back with a message.
    "circles.index": ("GET", {}, LOGGED_IN),
    "circles.start": ("GET", "process", OWNER_REDIRECT),
    "circles.renew": ("GET", "process", OWNER_REDIRECT),
    "circles.detail": ("GET", "circle", OWNER_ONLY),
    "circles.join": ("POST", "circle", OWNER_REDIRECT),
    "circles.leave": ("GET", "circle", OWNER_ONLY),  # its confirmation page
    "circles.plan": ("GET", "circle", OWNER_ONLY),
    "circles.ask_supervisor": ("GET", "circle", OWNER_ONLY),
    "circles.meeting": ("GET", "meeting", OWNER_ONLY),
    "circles.topic": ("POST", "meeting", OWNER_REDIRECT),
    "circles.host": (
        "POST",
        "meeting",
        row(LOGIN, 400, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    # not begun yet: the host is told the attendance comes later
    "circles.attendance": (
        "POST",
        "meeting",
        row(LOGIN, 400, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "circles.new_theme": ("GET", "theme_group", OWNER_ONLY),
    "circles.theme": ("GET", "theme", OWNER_ONLY),
    "circles.edit_theme": (
        "POST",
        "theme",
        row(LOGIN, 400, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "circles.confirm_theme": ("POST", "theme", OWNER_REDIRECT),
    "circles.decline_theme": ("GET", "theme", OWNER_ONLY),  # its confirmation page
    "circles.passed_themes": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    "sessions.mine": ("GET", {}, row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    "sessions.cancel": (
        "GET",
        "session",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "supervisors.index": ("GET", {}, ADMIN_ONLY),
    "supervisors.new": ("GET", {}, ADMIN_ONLY),
    "supervisors.edit": ("GET", "supervisor", ADMIN_ONLY),
    "supervisors.toggle_active": (
        "POST",
        "supervisor",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "supervisors.agreements": ("GET", {}, ADMIN_ONLY),
    "supervisors.new_agreement": ("GET", {}, ADMIN_ONLY),
    "supervisors.edit_agreement": ("GET", "agreement", ADMIN_ONLY),
    "supervisors_public.index": ("GET", {}, LOGGED_IN),
    # a supervisor's own presentation: the supervisor alone; its photo for everyone signed in
    "supervisors_public.own": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "supervisors_public.photo": ("GET", "photo", LOGGED_IN),
    "feedback.give": (
        "GET",
        "feedback",
        row(LOGIN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    ),
    "site.reports_home": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    "feedback.report": ("GET", {}, row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)),
    "feedback.report_csv": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    "feedback.mine": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "reports.reach": ("GET", {}, row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)),
    "reports.availability": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    # Surveys: the administrator builds, sends and closes (organisers of a registered
    # subject too: tests/surveys); the fixture's survey goes to all staff, and nobody
    # else learns it exists; results for its managers and development services.
    "surveys.index": ("GET", {}, LOGGED_IN),
    "surveys.new": ("GET", {}, ADMIN_ONLY),
    "surveys.detail": ("GET", "survey", ADMIN_ONLY),
    "surveys.send": ("POST", "survey", ADMIN_ONLY),  # the confirmation page
    "surveys.close": ("POST", "survey", ADMIN_ONLY),  # the confirmation page
    # the survey goes to all staff: a guest official is not asked and does not learn of it
    "surveys.answer": (
        "GET",
        "survey",
        row(LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
    "surveys.results_page": (
        "GET",
        "survey",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    "surveys.propose": ("GET", "survey", ADMIN_ONLY),
    "surveys.mapping": ("GET", {}, row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)),
    "surveys.mapping_csv": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    "surveys.mapping_xlsx": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    "surveys.mapping_chart": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    "account.index": ("GET", {}, LOGGED_IN),
    "account.password": ("POST", {}, row(LOGIN, 400, 400, 400, 400, 400, 400)),
    "account.email": ("POST", {}, row(LOGIN, 400, 400, 400, 400, 400, 400)),
    "account.data_json": ("GET", {}, LOGGED_IN),
    "account.data_csv": ("GET", {}, LOGGED_IN),
    "site.privacy": ("GET", {}, EVERYONE_OK),
    "site.accessibility": ("GET", {}, EVERYONE_OK),
    "site.audit_log": ("GET", {}, ADMIN_ONLY),
    # Budget: approvals, budgets and statements are the administrator's; development
    # services (reports) read the budget page's aggregates; a supervisor sees their own
    # statements (the fixture's statement belongs to the supervisor).
    "budget.approvals": ("GET", {}, ADMIN_ONLY),
    "budget.approve": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "budget.return_session": (
        "POST",
        "session",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "budget.budgets": ("GET", {}, ADMIN_ONLY),
    "budget.funding_sources": ("GET", {}, ADMIN_ONLY),
    "budget.funding_source": ("GET", "funding_source", ADMIN_ONLY),
    "budget.funding_source_active": (
        "POST",
        "funding_source",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "budget.remove_funded_expense": ("GET", "funded_expense", ADMIN_ONLY),
    "budget.overview": ("GET", {}, row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)),
    "budget.chart": ("GET", {}, row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)),
    "budget.statements_index": ("GET", {}, ADMIN_ONLY),
    "budget.generate_statement": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "budget.statement_detail": (
        "GET",
        "statement",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    "budget.statement_csv": (
        "GET",
        "statement",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    "budget.statement_xlsx": (
        "GET",
        "statement",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    "budget.send_statement": (  # its confirmation page; tests of its area send the POST
        "GET",
        "statement",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    ),
    "budget.mark_paid": (
        "POST",
        "statement",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "budget.my_statements": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    # A group's cost key is the administrator's; statements per organisation are the
    # administrator's and each guest official's own (tests/budget/test_cost_key_flow.py).
    "budget.cost_key": ("GET", "process", ADMIN_ONLY),
    # a guest official sees their own organisation's statements; the fixture's month is
    # the city's, which is the administrator's only
    "budget.organisation_statements": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK),
    ),
    "budget.organisation_statement_csv": ("GET", "org_month", ADMIN_ONLY),
    "budget.organisation_statement_xlsx": ("GET", "org_month", ADMIN_ONLY),
    "users.index": ("GET", {}, ADMIN_ONLY),
    "users.new": ("GET", {}, ADMIN_ONLY),
    "users.edit": ("GET", "user", ADMIN_ONLY),
    "users.toggle_active": (
        "POST",
        "user",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "users.send_password_link": (
        "POST",
        "user",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "mail.outbox": ("GET", {}, ADMIN_ONLY),
    # No such message: the administrator gets 404; tests/mail covers a real resend.
    "mail.resend": (
        "POST",
        {"message_id": 999999},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN),
    ),
    "mail.resend_failed": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "mail.notification_settings": ("GET", {}, LOGGED_IN),
    "mail.notification_settings_save": (
        "POST",
        {},
        row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "calendar.settings": ("GET", {}, LOGGED_IN),
    # The new address is shown on the answer itself: only its hash is kept.
    "calendar.create_token": ("POST", {}, LOGGED_IN),
    "calendar.revoke_token": (
        "POST",
        {},
        row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    # The feed needs no login; an unknown token is 404 for everybody.
    "calendar.feed": (
        "GET",
        {"token": "no-such-token"},
        row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
    # On-duty slots: "slot" is booked by staff_owner with the supervisor; "open_slot" is free.
    "slots.browse": ("GET", {}, STAFF_ONLY),
    "slots.mine": ("GET", {}, STAFF_ONLY),
    "slots.book": ("GET", "open_slot", STAFF_ONLY),
    "slots.detail": ("GET", "slot", row(LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)),
    "slots.cancel": ("GET", "slot", row(LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)),
    "slots.move": (
        "GET",
        "slot",
        row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "slots.watch": (
        "POST",
        {},
        row(LOGIN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "slots.unwatch": (
        "POST",
        "watch",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "slots.manage": ("GET", {}, row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)),
    "slots.publish": (
        "POST",
        "supervisor",
        row(LOGIN, FORBIDDEN, FORBIDDEN, 400, 400, FORBIDDEN, FORBIDDEN),
    ),
    "slots.publish_pattern": (
        "POST",
        "supervisor",
        row(LOGIN, FORBIDDEN, FORBIDDEN, 400, 400, FORBIDDEN, FORBIDDEN),
    ),
    "slots.add_absence": (
        "POST",
        "supervisor",
        row(LOGIN, FORBIDDEN, FORBIDDEN, 400, 400, FORBIDDEN, FORBIDDEN),
    ),
    "slots.edit_absence": (
        "GET",
        "absence",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    "slots.remove_absence": (
        "POST",
        "absence",
        row(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "slots.withdraw": (
        "POST",
        "open_slot",
        row(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "slots.withdraw_pattern": (
        "POST",
        "pattern",
        row(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "slots.utilisation": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    # Nudges: the administrator's low-uptake units and message (tests/nudges covers sending);
    # a stop link needs no login, and a garbled one names nobody.
    "nudges.uptake_index": ("GET", {}, ADMIN_ONLY),
    "nudges.unit_message": ("GET", "unit", ADMIN_ONLY),
    "nudges.unit_message_send": (
        "POST",
        "unit",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    # Guest organisations: the administrator's pages; the officials' pages also for the
    # organisation's contact person (not this guest, an official who is not its contact:
    # tests/guests covers the contact person); a guest official's own home.
    "guests.index": ("GET", {}, ADMIN_ONLY),
    "guests.new": ("GET", {}, ADMIN_ONLY),
    "guests.edit": ("GET", "organisation", ADMIN_ONLY),
    "guests.officials": ("GET", "organisation", ADMIN_ONLY),
    "guests.invite": (  # an empty form: refused with its messages
        "POST",
        "organisation",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "guests.resend": (
        "POST",
        "official",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "guests.deactivate": (
        "POST",
        "official",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "guests.home": (
        "GET",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ),
    "nudges.stop": ("GET", {"token": "not-a-token"}, row(*[NOT_FOUND] * len(ROLES))),
    "nudges.stop_confirm": ("POST", {"token": "not-a-token"}, row(*[NOT_FOUND] * len(ROLES))),
    # Service pages: read by everybody logged in (no page is written here: 404), written by
    # the administrator (tests/service_pages covers a written page).
    "service_pages.index": ("GET", {}, LOGGED_IN),
    "service_pages.page": (
        "GET",
        {"slug": "faq"},
        row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
    "service_pages.admin_index": ("GET", {}, ADMIN_ONLY),
    "service_pages.edit": ("GET", {"slug": "faq", "locale": "sv"}, ADMIN_ONLY),
    "service_pages.save": (
        "POST",
        {"slug": "faq", "locale": "sv"},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    # Programmes (issue 19): anybody logged in sees the list and a programme's page; the
    # administrator and the programme's organisers manage it (tests/programmes covers the
    # organiser, the manager's nomination and the flow); the certificate is its
    # participant's (staff_owner here); the verification page is public.
    "programmes.index": ("GET", {}, LOGGED_IN),
    "programmes.new": ("GET", {}, ADMIN_ONLY),
    "programmes.detail": ("GET", "programme", LOGGED_IN),
    "programmes.grant_organiser": (
        "POST",
        "programme",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.apply": (
        "POST",
        "programme",
        # staff apply; a guest organisation's official is nominated by an organiser
        row(LOGIN, 400, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.nominate": (
        "POST",
        "programme",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.decide": (
        "POST",
        "programme_member",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.continuation": (
        "POST",
        "programme",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    # the programme here is paid from the city's budget: its manager is told so
    "programmes.add_cost": (
        "POST",
        "programme",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.add_module": (
        "POST",
        "programme",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.add_day": (
        "POST",
        "programme",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.day": (
        "GET",
        "programme_day",
        row(LOGIN, *[FORBIDDEN] * 3, OK, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.record_attendance": (
        "POST",
        "programme_day",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.invite_guest": (
        "POST",
        "programme_day",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.issue_certificates": (
        "POST",
        "programme",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.certificate": (
        "GET",
        "programme_member",
        row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    ),
    "programmes.verify": ("GET", {"code": "not-a-code"}, row(*[NOT_FOUND] * len(ROLES))),
    # Quotes for a group: the organiser (staff_owner) and the administrator ask and compare;
    # only the administrator accepts; only the supervisor asked answers.
    "quotes.ask": (
        "GET",
        "request",
        row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    ),
    "quotes.round_page": (
        "GET",
        "quote_round",
        row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    ),
    "quotes.accept": (
        "POST",
        "quote_round",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "quotes.answer": (
        "GET",
        "quote",
        row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "quotes.give": (
        "POST",
        "quote",
        row(LOGIN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "quotes.decline": (
        "POST",
        "quote",
        row(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    # Peer networks: staff_owner is a member and the coordinator of "network" and registered
    # for its coming event; the post on its board is theirs (tests/networks covers the rest).
    "networks.index": ("GET", {}, LOGGED_IN),
    "networks.detail": ("GET", "network", LOGGED_IN),
    "networks.join": ("POST", "network", row(LOGIN, *[REDIRECT] * 6)),
    "networks.leave": ("POST", "network", row(LOGIN, *[REDIRECT] * 6)),
    "networks.new_event": (
        "GET",
        "network",
        row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "networks.event_detail": ("GET", "network_event", LOGGED_IN),
    "networks.register": ("POST", "network_event", row(LOGIN, *[REDIRECT] * 6)),
    "networks.cancel": ("POST", "network_event", row(LOGIN, *[REDIRECT] * 6)),
    "networks.attendance": (
        "POST",
        "network_event",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "networks.board_page": (
        "GET",
        "network",
        row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "networks.hide_post": (
        "POST",
        "network_post",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "networks.remove_post": (  # its confirmation page
        "GET",
        "network_post",
        row(LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "networks_admin.index": ("GET", {}, ADMIN_ONLY),
    "networks_admin.edit": ("GET", "network", ADMIN_ONLY),
    "networks_admin.save": (
        "POST",
        "network",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
    "networks_admin.add_organisation": (
        "POST",
        "network",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "networks_admin.grant": (
        "POST",
        "network",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN, FORBIDDEN),
    ),
    "networks_admin.revoke": (
        "POST",
        "network_coordinator",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
    ),
}


def test_every_route_has_an_access_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), (
        f"missing rows: {sorted(endpoints - set(EXPECTED))}, "
        f"stale rows: {sorted(set(EXPECTED) - endpoints)}"
    )


@pytest.fixture
def objects(people, owned_request, make_user, supervisor, school_year, today):
    """A matching run with an accepted process, a proposed assignment and a group offer."""
    from lahti_pool.matching import services
    from lahti_pool.matching.eligibility import Policy
    from lahti_pool.matching.models import GroupOffer, GroupOfferMember
    from lahti_pool.requests.services import RequestInput, submit_individual_request

    waiting = submit_individual_request(
        make_user(),
        RequestInput(
            school_year_id=school_year.id,
            sessions=1,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    run = services.run_matching(people["admin"], school_year, Policy.RANKING, today)
    group_assignment = next(a for a in run.assignments if a.request_id == owned_request.id)
    process = services.accept_assignment(people["admin"], group_assignment, today).process
    from datetime import UTC, datetime, timedelta

    from lahti_pool.feedback.models import FeedbackInvitation
    from lahti_pool.sessions.models import SessionAttendance, SessionStatus, SupervisionSession

    held = SupervisionSession(
        process_id=process.id,
        starts_at=datetime.now(UTC),
        on_date=today,
        duration_minutes=90,
        mode="on_site",
        status=SessionStatus.HELD,
    )
    db.session.add(held)
    planned = SupervisionSession(
        process_id=process.id,
        starts_at=datetime.now(UTC) + timedelta(days=3),
        on_date=today,
        duration_minutes=90,
        mode="on_site",
        attendance=[SessionAttendance(user_id=m.user_id) for m in process.members],
    )
    db.session.add(planned)
    db.session.flush()
    invitation = FeedbackInvitation(session_id=held.id, user_id=people["staff_owner"].id)
    db.session.add(invitation)
    offer = GroupOffer(
        supervisor_id=supervisor.id,
        school_year_id=school_year.id,
        division_id=people["staff_owner"].unit.division_id,
        language="fi",
        sessions=2,
        members=[GroupOfferMember(request_id=waiting.id)],
    )
    db.session.add(offer)
    from lahti_pool.budget.models import InvoiceStatement

    statement = InvoiceStatement(supervisor_id=supervisor.id, year=today.year, month=today.month)
    db.session.add(statement)
    slot, open_slot, watch, pattern_id = _slots(people, supervisor)
    from lahti_pool.slots.models import SupervisorAbsence

    away = today + timedelta(days=40)
    absence = SupervisorAbsence(supervisor_id=supervisor.id, starts_on=away, ends_on=away)
    db.session.add(absence)
    supervisor.photo, supervisor.photo_version = b"\xff\xd8 a stored JPEG", 1
    from lahti_pool.budget.models import FundedExpense, FundingSource

    source = FundingSource(name="Ministry partnership money")
    expense = FundedExpense(
        funding_source=source,
        fiscal_year=today.year,
        on_date=today,
        amount_cents=100,
        description="Venue",
    )
    db.session.add(expense)
    from lahti_pool.quotes.models import Quote, QuoteRound

    quote_round = QuoteRound(
        request_id=owned_request.id,
        created_by_id=people["staff_owner"].id,
        sessions=2,
        period_from=today,
        period_to=today + timedelta(days=60),
        group_size=3,
        need="A team of teachers",
        quotes=[Quote(supervisor_id=supervisor.id)],
    )
    db.session.add(quote_round)
    from lahti_pool.organisation.models import Venue

    venue = Venue(name="Kivimaan koulu, room 2")
    db.session.add(venue)
    circle, meeting, theme = _circle(people["staff_owner"], process)
    survey = _survey(people["admin"], today)
    db.session.commit()
    assignment = next(a for a in run.assignments if a.request_id == waiting.id)
    programme = _programme(people)
    return {
        **programme,
        "assignment": {"assignment_id": assignment.id},
        "run": {"run_id": run.id},
        "group": {"run_id": run.id, "group_no": 1},
        "offer": {"offer_id": offer.id},
        "process": {"process_id": process.id},
        "period": {"start": school_year.starts_on, "end": school_year.ends_on},
        "supervisor": {"supervisor_id": supervisor.id},
        "photo": {"supervisor_id": supervisor.id, "version": 1},
        "feedback": {"invitation_id": invitation.id},
        "session": {"session_id": planned.id},
        "agreement": {"agreement_id": supervisor.agreement_id},
        "statement": {"statement_id": statement.id},
        "org_month": {"organisation": 0, "year": today.year, "month": today.month},
        "slot": {"slot_id": slot.id},
        "open_slot": {"slot_id": open_slot.id},
        "unit": {"unit_id": people["staff_owner"].unit_id},
        "watch": {"watch_id": watch.id},
        "pattern": {"pattern_id": pattern_id},
        "absence": {"absence_id": absence.id},
        "funding_source": {"source_id": source.id},
        "funded_expense": {"expense_id": expense.id},
        "quote_round": {"round_id": quote_round.id},
        "quote": {"quote_id": quote_round.quotes[0].id},
        "venue": {"venue_id": venue.id},
        "circle": {"circle_id": circle.id},
        "meeting": {"meeting_id": meeting.id},
        "theme_group": {"kind": "process", "group_id": process.id},
        "theme": {"theme_id": theme.id},
        "survey": {"survey_id": survey.id},
        "organisation": {"org_id": people["guest"].unit.division.organisation_id},
        "official": {
            "org_id": people["guest"].unit.division.organisation_id,
            "user_id": people["guest"].id,
        },
    }


def _circle(owner, process):
    """A circle of staff_owner's group with a coming meeting they host, and a theme of the
    group they drafted (rows as the circles feature leaves them)."""
    from datetime import UTC, datetime, timedelta

    from lahti_pool.circles.models import (
        CircleMeeting,
        CircleMember,
        CovisionCircle,
        GroupKind,
        MemberState,
        ThemeConfirmation,
        UpwardTheme,
    )

    meeting = CircleMeeting(
        starts_at=datetime.now(UTC) + timedelta(days=5),
        duration_minutes=90,
        host_id=owner.id,
        video_url="https://meet.example.fi/kovisio",
    )
    circle = CovisionCircle(
        name="Kovisio",
        process_id=process.id,
        started_by_id=owner.id,
        members=[CircleMember(user_id=owner.id, state=MemberState.JOINED)],
        meetings=[meeting],
    )
    theme = UpwardTheme(
        group_kind=GroupKind.SUPERVISION_GROUP,
        process_id=process.id,
        text="Päiväkotien aukioloajat",
        drafted_by_id=owner.id,
        confirmations=[ThemeConfirmation(user_id=owner.id)],
    )
    db.session.add_all([circle, theme])
    return circle, meeting, theme


def _survey(admin, today):
    """An open needs survey sent to all staff."""
    from lahti_pool.surveys import services as survey_services
    from lahti_pool.surveys.rules import QuestionInput

    survey = survey_services.create_survey(
        admin,
        survey_services.SurveyInput(
            "Needs", "needs", "all_staff", None, [QuestionInput("scale", "How much?")]
        ),
    )
    survey_services.send_survey(admin, survey, today)
    return survey


def _slots(people, supervisor):
    """Two on-duty slots of the supervisor (one booked by staff_owner), a waiting-list wish
    and a one-slot weekly pattern."""
    from datetime import time, timedelta

    from lahti_pool.core.models import utcnow
    from lahti_pool.slots import services as slot_services
    from lahti_pool.slots.rules import SlotPattern, local_date

    day, now = local_date(utcnow()) + timedelta(days=5), utcnow()
    publish = slot_services.publish_slot
    slot = publish(
        people["supervisor"], supervisor, slot_services.SlotInput(day, time(10), "video"), now
    )
    open_slot = publish(
        people["supervisor"], supervisor, slot_services.SlotInput(day, time(12), "phone"), now
    )
    slot_services.book_slot(people["staff_owner"], slot, {1: "a", 2: "b", 3: "c"}, now)
    # a day without free slots: one with free slots is booked, not waited for
    watch = slot_services.add_watch(
        people["staff_owner"], day + timedelta(days=1), None, local_date(now)
    )
    pattern = SlotPattern(day, day, frozenset(range(7)), (time(14),), "video")
    (patterned,) = slot_services.publish_pattern(
        people["supervisor"], supervisor, pattern, now
    ).created
    return slot, open_slot, watch, patterned.pattern_id


def _programme(people):
    """A programme with a module of one day; staff_owner completed it with a certificate."""
    from datetime import UTC, date, datetime, time

    from lahti_pool.programmes import services as programmes

    admin, owner = people["admin"], people["staff_owner"]
    start = date.today()
    programme = programmes.create_programme(
        admin,
        programmes.ProgrammeInput("Leaders", "", start, start, None, 5, 1, "Lahti", True),
    )
    module = programmes.add_module(admin, programme, programmes.ModuleInput("T", None, (), ""))
    day = programmes.add_day(admin, module, programmes.DayInput(start, time(9), 60, "", True))
    member = programmes.apply(owner, programme, start)
    programmes.decide(admin, member, programmes.Decision.ACCEPT)
    programmes.record_attendance(admin, day, {member.id}, set(), datetime.now(UTC))
    programmes.issue_certificates(admin, programme, start)
    db.session.commit()
    ids = {"programme_id": programme.id}
    return {
        "programme": ids,
        "programme_member": {**ids, "member_id": member.id},
        "programme_day": {**ids, "day_id": day.id},
    }


@pytest.fixture
def network_objects(people):
    """A themed network staff_owner belongs to and coordinates, its coming event they are
    registered for, and their post on its board."""
    from datetime import timedelta

    from lahti_pool.core.models import utcnow
    from lahti_pool.networks import board, events, services
    from lahti_pool.networks.models import NetworkKind
    from lahti_pool.networks.rules import EventInput
    from lahti_pool.sessions.rules import LOCAL_TZ

    owner, now = people["staff_owner"], utcnow()
    network = services.create_network(people["admin"], "HR", NetworkKind.THEMED, "", None)
    services.grant_coordinator(people["admin"], network, owner.email)
    services.join(owner, network, now)
    local = (now + timedelta(days=4)).astimezone(LOCAL_TZ)
    data = EventInput(
        "webinar", "Webinar", local.date(), local.time(), 60, 10, None, "https://v.fi"
    )
    event = events.create_event(owner, network, data, now)
    events.register(owner, event, now)
    post = board.post(owner, network, "Hello", now)
    db.session.commit()
    return {
        "network": {"network_id": network.id},
        "network_event": {"event_id": event.id},
        "network_post": {"post_id": post.id},
        "network_coordinator": {"network_id": network.id, "user_id": owner.id},
    }


@pytest.fixture
def people(make_user, supervisor):
    from lahti_pool.organisation.models import Division, Organisation, Unit

    org = Organisation(name="Hollolan kunta")
    guest_unit = Unit(
        code="HOL",
        name="Hollolan kunta",
        division=Division(code="HOL", name_fi="Hollola", name_en="Hollola", organisation=org),
    )
    db.session.add(guest_unit)
    db.session.commit()
    return {
        # an official of a guest organisation, in none of the groups here
        "guest": make_user(name="Guest", roles={Role.GUEST}, unit_id=guest_unit.id),
        "staff_owner": make_user(name="Owner"),
        "staff_stranger": make_user(name="Stranger"),
        "supervisor": supervisor.user,  # the supervisor the group's process goes to
        "admin": make_user(name="Admin", roles={Role.ADMIN}),
        "reports": make_user(name="Reports", roles={Role.REPORTS}),
    }


@pytest.fixture
def owned_request(people, make_user, school_year, today):
    members = [make_user(), make_user()]
    sup_request = submit_group_request(
        people["staff_owner"],
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Team",
            member_emails=tuple(m.email for m in members),
        ),
        today,
    )
    db.session.commit()
    return sup_request


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_route_access(request, app, client, people, owned_request, endpoint, role):
    method, args, expected = EXPECTED[endpoint]
    if isinstance(args, str) and args.startswith("network"):
        args = request.getfixturevalue("network_objects")[args]
    elif isinstance(args, str) and args not in ("user", "year"):
        # Built only for the routes that need them: a matching run is not free.
        objects = request.getfixturevalue("objects")
        args = objects.get(args, {"request_id": owned_request.id})
    elif args == "request":
        args = {"request_id": owned_request.id}
    elif args == "year":
        args = {"year_id": owned_request.school_year_id}
    elif args == "user":
        args = {"user_id": people["staff_owner"].id}
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **args)
    if role != "anonymous":
        client.login(people[role])
    before = db.session.scalar(
        select(SupervisionRequest.status).where(SupervisionRequest.id == owned_request.id)
    )
    response = client.open(url, method=method, data={"lang": "en"})
    assert response.status_code == expected[role], f"{method} {url} as {role}"
    if expected[role] == LOGIN and role == "anonymous":
        assert "/login" in response.headers["Location"] or endpoint.startswith("accounts.")
    if endpoint.startswith("requests.") and role != "staff_owner":
        # Whatever the answer, nobody but the owner changed the request.
        after = db.session.scalar(
            select(SupervisionRequest.status).where(SupervisionRequest.id == owned_request.id)
        )
        assert after == before


def test_unknown_object_is_404_not_403(client, people):
    client.login(people["admin"])
    assert client.get("/requests/999999").status_code == NOT_FOUND
    assert client.get("/admin/users/999999").status_code == NOT_FOUND
