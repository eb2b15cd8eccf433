"""Fixtures for the browser leg: the real app on a live local server, Debian's chromium driven by
Playwright (never a downloaded browser), and axe-core checks on every page a test visits.

Without /usr/bin/chromium, Playwright or node_modules/axe-core the tests skip with the reason, unless
LAYANI_REQUIRE_BROWSER=1 (CI), where they fail instead."""
from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from layani_flow import create_app
from layani_flow.extensions import db as _db

from .support import AXE_JS, CHROMIUM, CSP_LISTENER, CSP_PREFIX, PEOPLE, ROOT, SUPERIORS, Person

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REQUIRE_BROWSER = os.environ.get("LAYANI_REQUIRE_BROWSER") == "1"
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _missing_prerequisite() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not AXE_JS.exists():
        return f"{AXE_JS.relative_to(ROOT)} is missing (run scripts/setup, which runs npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install -e '.[test]')"
    return None


def _skip_or_fail(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"browser test cannot run and LAYANI_REQUIRE_BROWSER=1: {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason}")


# --- the app on a live server ---------------------------------------------------------------------

class LiveServer:
    def __init__(self, app, host: str = "127.0.0.1"):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server(host, 0, app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        with socket.create_connection(self.server.server_address[:2], timeout=5):
            pass  # listening
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app (CSRF on, real sessions) on a migrated SQLite file, served on a free local port."""
    from flask_migrate import upgrade

    from layani_flow.services.users import create_user

    folder = tmp_path_factory.mktemp("live")
    app = create_app({
        "SECRET_KEY": "browser-leg",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'layani.sqlite'}",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "MAIL_SUPPRESS_SEND": True,
        "BASE_URL": "http://127.0.0.1",
    })
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        for key, person in PEOPLE.items():
            superior = PEOPLE[SUPERIORS[key]].nip if key in SUPERIORS else None
            create_user(nip=person.nip, name=person.name, email=f"{key}@dkp.babelprov.go.id", role=person.role,
                        password=person.password, superior_nip=superior, unit="Subbag Umum dan Kepegawaian")
        _db.session.remove()
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def people() -> dict[str, Person]:
    return PEOPLE


# --- the browser -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    reason = _missing_prerequisite()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # a broken chromium is a failure under CI, a skip on a developer's machine
        playwright.stop()
        _skip_or_fail(f"chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, photograph its page into the test's tmp dir and say where in the report."""
    report = yield
    if report.when == "call" and report.failed:
        for name in ("page", "phone_page"):
            page = item.funcargs.get(name)
            if page is None or page.is_closed():
                continue
            target = page.failure_dir / f"failure-{name}.png"
            try:
                page.screenshot(path=str(target), full_page=True)
                note = f"{target} (of {page.url})"
            except Exception as exc:  # the page itself may be what broke
                note = f"none: {exc}"
            report.sections.append((f"screenshot of {name}", note))
    return report


def _new_page(browser, live_server, tmp_path: Path, viewport: dict, **context_options):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="id-ID",
                                  timezone_id="Asia/Jakarta", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.failure_dir = tmp_path
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    # Whatever the Content-Security-Policy refuses: the standard event, reported through the console (an init
    # script is not subject to the page's policy), and chromium's own "Refused to …" console lines.
    context.add_init_script(CSP_LISTENER)
    page.csp_violations = []
    page.on("console", lambda msg: page.csp_violations.append(f"{page.url}: {msg.text}")
            if msg.text.startswith(CSP_PREFIX) or "Content Security Policy" in msg.text else None)
    return context, page


@pytest.fixture
def page(browser, live_server, tmp_path):
    """A fresh desktop browser context (no cookies) per test; a screenshot lands in tmp_path on failure."""
    context, page = _new_page(browser, live_server, tmp_path, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, tmp_path):
    """Like `page`, on a phone-sized touch screen (390×844)."""
    context, page = _new_page(browser, live_server, tmp_path, PHONE, is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    yield page
    context.close()
