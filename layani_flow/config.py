"""Every setting with its declared type, default and meaning.

Later layers win: these defaults → `instance/config.py` → environment variables `LAYANI_<KEY>`. Whatever
layer a value came from, it is checked against its declared type when the app starts; an environment
variable, always text, is converted to that type (`LAYANI_DESK_HEAD_NIP=197809172003121002` stays the
text of a NIP, never becomes a number). A value that cannot be converted stops the start with a message
naming the variable and what it should look like, instead of failing later in a sweep or a query.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import click

logger = logging.getLogger(__name__)

ENV_PREFIX = "LAYANI_"
DEV_SECRET_KEY = "dev-only-change-me"  # create_app warns when this is left in place outside tests


class ConfigError(click.ClickException):
    """A setting that is not what its declaration says; raised at start-up. On the command line it ends the
    command with its message and exit status 1, without a traceback."""


@dataclass(frozen=True)
class Kind:
    """How a setting's value looks: `parse` turns environment text into it, `accept` checks a Python value
    (from instance/config.py or a test config) and may normalise it. Both raise ValueError with a hint."""

    hint: str
    parse: Callable[[str], Any]
    accept: Callable[[Any], Any]
    optional: bool = False
    label: str = ""  # the type in the README's table (the hint is what a person reads in an error)


def _fail(hint: str) -> NoReturn:
    raise ValueError(hint)


def _type_check(types: tuple[type, ...], hint: str, also: Callable[[Any], Any] = lambda v: v):
    def accept(value):
        if isinstance(value, bool) and bool not in types:  # True is an int to Python, not to an operator
            _fail(hint)
        if not isinstance(value, types):
            _fail(hint)
        return also(value)

    return accept


def text(*, choices: tuple[str, ...] | None = None, nonempty: bool = False, optional: bool = False) -> Kind:
    hint = f"salah satu dari {', '.join(choices)}" if choices else ("teks yang tidak kosong" if nonempty else "teks")

    def check(value: str) -> str:
        if choices and value not in choices:
            _fail(hint)
        if nonempty and not value.strip():
            _fail(hint)
        return value

    label = f"one of {', '.join(choices)}" if choices else "text"
    return Kind(hint, check, _type_check((str,), hint, check), optional, label)


def integer(*, min: int | None = None, max: int | None = None, optional: bool = False) -> Kind:
    bounds = (f" antara {min} dan {max}" if min is not None and max is not None
              else f" paling kecil {min}" if min is not None else "")
    hint = f"bilangan bulat{bounds}"

    def check(value: int) -> int:
        if (min is not None and value < min) or (max is not None and value > max):
            _fail(hint)
        return value

    def parse(raw: str) -> int:
        raw = raw.strip()
        if not raw.lstrip("-").isdigit() or not raw.isascii():
            _fail(hint)
        return check(int(raw))

    label = "integer" + (f" {min}–{max}" if min is not None and max is not None else f" ≥ {min}" if min is not None else "")
    return Kind(hint, parse, _type_check((int,), hint, check), optional, label)


def number(*, min: float | None = None, optional: bool = False) -> Kind:
    hint = "angka" + (f" paling kecil {min:g}" if min is not None else "")

    def check(value) -> float:
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")) or (min is not None and value < min):
            _fail(hint)
        return value

    def parse(raw: str) -> float:
        try:
            return check(float(raw.strip()))
        except (TypeError, ValueError):
            _fail(hint)

    return Kind(hint, parse, _type_check((int, float), hint, check), optional,
                "number" + (f" ≥ {min:g}" if min is not None else ""))


TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on", "ya"), ("0", "false", "no", "off", "tidak")


def flag(*, optional: bool = False) -> Kind:
    hint = "true atau false (juga 1/0, yes/no, on/off)"

    def parse(raw: str) -> bool:
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        _fail(hint)

    return Kind(hint, parse, _type_check((bool,), hint), optional, "true/false")


def duration(*, optional: bool = False) -> Kind:
    hint = "durasi kerja seperti 90m, 8h atau 2d"

    def check(value: str) -> str:
        from .working_time import CalendarError, parse_duration

        try:
            unit, amount = parse_duration(value)
        except CalendarError:
            _fail(hint)
        return f"{amount}{unit}"

    return Kind(hint, check, _type_check((str,), hint, check), optional, "working duration (90m, 8h, 2d)")


def nip(*, optional: bool = False) -> Kind:
    hint = "NIP 18 angka, sebagai teks (di instance/config.py dalam tanda kutip)"

    def check(value: str) -> str:
        value = value.strip()
        if len(value) != 18 or not (value.isascii() and value.isdigit()):
            _fail(hint)
        return value

    return Kind(hint, check, _type_check((str,), hint, check), optional, "NIP (18 digits, as text)")


def url(*, schemes: tuple[str, ...] = ("http", "https"), optional: bool = False) -> Kind:
    hint = f"alamat {' atau '.join(schemes)}://…"

    def check(value: str) -> str:
        scheme, sep, rest = value.strip().partition("://")
        if not sep or scheme.lower() not in schemes or not rest.strip("/"):
            _fail(hint)
        return value.strip()

    return Kind(hint, check, _type_check((str,), hint, check), optional, "URL")


def json_object(*, optional: bool = False) -> Kind:
    hint = 'objek JSON, mis. {"kunci": "nilai"}'

    def parse(raw: str) -> dict:
        try:
            value = json.loads(raw)
        except ValueError:
            _fail(hint)
        if not isinstance(value, dict):
            _fail(hint)
        return value

    return Kind(hint, parse, _type_check((dict,), hint), optional, "JSON object")


def rate_limit(*, optional: bool = False) -> Kind:
    """A Flask-Limiter rate such as "5 per 15 minutes" (several joined by ';')."""
    hint = 'batas laju seperti "5 per 15 minutes" atau "20/hour"'

    def check(value: str) -> str:
        from limits import parse_many

        try:
            if not parse_many(value):
                _fail(hint)
        except ValueError:
            _fail(hint)
        return value

    return Kind(hint, check, _type_check((str,), hint, check), optional, 'rate ("5 per 15 minutes")')


@dataclass(frozen=True)
class Setting:
    kind: Kind
    default: Any
    help: str


S = Setting
SETTINGS: dict[str, Setting] = {
    # -- Flask and the database ----------------------------------------------------------------------
    "SECRET_KEY": S(text(nonempty=True), DEV_SECRET_KEY, "signs sessions, CSRF tokens and email links"),
    "TESTING": S(flag(), False, "Flask's test mode"),
    "DEBUG": S(flag(), False, "Flask's debug mode; never in production"),
    "SERVER_NAME": S(text(optional=True), None, "Flask's SERVER_NAME; leave unset behind a proxy"),
    "PREFERRED_URL_SCHEME": S(text(choices=("http", "https")), "http", "scheme of URLs built outside a request"),
    "SQLALCHEMY_DATABASE_URI": S(text(optional=True), None,
                                 "None → SQLite file in the instance folder; PostgreSQL as postgresql+psycopg://…"),
    "SQLALCHEMY_ENGINE_OPTIONS": S(json_object(), {}, "passed to create_engine (pool_size, …)"),
    "SQLALCHEMY_RECORD_QUERIES": S(flag(), False, "keep each request's statements (debugging)"),
    "MAX_CONTENT_LENGTH": S(integer(min=1), 6 * 1024 * 1024, "largest request body in bytes"),
    "WTF_CSRF_TIME_LIMIT": S(integer(min=60, optional=True), 8 * 3600,
                             "seconds a form's CSRF token lives; a long form on a slow phone must not lose it"),
    # -- sessions and sign-in --------------------------------------------------------------------------
    "SESSION_COOKIE_HTTPONLY": S(flag(), True, "session cookie unreadable by scripts"),
    "SESSION_COOKIE_SAMESITE": S(text(choices=("Lax", "Strict")), "Lax", "session cookie SameSite"),
    "SESSION_COOKIE_SECURE": S(flag(optional=True), None, "None → True exactly when BASE_URL is https"),
    "REMEMBER_COOKIE_HTTPONLY": S(flag(), True, "Flask-Login's remember cookie unreadable by scripts"),
    "SESSION_IDLE_MINUTES": S(integer(min=1), 30, "a session unused this long ends"),
    "SESSION_MAX_HOURS": S(integer(min=1), 12, "a session ends this long after sign-in, used or not"),
    "DRAFT_MINUTES": S(integer(min=1), 120,
                       "how long typed text is kept for someone whose session ran out (services/drafts.py)"),
    "PASSWORD_MIN_LENGTH": S(integer(min=8), 12, "shortest password a person may choose"),
    "SET_PASSWORD_LINK_HOURS": S(integer(min=1), 48, "how long an emailed set-password link works"),
    "INVITATION_LINK_HOURS": S(integer(min=1), 168,
                               "how long the set-password link in an imported person's invitation works"),
    "IMPORT_MAX_BYTES": S(integer(min=1024), 5 * 1024 * 1024, "largest CSV file the employee import page accepts"),
    "RATELIMIT_STORAGE_URI": S(text(nonempty=True), "auto",
                               "Flask-Limiter counters: database:// (shared by every app server), redis://host:6379, "
                               "or memory:// (one server only); auto → database:// on PostgreSQL, memory:// on SQLite"),
    "LOGIN_LIMIT_PER_NIP": S(rate_limit(), "5 per 15 minutes", "failed sign-ins allowed per NIP"),
    "LOGIN_LIMIT_PER_ADDRESS": S(rate_limit(), "20 per 15 minutes", "failed sign-ins allowed per client address"),
    "PEOPLE_SEARCH_LIMIT": S(rate_limit(), "30 per minute",
                             "name searches per person (choosing the other party of a mediation)"),
    "ANONYMOUS_LIMIT_PER_ADDRESS": S(rate_limit(), "5 per hour", "anonymous complaints accepted per client address"),
    "TRUSTED_PROXIES": S(integer(min=0, max=5), 0,
                         "reverse proxies in front of the app whose X-Forwarded-For is believed (0 = none)"),
    # -- email out ---------------------------------------------------------------------------------------
    "MAIL_SERVER": S(text(nonempty=True), "127.0.0.1", "SMTP server"),
    "MAIL_PORT": S(integer(min=1, max=65535), 8025, "SMTP port"),
    "MAIL_USE_TLS": S(flag(), False, "STARTTLS"),
    "MAIL_USE_SSL": S(flag(), False, "SMTP over TLS"),
    "MAIL_USERNAME": S(text(optional=True), None, "SMTP user"),
    "MAIL_PASSWORD": S(text(optional=True), None, "SMTP password"),
    "MAIL_DEFAULT_SENDER": S(text(nonempty=True), "LAYANI DKP Babel <layani@dkp.babelprov.go.id>",
                             "From of every email; its domain is the domain of reply addresses"),
    "MAIL_SUPPRESS_SEND": S(flag(), False, "Flask-Mail sends nothing (tests)"),
    "MAIL_TIMEOUT": S(number(min=1), 10, "seconds before a silent mail server counts as down"),
    "OUTBOX_LEASE_SECONDS": S(integer(min=1), 300, "seconds a worker holds the mail it sends; a dead worker's goes again after"),
    "BASE_URL": S(url(), "http://127.0.0.1:5000", "absolute URL of the app, used in links inside emails"),
    "EMAIL_LINK_MAX_AGE_HOURS": S(integer(min=1), 72,
                                  "how long action links and signed reply addresses in emails work"),
    # -- email in ----------------------------------------------------------------------------------------
    "MAIL_IN_REQUIRE_DKIM": S(flag(), False, "accept replies only with a valid DKIM signature of MAIL_IN_DKIM_DOMAIN"),
    "MAIL_IN_DKIM_DOMAIN": S(text(optional=True), None, "None → the domain of MAIL_DEFAULT_SENDER"),
    "MAIL_IN_MAX_CHARS": S(integer(min=100), 5000, "longer replies are cut, with a note"),
    "MAIL_IN_REFUSAL_EVERY_MINUTES": S(integer(min=1), 60, "at most one 'nothing happened' email per person per this"),
    # -- the worker --------------------------------------------------------------------------------------
    "WORKER_INTERVAL": S(number(min=0.1), 30, "seconds between worker cycles"),
    "WORKER_PERSONNEL_REMINDERS": S(flag(), True,
                                    "the worker sends the personnel reminders (`layani remind`) once per WIB day"),
    # -- cases, uploads, pages ---------------------------------------------------------------------------
    "FILE_STORAGE": S(text(choices=("auto", "database", "filesystem")), "auto",
                      "where uploads are kept: database (every app server sees them) or filesystem (UPLOAD_FOLDER, "
                      "one server); auto → database on PostgreSQL, filesystem on SQLite"),
    "UPLOAD_FOLDER": S(text(optional=True), None,
                       "None → <instance>/uploads, outside the web root; used when FILE_STORAGE is filesystem"),
    "MAX_UPLOAD_BYTES": S(integer(min=1), 5 * 1024 * 1024, "largest accepted document"),
    "COMPLAINT_REOPEN_DAYS": S(integer(min=0), 14, "days a filer may reopen an answered complaint"),
    "PAGE_SIZE": S(integer(min=1, max=500), 25, "rows per page of lists"),
    "ANONYMOUS_TIME_GRANULARITY_MINUTES": S(integer(min=1, max=1440), 60,
                                            "anonymous filers' actions are timed only to this precision"),
    # -- service levels ----------------------------------------------------------------------------------
    "SLA_WARN_PERCENT": S(integer(min=1, max=99), 75, "share of a clock's time after which the owner is warned"),
    "SLA_ESCALATE_EVERY": S(duration(), "1d", "working time between escalation levels"),
    "DESK_HEAD_NIP": S(nip(optional=True), None, "head of the personnel desk: level 1 for unclaimed cases"),
    "WORKING_WEEK": S(json_object(optional=True), None,
                      'None → the contract\'s week; else {"0": [["07:30", "12:00"], …], …} (0 = Monday)'),
    "REPLY_TARGET": S(duration(), "0d", "an out-of-hours message is promised an answer within this"),
    # -- ConsDesk ----------------------------------------------------------------------------------------
    "CONSULTATION_CUTOFF_MINUTES": S(integer(min=0, max=7 * 24 * 60), 120,
                                     "a booker may move or cancel a consultation until this many minutes before it"),
    # -- ChatCanal and the satisfaction question --------------------------------------------------------
    "CHAT_FIRST_RESPONSE": S(duration(), "15m", "a chat's first response is due within this working time"),
    "CHAT_STREAM_SECONDS": S(integer(min=1), 55,
                             "one live chat stream (SSE) lasts this long, then the browser reconnects"),
    "CHAT_STREAM_POLL_MS": S(integer(min=100), 1000, "how often a live chat stream looks for new messages"),
    "CHAT_WAIT_MAX_SECONDS": S(integer(min=1), 25, "the longest `wait` a polling client may ask for"),
    "FEEDBACK_LINK_MAX_AGE_DAYS": S(integer(min=1), 30, "how long the satisfaction link in a closing email works"),
    # -- logging -----------------------------------------------------------------------------------------
    "LOG_LEVEL": S(text(choices=("DEBUG", "INFO", "WARNING", "ERROR")), "INFO",
                   "level of the app's log lines (other libraries stay at WARNING)"),
    "LOG_FORMAT": S(text(choices=("text", "json")), "text",
                    "stderr log lines: text (time level logger [id] message) or json (one object per line)"),
}
del S


def defaults() -> dict[str, Any]:
    return {key: setting.default for key, setting in SETTINGS.items()}


def _problem(key: str, source: str, setting: Setting, shown: Any) -> str:
    shown = repr(shown)
    if len(shown) > 60:
        shown = shown[:57] + "…"
    return f"{source}: harus {setting.kind.hint}, bukan {shown}"


def check(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The declared keys of `values`, each checked (and normalised) against its type."""
    checked: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in values.items():
        setting = SETTINGS.get(key)
        if setting is None:
            continue
        if value is None and setting.kind.optional:
            checked[key] = None
            continue
        try:
            checked[key] = setting.kind.accept(value)
        except (TypeError, ValueError):
            problems.append(_problem(key, f"{key} ({source})", setting, value))
    if problems:
        raise ConfigError("Konfigurasi tidak valid:\n  " + "\n  ".join(problems))
    return checked


def _unquoted(raw: str) -> str:
    """`"1978…"` → `1978…`: the quoting Flask's from_prefixed_env needed to keep a NIP text still works."""
    stripped = raw.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        try:
            decoded = json.loads(stripped)
        except ValueError:
            return raw
        if isinstance(decoded, str):
            return decoded
    return raw


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Declared settings given as LAYANI_<KEY> variables, converted to their types. Unknown LAYANI_ names
    are ignored with a warning (a typo must not pass unseen, nor stop scripts that use the prefix)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        key, raw = name[len(ENV_PREFIX):], _unquoted(environ[name])
        setting = SETTINGS.get(key)
        if setting is None:
            if not key.startswith(("TEST_", "REQUIRE_")):  # the test runner's own switches
                logger.warning("Variabel %s diabaikan: bukan pengaturan LAYANI yang dikenal", name)
            continue
        if setting.kind.optional and raw.strip().lower() in ("", "none", "null"):
            values[key] = None
            continue
        try:
            values[key] = setting.kind.parse(raw)
        except (TypeError, ValueError):
            problems.append(_problem(key, name, setting, raw))
    if problems:
        raise ConfigError("Konfigurasi tidak valid:\n  " + "\n  ".join(problems))
    return values


def _shown(value: Any) -> str:
    return "—" if value is None else f"`{json.dumps(value) if isinstance(value, dict) else value}`"


def markdown_table() -> str:
    """Every setting as a Markdown table (the README's configuration section is this, checked by a test)."""
    rows = ["| setting (`LAYANI_<KEY>`) | type | default | meaning |", "|---|---|---|---|"]
    for key, setting in SETTINGS.items():
        kind = setting.kind.label + (", or empty" if setting.kind.optional else "")
        rows.append(f"| `{key}` | {kind} | {_shown(setting.default)} | {setting.help} |")
    return "\n".join(rows) + "\n"


SECRET_KEYS = frozenset({"SECRET_KEY", "MAIL_PASSWORD"})


def effective(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, value) of every declared setting as the app runs with it; secrets and passwords in URLs hidden."""
    shown = []
    for key in SETTINGS:
        value = values.get(key)
        if key in SECRET_KEYS and value:
            text = "(tersembunyi)"
        elif isinstance(value, str) and "://" in value and "@" in value.partition("://")[2]:
            scheme, _, rest = value.partition("://")
            credentials, _, host = rest.rpartition("@")
            user = credentials.partition(":")[0]
            text = f"{scheme}://{user}{':***' if ':' in credentials else ''}@{host}"
        else:
            text = json.dumps(value) if isinstance(value, dict) else str(value)
        shown.append((key, text))
    return shown
