"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from lahti_pool import create_app

app = create_app()
