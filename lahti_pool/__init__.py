"""Lahti Pool: a city's pool of contracted work supervisors."""

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from lahti_pool.config import Config

ROOT = Path(__file__).resolve().parent.parent


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: an id beyond the database's integer is not found (404).

    Without the bound, PostgreSQL refuses the comparison and the page fails with a 500.
    """

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: Config | type[Config] | None = None) -> Flask:
    app = Flask(
        __name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance")
    )
    app.url_map.converters["int"] = IdConverter
    config = config() if isinstance(config, type) else (config or Config())
    config.validate()
    app.config.from_object(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Wait for a concurrent writer instead of failing at once.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    from lahti_pool import cli, models, web  # noqa: F401 - models registers the tables
    from lahti_pool.core import heap, i18n, versions
    from lahti_pool.extensions import (
        babel,
        bootstrap,
        csrf,
        db,
        limiter,
        login_manager,
        mail,
        migrate,
    )

    db.init_app(app)
    with app.app_context():
        versions.listen(db.engine)  # cached aggregates follow every write
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    i18n.install(app, babel)
    login_manager.init_app(app)
    limiter.init_app(app)
    web.init_app(app)
    heap.init_app(app)
    cli.init_app(app)
    return app
