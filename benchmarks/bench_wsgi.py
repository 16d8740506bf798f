"""The WSGI app ``web_bench.py`` serves: the real app plus two bare routes.

``HELLO_PATH`` is the ceiling: a bare hello world. ``FLOOR_PATH`` is the floor of every page
behind login: the site's layout (navigation, language switch, footer) around no content,
for a logged-in user, so what a page costs beyond it is its own. Both live only here, so
the production app (``wsgi.py``) never has them, yet they are measured in the very same
gunicorn workers, config, hooks and middleware as the pages they are compared with.
Configuration comes from the environment as in production (``DATABASE_URL``,
``LAHTI_POOL_ENV``, ``SECRET_KEY``; see ``lahti_pool/config.py``).
"""

from flask import render_template
from flask_login import login_required
from web_bench import FLOOR_PATH, HELLO_PATH  # gunicorn runs with --pythonpath benchmarks

from lahti_pool import create_app

app = create_app()
EMPTY_PAGE = app.jinja_env.from_string(
    '{% extends "base.html" %}{% block title %}Floor{% endblock %}{% block content %}{% endblock %}'
)


@app.get(HELLO_PATH)
def bench_hello() -> str:
    return "hello"


@app.get(FLOOR_PATH)
@login_required
def bench_floor() -> str:
    return render_template(EMPTY_PAGE)
