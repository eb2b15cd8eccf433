"""Log lines that reach the operator: LOG_LEVEL and LOG_FORMAT, one id per request or worker cycle on every line,
and no secret or private text.

- **Where**: the app's loggers (`layani_flow.*`) at LOG_LEVEL; other libraries keep the root's level (WARNING
  unless the host says otherwise: Flask-Limiter at INFO would log client addresses). One handler on the root
  logger writes to stderr, so every logger's lines reach it; under gunicorn that is its stderr, or its error
  log with `--capture-output`. A host that configures logging itself (gunicorn's `--log-config`, a test
  runner) keeps its handlers; it may add `ContextFilter`, `RedactFilter` and a formatter from here.
- **Ids**: `RequestIds` (WSGI) gives each request an id, echoed as `X-Request-ID`; `new_cycle()` gives one to a
  worker cycle or a CLI command. A contextvar carries it, so a line logged anywhere during that request or
  cycle (services, SQLAlchemy, Flask-Limiter) gets it from `ContextFilter` on the handler.
- **Times**: ISO 8601 in WIB with its offset and milliseconds, the zone of the office and of every page.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import traceback
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")  # no daylight saving in Indonesia; a fixed offset is exact

# ("req" | "cycle", id) of the request or cycle this code runs for; None outside both (start-up, mail-in).
_current: ContextVar[tuple[str, str] | None] = ContextVar("layani_log_id", default=None)

# An incoming X-Request-ID is kept only when it cannot break a line or a JSON field, nor flood one.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Pages an anonymous filer uses (docs/anonymity.md): an id chosen by the client would be the same on their named
# requests if their software reused it, so these get a fresh one; gunicorn's access lines name no address.
ANONYMOUS_PATHS = ("/aduan-anonim", "/lacak", "/kasus/baru/complaint")


def new_id() -> str:
    return secrets.token_hex(8)


def current_ids() -> dict[str, str]:
    """{"request_id": …} or {"cycle_id": …} for the code running now, or {} (e.g. for an error page to show)."""
    current = _current.get()
    if current is None:
        return {}
    kind, value = current
    return {"request_id" if kind == "req" else "cycle_id": value}


@contextmanager
def new_cycle(cycle_id: str | None = None) -> Iterator[str]:
    """Every line logged inside carries this cycle id (one worker cycle, one CLI command)."""
    cycle_id = cycle_id or new_id()
    token = _current.set(("cycle", cycle_id))
    try:
        yield cycle_id
    finally:
        _current.reset(token)


def is_anonymous_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in ANONYMOUS_PATHS)


class RequestIds:
    """WSGI middleware: the request's id is set before Flask sees the request and cleared after its teardown,
    so routing errors, error handlers and teardown (the database session) log with it too."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        if SAFE_REQUEST_ID.fullmatch(incoming) and not is_anonymous_path(environ.get("PATH_INFO", "")):
            request_id = incoming
        else:
            request_id = new_id()

        def start_with_id(status, headers, exc_info=None):
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        token = _current.set(("req", request_id))
        try:
            return self.wsgi_app(environ, start_with_id)
        finally:  # a streamed body logs without the id; no view streams one that logs
            _current.reset(token)


class ContextFilter(logging.Filter):
    """Adds `request_id` and `cycle_id` (one of them, or both None) to every record the handler sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # a record seen by two of our handlers keeps what it got first
            ids = current_ids()
            record.request_id, record.cycle_id = ids.get("request_id"), ids.get("cycle_id")
        return True


# -- redaction ---------------------------------------------------------------------------------------------
HIDDEN = "[redacted]"
REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(balas\+)[^@\s\"'<>]+(?=@)", re.IGNORECASE), rf"\g<1>{HIDDEN}"),  # signed reply addresses
    (re.compile(r"(/email/aksi/|/kata-sandi/atur/)[^/\s?#\"'<>]+"), rf"\g<1>{HIDDEN}"),  # signed links
    (re.compile(r"(\bBearer\s+)[^\s\"',;]+", re.IGNORECASE), rf"\g<1>{HIDDEN}"),
    (re.compile(r"\blyn_[A-Za-z0-9_-]{8,}"), f"lyn_{HIDDEN}"),  # API tokens, wherever they appear
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*):[^@\s/]+@", re.IGNORECASE), rf"\g<1>:{HIDDEN}@"),  # URL passwords
    (re.compile(r"\b(password|passwd)=[^\s&;]+", re.IGNORECASE), rf"\g<1>={HIDDEN}"),
    # SQLAlchemy's error text quotes the statement's values: bodies, addresses, hashes.
    (re.compile(r"\[parameters: [^\n]*\]"), f"[parameters: {HIDDEN}]"),
)


# Each pattern above needs one of these (lowercased): most lines have none and skip the patterns (1 µs, not 10).
_CLUES = ("balas+", "/email/aksi/", "/kata-sandi/atur/", "bearer", "lyn_", "://", "passw", "[parameters: ")


def redact(text: str) -> str:
    lowered = text.lower()
    if not any(clue in lowered for clue in _CLUES):
        return text
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """A safety net under the rule that nobody logs secrets: masks what looks like one in the message, the
    exception text and the stack. It rewrites the record, so handlers after this one see the masked text."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
            masked = redact(message)
            if masked != message:
                record.msg, record.args = masked, None
            if record.exc_info and not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:  # a filter that raises would break the caller's logging call; let emit report it
            pass
        return True


# -- formats -----------------------------------------------------------------------------------------------
def wib_time(created: float) -> str:
    return dt.datetime.fromtimestamp(created, WIB).isoformat(timespec="milliseconds")


class _Formatter(logging.Formatter):
    def details(self, record: logging.LogRecord) -> str:
        """The exception and stack text, if any ('' otherwise)."""
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        parts = [record.exc_text] if record.exc_text else []
        if record.stack_info:
            parts.append(self.formatStack(record.stack_info))
        return "\n".join(parts)


# Continuation lines (a traceback, a multi-line message) are indented: no text inside a message can pass for a
# line of its own, e.g. a request path with an encoded newline.
_CONTINUE = str.maketrans({"\n": "\n    ", "\r": "\\r"})


class TextFormatter(_Formatter):
    """`2026-12-01T10:00:00.000+07:00 INFO layani_flow.services.cases [req=3f2a…] Case … by 12`."""

    def format(self, record: logging.LogRecord) -> str:
        request_id, cycle_id = getattr(record, "request_id", None), getattr(record, "cycle_id", None)
        ident = f"req={request_id}" if request_id else f"cycle={cycle_id}" if cycle_id else "-"
        text = record.getMessage()
        details = self.details(record)
        if details:
            text = f"{text}\n{details}"
        return f"{wib_time(record.created)} {record.levelname} {record.name} [{ident}] {text.translate(_CONTINUE)}"


class JsonFormatter(_Formatter):
    """One JSON object per line: time, level, logger, message, request_id or cycle_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": wib_time(record.created), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        for key in ("request_id", "cycle_id"):
            if getattr(record, key, None):
                entry[key] = getattr(record, key)
        details = self.details(record)
        if details:
            entry["exception"] = details
        return json.dumps(entry, ensure_ascii=False)


FORMATTERS = {"text": TextFormatter, "json": JsonFormatter}


class OperatorHandler(logging.StreamHandler):
    """The app's own handler (so a second create_app in this process reconfigures it instead of adding one)."""


def make_handler(stream, log_format: str) -> logging.Handler:
    handler = OperatorHandler(stream)
    configure_handler(handler, log_format)
    return handler


def configure_handler(handler: logging.Handler, log_format: str) -> None:
    for old in list(handler.filters):
        handler.removeFilter(old)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter())
    handler.setFormatter(FORMATTERS[log_format]())


# -- gunicorn's access log ---------------------------------------------------------------------------------
_ADDRESS_WORDS = ("addr", "forwarded", "real-ip", "real_ip", "client-ip", "client_ip", "proxy_fix")


class AccessLogFilter(RedactFilter):
    """On `gunicorn.access`: no client address on the anonymous pages, whatever --access-logformat says,
    and no token in a path (signed links sit in the path: /email/aksi/<token>)."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        try:
            if isinstance(atoms, MutableMapping) and is_anonymous_path(str(atoms.get("U") or "")):
                for key in list(atoms):  # gunicorn's own dict, made for this line
                    if key == "h" or (key.startswith("{") and any(word in key for word in _ADDRESS_WORDS)):
                        atoms[key] = "-"
        except Exception:  # never break gunicorn's logging; the line then keeps what it had
            pass
        return super().filter(record)


def _guard_gunicorn_access_log() -> None:
    if "gunicorn.access" not in logging.Logger.manager.loggerDict:  # not under gunicorn
        return
    access = logging.getLogger("gunicorn.access")
    if not any(isinstance(f, AccessLogFilter) for f in access.filters):
        access.addFilter(AccessLogFilter())


def init_app(app: Flask) -> None:
    logging.getLogger("layani_flow").setLevel(app.config["LOG_LEVEL"])
    # Flask's documented way to wrap the app in WSGI middleware; mypy sees wsgi_app only as a method.
    app.wsgi_app = RequestIds(app.wsgi_app)  # type: ignore[method-assign]
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, OperatorHandler)]
    if ours:  # the app was created again in this process (e.g. by a test): the last one's format wins
        configure_handler(ours[0], app.config["LOG_FORMAT"])
    elif not root.handlers and not app.testing:
        root.addHandler(make_handler(sys.stderr, app.config["LOG_FORMAT"]))
    _guard_gunicorn_access_log()


def trace_without_messages(exc: BaseException) -> str:
    """Where an exception came from (each frame's file, line and function, and the exception's class, through
    its causes) without any exception's message. For failures on data from outside (an emailed reply) the
    messages can quote that data: a charset name, an address, a SQL parameter holding the body."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        lines.append(("" if not lines else "from ") + f"{type(current).__module__}.{type(current).__qualname__}")
        lines.extend(f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\n".join(lines)
