"""Log lines reach the operator: the app's loggers at LOG_LEVEL, on stderr when nothing else is set up.

A host that configures logging itself (gunicorn's --log-config, a test runner) keeps its handlers; the app
only adds one when the root logger has none, so services' audit lines are never silently dropped.
"""
from __future__ import annotations

import logging
import traceback

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def init_app(app: Flask) -> None:
    logging.getLogger("layani_flow").setLevel(app.config["LOG_LEVEL"])
    root = logging.getLogger()
    if not root.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)


def trace_without_messages(exc: BaseException) -> str:
    """Where an exception came from (each frame's file, line and function, and the exception's class, through
    its causes) without any exception's message. For failures on data from outside (an emailed reply) the
    messages can quote that data: a charset name, an address, a SQL parameter holding the body."""
    lines: list[str] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = traceback.extract_tb(exc.__traceback__)
        lines.append(("" if not lines else "from ") + f"{type(exc).__module__}.{type(exc).__qualname__}")
        lines.extend(f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n".join(lines)
