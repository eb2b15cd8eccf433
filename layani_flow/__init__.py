"""LAYANI Flow: the HR service desk of DKP Provinsi Kepulauan Bangka Belitung."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from . import security_headers
from .config import DefaultConfig

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    configure(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    security_headers.init_app(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(DefaultConfig)
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("LAYANI")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'layani.sqlite'}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if app.config["SECRET_KEY"] == DefaultConfig.SECRET_KEY and not (app.debug or app.testing):
        logging.getLogger(__name__).warning("SECRET_KEY is the development default; set LAYANI_SECRET_KEY")


def register_extensions(app: Flask) -> None:
    from . import auth, database
    from .clock import SystemClock
    from .extensions import csrf, db, mail, migrate

    app.extensions.setdefault("clock", SystemClock())
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    mail.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .views import register

    register(app)


def register_cli(app: Flask) -> None:
    from .cli import layani

    app.cli.add_command(layani)
