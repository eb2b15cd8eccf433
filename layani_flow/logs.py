"""Log lines reach the operator: the app's loggers at LOG_LEVEL, on stderr when nothing else is set up.

A host that configures logging itself (gunicorn's --log-config, a test runner) keeps its handlers; the app
only adds one when the root logger has none, so services' audit lines are never silently dropped.
"""
from __future__ import annotations

import logging

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def init_app(app: Flask) -> None:
    logging.getLogger("layani_flow").setLevel(app.config["LOG_LEVEL"])
    root = logging.getLogger()
    if not root.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
