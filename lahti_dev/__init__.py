"""Development tools that production never imports: the demo city and the city generator.

``init_app(app)`` adds ``flask pool demo`` to an app; ``lahti_dev.app`` is the app
``make run`` serves (the production app plus these commands).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the development commands under ``flask pool``."""
    from lahti_dev.cli import demo_command, serve_command

    app.cli.commands["pool"].add_command(demo_command)
    app.cli.commands["pool"].add_command(serve_command)
