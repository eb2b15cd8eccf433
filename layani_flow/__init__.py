"""LAYANI Flow: the HR service desk of DKP Provinsi Kepulauan Bangka Belitung."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from . import config as settings
from . import logs, security_headers, static_files

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    configure(app, test_config)
    logs.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    security_headers.init_app(app)
    static_files.init_app(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Defaults → instance/config.py → LAYANI_* environment (or the test's mapping), each declared key
    checked against its type (config.SETTINGS); a bad value stops the start with a ConfigError."""
    app.config.from_mapping(settings.defaults())
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(settings.check(app.config, "instance/config.py"))
        app.config.update(settings.from_environment())
    else:
        app.config.from_mapping(test_config)
        app.config.update(settings.check(test_config, "test_config"))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'layani.sqlite'}"
    if app.config["RATELIMIT_STORAGE_URI"] == "auto":  # several servers share one PostgreSQL, so its counters
        on_postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
        app.config["RATELIMIT_STORAGE_URI"] = "database://" if on_postgres else "memory://"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if app.config["SESSION_COOKIE_SECURE"] is None:  # a cookie for an https site never travels in clear
        app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].lower().startswith("https://")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if app.config["SECRET_KEY"] == settings.DEV_SECRET_KEY and not (app.debug or app.testing):
        logging.getLogger(__name__).warning("SECRET_KEY is the development default; set LAYANI_SECRET_KEY")


def register_extensions(app: Flask) -> None:
    from . import (
        auth,
        database,
        rate_limits,  # noqa: F401  (registers the database:// storage before limiter.init_app reads it)
    )
    from .clock import SystemClock
    from .extensions import csrf, db, limiter, mail, migrate

    app.extensions.setdefault("clock", SystemClock())
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["TRUSTED_PROXIES"]:  # the client address is the one the proxies saw, not the proxy's
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        # Flask's documented way to add WSGI middleware; mypy sees wsgi_app only as a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    auth.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .views import register

    register(app)


def register_cli(app: Flask) -> None:
    from .cli import layani

    app.cli.add_command(layani)
