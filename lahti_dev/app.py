"""The development app: ``flask --app lahti_dev.app pool demo`` (``make run`` sets it)."""

import lahti_dev
from lahti_pool import create_app as create_runtime_app


def create_app():
    app = create_runtime_app()
    lahti_dev.init_app(app)
    return app
