"""Fixtures only. Each test gets its own database: a copy of a migrated SQLite file, or a truncated
PostgreSQL schema when LAYANI_TEST_DATABASE_URI names one (the CI's PostgreSQL leg)."""
from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from layani_flow import create_app
from layani_flow.clock import FrozenClock
from layani_flow.extensions import db as _db
from layani_flow.models import Case

from .factories import PASSWORD
from .scenarios import Office, build_office, file_and_forward_data_update, file_kgb_requests

PG_URI = os.environ.get("LAYANI_TEST_DATABASE_URI", "")
ON_POSTGRES = PG_URI.startswith("postgresql")
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite runs, but never silently in CI (see .ci/run)."""
    if ON_POSTGRES:
        return
    if os.environ.get("LAYANI_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError("LAYANI_REQUIRE_POSTGRES=1 but LAYANI_TEST_DATABASE_URI names no PostgreSQL "
                                "database (postgresql+psycopg://…); the PostgreSQL tests would only skip")
    skip = pytest.mark.skip(reason="needs LAYANI_TEST_DATABASE_URI=postgresql+psycopg://…")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _migrate(uri: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": uri})
    app.instance_path = str(instance)
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run: a SQLite file to copy, or the PostgreSQL schema to truncate."""
    if ON_POSTGRES:
        engine = create_engine(PG_URI)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(PG_URI, tmp_path_factory.mktemp("pg"))
        return PG_URI
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{path}", path.parent)
    return path


def _truncate_all(uri: str) -> None:
    engine = create_engine(uri)
    tables = ", ".join(t.name for t in _db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_uri(database_template, tmp_path):
    if ON_POSTGRES:
        _truncate_all(PG_URI)
        return PG_URI
    target = tmp_path / "layani.sqlite"
    shutil.copyfile(database_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(database_uri, tmp_path):
    """Override in a test module to change settings before the app is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "BASE_URL": "http://localhost",
        "MAIL_SUPPRESS_SEND": True,
        "SERVER_NAME": None,
        # The worker's daily personnel reminders would email the whole test office in Oct–Dec (leave) and
        # January (SKP); tests of them switch it on (tests/cli/test_remind.py).
        "WORKER_PERSONNEL_REMINDERS": False,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.extensions["clock"] = FrozenClock()
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def clock(app) -> FrozenClock:
    return app.extensions["clock"]


@pytest.fixture
def limiter_clock(clock, monkeypatch) -> FrozenClock:
    """Flask-Limiter and its storages (in memory, database://) read `time.time()`, not the app's clock; here they read the
    test's FrozenClock, so a throttling window passes with `clock.advance()` instead of a wait. (A library
    that stops importing `time` in these modules makes this fixture fail loudly, not pass silently.)"""
    import time as real_time

    import flask_limiter._extension
    import limits.storage.memory
    import limits.strategies

    import layani_flow.rate_limits

    class ClockTime:
        def time(self) -> float:
            return clock.now().timestamp()

        def __getattr__(self, name):
            return getattr(real_time, name)

    for module in (limits.storage.memory, limits.strategies, flask_limiter._extension, layani_flow.rate_limits):
        monkeypatch.setattr(module, "time", ClockTime())
    return clock


@pytest.fixture
def db(app):
    return _db


class FreshContextClient(FlaskClient):
    """Each request runs in an app context of its own, as in production. Without it, the test's app context
    would be reused by every request, so `g` (Flask-Login's cached user, Flask-WTF's CSRF token) and the
    database session would carry over from one request to the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class WebClient:
    """The test client plus what a person does: log in through the form, post forms with their CSRF token."""

    def __init__(self, client):
        self.client = client
        self._token: str | None = None

    def __getattr__(self, name):
        return getattr(self.client, name)

    def csrf(self) -> str:
        if self._token is None:
            self._token = csrf_token_from(self.client.get("/masuk").get_data(as_text=True))
        return self._token

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)

    def login(self, user, password: str = PASSWORD):
        response = self.post_form("/masuk", {"nip": user.nip, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        self._token = None  # the session was renewed at login
        return response

    def logout(self):
        response = self.post_form("/keluar")
        self._token = None  # logging out ends the session, and its CSRF token with it
        return response


@pytest.fixture
def web(client) -> WebClient:
    return WebClient(client)


@pytest.fixture
def login_as(web):
    def _login(user):
        web.login(user)
        return web

    return _login


class ApiClient:
    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def _headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url, json=None, **kwargs):
        return self.client.post(url, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def api(client):
    """api(user) → an API client authenticated with a fresh personal token of that user."""
    from layani_flow.services.users import create_token

    def _for(user=None):
        return ApiClient(client, create_token(user.nip) if user is not None else None)

    return _for


@pytest.fixture
def office(app) -> Office:
    """A small office: head → kasubbag → officers; head → kabid → two employees; an admin (tests/scenarios.py).
    No desk head is configured: ask for `desk` for that."""
    return build_office()


@pytest.fixture
def desk(app, office) -> Office:
    """The same office, with its kasubbag kepegawaian configured as the desk head (DESK_HEAD_NIP): the first
    rung of every escalation, and the one supervisor who claims or reassigns desk cases."""
    app.config["DESK_HEAD_NIP"] = office.kasubbag.nip
    return office


@pytest.fixture
def kgb_filed_wednesday(clock, office) -> Case:
    """A KGB request office.employee filed on Wednesday 25 November 2026, 09.00 WIB, that nobody has claimed:
    first response due Thursday 16.00 WIB (tests/scenarios.py: LEVEL_1), resolution Wednesday 2 December."""
    [case] = file_kgb_requests(clock, office.employee)
    return case


@pytest.fixture
def overdue_kgb_requests(db, clock, office):
    """`overdue_kgb_requests(n)`: n of those KGB requests, as ids, overdue from LEVEL_1 on. The test's session
    is closed afterwards, so sweepers in other threads or processes find none of its transactions open."""

    def file(n: int) -> list[int]:
        ids = [case.id for case in file_kgb_requests(clock, office.employee, n)]
        for person in vars(office).values():  # the filings' commits expired them: still readable once detached
            db.session.refresh(person)
        db.session.remove()
        return ids

    return file


@pytest.fixture
def inbox_count_matches(monkeypatch):
    """Every inbox read in the test also checks the header's count (services.inbox.count_for, a COUNT that
    never reads the inbox) against the inbox's length, for whoever it is and whatever waits on them."""
    from layani_flow.services import inbox

    read = inbox.inbox_for

    def checked(person):
        items = read(person)
        assert inbox.counted(person) == len(items), (person.name, [i.reason for i in items])
        return items

    monkeypatch.setattr(inbox, "inbox_for", checked)


@pytest.fixture
def data_update_forwarded(clock, office) -> Case:
    """A data-update request filed Wednesday 09.00 WIB, verified and forwarded to BKPSDMD straight away."""
    return file_and_forward_data_update(clock, office)


class MailSink:
    """What a real SMTP server on loopback received, parsed with the standard email package."""

    def __init__(self):
        self.messages = []  # (envelope recipients, email.message.EmailMessage)

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return _free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """An aiosmtpd server on 127.0.0.1; `.stop()` / `.start()` simulate a mail server going down."""
    from aiosmtpd.controller import Controller

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    sink.controller = controller
    yield sink
    try:
        controller.stop()
    except AssertionError:
        pass  # already stopped by the test


@pytest.fixture
def mail_config(app_config, smtp_port):
    """Merge into app_config in a test module to send to the loopback SMTP server for real."""
    return {**app_config, "MAIL_SUPPRESS_SEND": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
            "MAIL_TIMEOUT": 5}


@contextmanager
def module_app(database_template, folder: Path):
    """One app (and database) shared by a whole module, for large tables of cheap tests: a copy of the
    migrated SQLite file, or the truncated PostgreSQL schema. Yields inside its app context."""
    if ON_POSTGRES:
        _truncate_all(PG_URI)
        uri = PG_URI
    else:
        shutil.copyfile(database_template, folder / "layani.sqlite")
        uri = f"sqlite:///{folder / 'layani.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_FOLDER": str(folder / "uploads"), "SERVER_NAME": None, "MAIL_SUPPRESS_SEND": True,
                      "BASE_URL": "http://localhost"})
    app.extensions["clock"] = FrozenClock()
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()
