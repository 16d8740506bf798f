"""Which features the app has: their blueprints, their modules that register with core's
machinery, and the main navigation. The app wiring (``web.py``) reads these lists; a new
feature adds its lines here (docs/architecture.md, "Where a new feature goes")."""

from flask_babel import lazy_gettext as _l

#: the main navigation, in order: (the roles that see the link, any of them; endpoint, label)
NAVIGATION = [
    (("staff",), "requests.dashboard", _l("My supervision")),
    (("staff",), "sessions.mine", _l("My sessions")),
    (("staff",), "requests.new_individual", _l("Request supervision")),
    (("staff",), "slots.browse", _l("On-duty slots")),
    (("manager",), "requests.new_team", _l("Order for my team")),
    (("supervisor",), "sessions.workspace", _l("My clients")),
    (("supervisor",), "slots.manage", _l("My on-duty slots")),
    (("supervisor",), "budget.my_statements", _l("My statements")),
    (("supervisor",), "feedback.mine", _l("My feedback")),
    (("supervisor",), "supervisors_public.own", _l("My presentation")),
    (("reports",), "site.reports_home", _l("Reports")),
    (("reports",), "feedback.report", _l("Feedback report")),
    (("admin",), "matching.queue", _l("Matching")),
    (("admin",), "requests.admin_overview", _l("Requests")),
    (("admin",), "budget.approvals", _l("Approvals")),
    (("admin",), "budget.statements_index", _l("Statements")),
    (("admin",), "supervisors.index", _l("Supervisors")),
    (("admin",), "networks_admin.index", _l("Networks")),
    (("admin",), "hosting.venues", _l("Venues")),
    (("admin",), "users.index", _l("Users")),
    (("admin",), "settings.index", _l("Settings")),
    (("admin",), "service_pages.admin_index", _l("Service pages")),
    (("admin",), "nudges.uptake_index", _l("Low uptake")),
    (("admin",), "site.audit_log", _l("Log of use")),
    (("admin",), "mail.outbox", _l("E-mail outbox")),
    (("staff", "admin"), "programmes.index", _l("Programmes")),
    (("staff", "guest"), "networks.index", _l("Peer networks")),
    (("staff", "guest"), "circles.index", _l("Covision circles")),
    (("guest",), "budget.organisation_statements", _l("Our statements")),
    (("staff", "admin", "reports"), "surveys.index", _l("Surveys")),
    (None, "supervisors_public.index", _l("Our supervisors")),
    (("admin", "reports"), "budget.overview", _l("Budget")),
    (("admin", "reports"), "slots.utilisation", _l("Slot utilisation")),
    (("admin", "reports"), "reports.reach", _l("Reach")),
    (("admin", "reports"), "reports.availability", _l("Availability")),
    (("admin", "reports"), "circles.passed_themes", _l("Themes from groups")),
    (("admin", "reports"), "surveys.mapping", _l("Mapping of networks")),
    (None, "mail.notification_settings", _l("E-mail and calendar")),
]


#: every blueprint of the app, one per line: (module, attribute)
BLUEPRINTS = [
    ("lahti_pool.accounts.views", "bp"),
    ("lahti_pool.accounts.views_admin", "bp"),
    ("lahti_pool.accounts.views_self", "bp"),
    ("lahti_pool.accounts.oidc_views", "bp"),
    ("lahti_pool.organisation.scim", "bp"),
    ("lahti_pool.site.views", "bp"),
    ("lahti_pool.requests.views", "bp"),
    ("lahti_pool.requests.settings_views", "bp"),
    ("lahti_pool.sessions.views", "bp"),
    ("lahti_pool.slots.views", "bp"),
    ("lahti_pool.matching.views", "bp"),
    ("lahti_pool.supervisors.views", "bp"),
    ("lahti_pool.supervisors.views", "public_bp"),
    ("lahti_pool.feedback.views", "bp"),
    ("lahti_pool.reports.views", "bp"),
    ("lahti_pool.budget.views", "bp"),
    ("lahti_pool.mail.views", "bp"),
    ("lahti_pool.sessions.calendar_views", "calendar_bp"),
    ("lahti_pool.service_pages.views", "bp"),
    ("lahti_pool.nudges.views", "bp"),
    ("lahti_pool.programmes.views", "bp"),
    ("lahti_pool.quotes.views", "bp"),
    ("lahti_pool.hosting.views", "bp"),
    ("lahti_pool.networks.views", "bp"),
    ("lahti_pool.networks.admin_views", "bp"),
    ("lahti_pool.circles.views", "bp"),
    ("lahti_pool.surveys.views", "bp"),
]


#: the features' modules that register with core's machinery when imported: daily jobs
#: (core/jobs.py) and notification texts (core/notifications.py)
REGISTERING_MODULES = [
    "lahti_pool.accounts.jobs",
    "lahti_pool.sessions.jobs",
    "lahti_pool.slots.jobs",
    "lahti_pool.budget.jobs",
    "lahti_pool.matching.jobs",
    "lahti_pool.nudges.jobs",
    "lahti_pool.hosting.jobs",
    "lahti_pool.networks.jobs",
    "lahti_pool.networks.mapping",
    "lahti_pool.surveys.notices",
    "lahti_pool.surveys.populations",
    "lahti_pool.requests.notices",
    "lahti_pool.matching.notices",
    "lahti_pool.sessions.notices",
    "lahti_pool.feedback.notices",
    "lahti_pool.slots.notices",
    "lahti_pool.organisation.notices",
    "lahti_pool.programmes.registry",
    "lahti_pool.quotes.notices",
]
