"""The peer networks' part of the app wiring (lahti_pool/web.py adds these lists to its own)."""

from flask_babel import lazy_gettext as _l

BLUEPRINTS = [
    ("lahti_pool.networks.views", "bp"),
    ("lahti_pool.networks.admin_views", "bp"),
]
#: daily jobs; the survey population and the mapping report's rows
REGISTERING_MODULES = ["lahti_pool.networks.jobs", "lahti_pool.networks.mapping"]
NAVIGATION = [
    (("staff", "guest"), "networks.index", _l("Peer networks")),
    (("admin",), "networks_admin.index", _l("Networks")),
]
