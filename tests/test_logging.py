"""Log lines as the operator reads them: one id per request and per worker cycle on every line, the counts of
each cycle, text and JSON formats, and no secret in any line (layani_flow/logs.py)."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import subprocess
import sys

import pytest

from layani_flow import logs
from layani_flow.services import cases as case_service
from layani_flow.services.worker import run_cycle, run_worker
from layani_flow.working_time import WIB

from .factories import PASSWORD
from .processes import FLASK, REPO, layani_env, running

KGB = {"service": "kgb", "tmt_kgb_terakhir": "2024-12-01", "golongan": "Penata, III/c"}
GENERATED_ID = re.compile(r"[0-9a-f]{16}")
TEXT_LINE = re.compile(r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00) (?P<level>[A-Z]+) (?P<logger>\S+) "
                       r"\[(?P<ident>req=[\w.-]+|cycle=[\w.-]+|-)\] (?P<message>.*)")


@pytest.fixture
def app_config(mail_config):
    return mail_config  # a mail server that is not there: delivery logs a warning of its own


class OperatorLog:
    """The app's own handler, once per format, on a StringIO: what stderr would show."""

    def __init__(self):
        self.text_stream, self.json_stream = io.StringIO(), io.StringIO()
        self.handlers = [logs.make_handler(self.text_stream, "text"), logs.make_handler(self.json_stream, "json")]

    def entries(self, containing: str = "") -> list[dict]:
        found = [json.loads(line) for line in self.json_stream.getvalue().splitlines()]
        return [e for e in found if containing in e["message"]]

    def text(self) -> str:
        return self.text_stream.getvalue()


@pytest.fixture
def operator_log(app):
    log = OperatorLog()
    root, ours = logging.getLogger(), logging.getLogger("layani_flow")
    level = ours.level
    ours.setLevel(logging.DEBUG)
    for handler in log.handlers:
        root.addHandler(handler)
    yield log
    for handler in log.handlers:
        root.removeHandler(handler)
    ours.setLevel(level)


# -- requests ------------------------------------------------------------------------------------------------
def test_each_request_gets_an_id_echoed_in_its_answer_and_on_its_service_lines(web, office, operator_log):
    response = web.login(office.employee)
    request_id = response.headers["X-Request-ID"]

    assert GENERATED_ID.fullmatch(request_id)
    [entry] = operator_log.entries(f"User {office.employee.id} signed in")
    assert entry["request_id"] == request_id and "cycle_id" not in entry
    assert f"[req={request_id}] User {office.employee.id} signed in" in operator_log.text()
    assert web.get("/masuk").headers["X-Request-ID"] not in (request_id, None)


def test_a_safe_incoming_id_is_kept_echoed_and_on_the_lines_of_its_request_only(web, office, operator_log):
    web.csrf()
    response = web.post_form("/masuk", {"nip": office.employee.nip, "password": PASSWORD},
                             headers={"X-Request-ID": "nginx-7f3a.B_9"})
    assert response.status_code in (302, 303) and response.headers["X-Request-ID"] == "nginx-7f3a.B_9"
    web.logout()
    web.login(office.officer)
    assert [e["request_id"] == "nginx-7f3a.B_9" for e in operator_log.entries("signed in")] == [True, False]


@pytest.mark.parametrize("unsafe", ["", "a" * 65, "two words", 'quote"d', "semi;colon", "slash/ed", "ünïcode",
                                    "{\"json\": 1}", "%0Aforged"])
def test_an_unsafe_incoming_id_is_replaced(client, unsafe):
    response = client.get("/masuk", headers={"X-Request-ID": unsafe})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


@pytest.mark.parametrize("path", ["/aduan-anonim", "/lacak", "/lacak/kode", "/kasus/baru/complaint"])
def test_pages_of_anonymous_filers_never_keep_an_id_the_client_chose(client, path):
    """The same id on a filer's named requests and on the anonymous filing would tie them together in the logs."""
    response = client.get(path, headers={"X-Request-ID": "same-id-on-every-request"})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_errors_and_api_answers_carry_the_id_too(client, api):
    assert GENERATED_ID.fullmatch(client.get("/no-such-page").headers["X-Request-ID"])
    assert client.get("/api/v1/case-types", headers={"X-Request-ID": "api-1"}).headers["X-Request-ID"] == "api-1"


def test_a_line_outside_any_request_or_cycle_has_no_id(app, operator_log):
    logging.getLogger("layani_flow.test").info("starting up")
    [entry] = operator_log.entries("starting up")
    assert "request_id" not in entry and "cycle_id" not in entry
    assert "[-] starting up" in operator_log.text()


def test_other_libraries_lines_and_unhandled_errors_get_the_id_as_well(app, client, operator_log):
    """The filter sits on the handler, not on our loggers: any library's line during the request has the id."""
    @app.get("/_log-probe")
    def probe():
        logging.getLogger("flask_limiter").warning("a library speaks")
        raise RuntimeError("stop here")

    response = client.get("/_log-probe")
    assert response.status_code == 500
    [entry] = operator_log.entries("a library speaks")
    assert entry["logger"] == "flask_limiter" and entry["request_id"] == response.headers["X-Request-ID"]
    [error] = operator_log.entries("Unhandled error on GET /_log-probe")
    assert error["request_id"] == entry["request_id"] and "RuntimeError: stop here" in error["exception"]


# -- the worker and the commands ------------------------------------------------------------------------------
@pytest.fixture
def overdue_case(app, clock, office):
    """A request filed on Wednesday morning, unclaimed and overdue by Thursday afternoon; its receipt waits."""
    app.config["DESK_HEAD_NIP"] = office.kasubbag.nip
    clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB))
    opened = case_service.open_case("service_request", KGB, office.employee)
    clock.set(dt.datetime(2026, 11, 26, 16, 0, tzinfo=WIB))
    return opened.case


def test_one_cycle_id_on_the_lines_of_both_jobs_and_another_for_the_next_cycle(overdue_case, operator_log):
    run_worker(interval=60, once=True, echo=lambda _: None)
    first = operator_log.entries()
    sweep = [e for e in first if e["logger"] == "layani_flow.services.sweep"]
    deliver = [e for e in first if e["logger"] == "layani_flow.services.outbox"]
    assert sweep and deliver, first
    [cycle_id] = {e.get("cycle_id") for e in first}
    assert GENERATED_ID.fullmatch(cycle_id) and not any("request_id" in e for e in first)

    run_worker(interval=60, once=True, echo=lambda _: None)
    second = {e.get("cycle_id") for e in operator_log.entries()[len(first):]}
    assert len(second) == 1 and cycle_id not in second


def test_each_cycle_ends_with_one_line_of_what_each_job_did(overdue_case, operator_log):
    run_cycle(echo=lambda _: None)  # escalates, and cannot reach the mail server
    [busy] = operator_log.entries("Worker cycle:")
    assert busy["level"] == "INFO"
    assert re.fullmatch(r"Worker cycle: sweep warned=0 escalated=[1-9]\d*; reminders sent=0; personnel_reminders sent=0; imports ran=0; deliver sent=0 retried=\d+ failed=0; rate_limits purged=0",
                        busy["message"]), busy
    assert busy["cycle_id"] == operator_log.entries("SLA ")[0]["cycle_id"]

    run_cycle(echo=lambda _: None)  # nothing due any more: said at DEBUG only, so an idle desk stays quiet
    quiet = operator_log.entries("Worker cycle:")[1]
    assert quiet["level"] == "DEBUG" and quiet["cycle_id"] != busy["cycle_id"]
    assert quiet["message"] == "Worker cycle: sweep warned=0 escalated=0; reminders sent=0; personnel_reminders sent=0; imports ran=0; deliver sent=0 retried=0 failed=0; rate_limits purged=0"


def test_a_failing_job_logs_an_error_with_its_traceback_and_the_cycle_says_so(app, operator_log, monkeypatch):
    from layani_flow.services import worker

    def broken_sweep():
        raise RuntimeError("operator does not exist: character varying = bigint")

    monkeypatch.setattr(worker, "sweep_due_cases", broken_sweep)
    run_cycle(echo=lambda _: None)
    [error] = operator_log.entries("worker job 'sweep' failed")
    assert error["level"] == "ERROR" and "RuntimeError: operator does not exist" in error["exception"]
    [summary] = operator_log.entries("Worker cycle:")
    assert summary["level"] == "INFO" and summary["message"].startswith("Worker cycle: sweep failed; reminders sent=0; personnel_reminders sent=0; imports ran=0; deliver sent=0")
    assert error["cycle_id"] == summary["cycle_id"]
    assert "Traceback (most recent call last):\n    " in operator_log.text()  # indented under its line


def test_a_command_logs_with_one_cycle_id_that_ends_with_it(runner, office, operator_log):
    result = runner.invoke(args=["layani", "users", "deactivate", "--nip", office.colleague.nip])
    assert result.exit_code == 0, result.output
    [entry] = operator_log.entries(f"User {office.colleague.id} deactivated")
    assert GENERATED_ID.fullmatch(entry["cycle_id"])
    logging.getLogger("layani_flow.test").info("after the command")
    assert "cycle_id" not in operator_log.entries("after the command")[0]


# -- formats -------------------------------------------------------------------------------------------------
def test_text_lines_read_time_level_logger_id_message(web, office, operator_log):
    web.login(office.employee)
    [line] = [ln for ln in operator_log.text().splitlines() if "signed in" in ln]
    match = TEXT_LINE.fullmatch(line)
    assert match, line
    assert match["level"] == "INFO" and match["logger"] == "layani_flow.services.sessions"
    assert match["ident"].startswith("req=") and match["message"] == f"User {office.employee.id} signed in"


def test_json_lines_parse_with_their_fields(web, office, operator_log):
    web.login(office.employee)
    [entry] = operator_log.entries("signed in")
    assert set(entry) == {"time", "level", "logger", "message", "request_id"}
    stamp = dt.datetime.fromisoformat(entry["time"])
    assert stamp.utcoffset() == dt.timedelta(hours=7)
    assert entry["message"] == f"User {office.employee.id} signed in" and entry["level"] == "INFO"


def test_no_message_can_forge_a_line_of_its_own(app, operator_log):
    logging.getLogger("layani_flow.test").warning("Unhandled error on GET %s",
                                                  "/x\n2026-12-01T10:00:00.000+07:00 INFO layani_flow [-] forged")
    lines = operator_log.text().splitlines()
    assert len([ln for ln in lines if TEXT_LINE.fullmatch(ln)]) == 1 and lines[1].startswith("    ")
    assert len(operator_log.json_stream.getvalue().splitlines()) == 1


# -- redaction -----------------------------------------------------------------------------------------------
SECRETS = [
    ("Reply from balas+2a-c-6750f1a0-9f8e7d6c5b4a@dkp.babelprov.go.id", "9f8e7d6c5b4a",
     "balas+[redacted]@dkp.babelprov.go.id"),
    ("GET /email/aksi/eyJuIjoxLCJ1IjoyfQ.Z3x-Kw.abc_DEF/ ok", "eyJuIjox", "/email/aksi/[redacted]/"),
    ("POST /kata-sandi/atur/eyJ1Ijo1fQ.Zx1.q-w_e?x=1", "eyJ1Ijo1", "/kata-sandi/atur/[redacted]?x=1"),
    ("Authorization: Bearer abc.def-ghi", "abc.def-ghi", "Bearer [redacted]"),
    ("token lyn_Q2hlY2tzIGFuZCBiYWxhbmNlcw-_x9 revoked", "Q2hlY2tz", "lyn_[redacted] revoked"),
    ("storage redis://:s3cr3t-pw@redis:6379/0 down", "s3cr3t-pw", "redis://:[redacted]@redis"),
    ("db postgresql+psycopg://layani:hunter2@db/layani", "hunter2", "postgresql+psycopg://layani:[redacted]@db"),
    ("conninfo host=db password=hunter2 user=x", "hunter2", "password=[redacted] user=x"),
    ("(psycopg.errors.X) boom\n[SQL: INSERT INTO case_events (comment) VALUES (%(comment)s)]\n"
     "[parameters: {'comment': 'isi pesan rahasia [sic]'}]\n(Background on this error at: https://sqlalche.me/e/20/x)",
     "isi pesan rahasia", "[parameters: [redacted]]"),
]


@pytest.mark.parametrize(("message", "secret", "shown"), SECRETS)
def test_what_looks_like_a_secret_is_masked(app, operator_log, message, secret, shown):
    logging.getLogger("layani_flow.test").warning("%s", message)
    [entry] = operator_log.entries()
    assert secret not in entry["message"] and shown in entry["message"]
    assert secret not in operator_log.text() and shown in operator_log.text()


def test_secrets_in_an_exception_are_masked_too(app, operator_log):
    try:
        raise ValueError("bad address balas+1-2-3-deadbeef@dkp.babelprov.go.id with Bearer lyn_abcdefghijklmnopq")
    except ValueError:
        logging.getLogger("layani_flow.test").exception("while reading a reply")
    [entry] = operator_log.entries()
    assert "deadbeef" not in entry["exception"] and "abcdefghijklmnopq" not in entry["exception"]
    assert "balas+[redacted]@" in entry["exception"] and "deadbeef" not in operator_log.text()


def test_plain_lines_are_left_as_they_are(app, operator_log):
    logging.getLogger("layani_flow.test").info("Case %s %s→%s by %s", "LYN-2026-00042", "submitted",
                                               "in_verification", 12)
    assert operator_log.entries()[0]["message"] == "Case LYN-2026-00042 submitted→in_verification by 12"


def test_a_real_signed_link_in_a_logged_path_is_masked(app, operator_log):
    from layani_flow.services import tokens

    token = tokens.sign_action(1, 2, "take")
    logging.getLogger("layani_flow.views.errors").error("Unhandled error on %s %s", "GET", f"/email/aksi/{token}")
    assert token not in operator_log.text() and "/email/aksi/[redacted]" in operator_log.text()


def test_a_line_that_cannot_be_formatted_passes_the_filter_untouched():
    """A filter that raised would break the caller's logging call; the handler reports a bad line instead."""
    record = logging.LogRecord("layani_flow.test", logging.ERROR, __file__, 1, "two %s %s", ("args",), None)
    assert logs.RedactFilter().filter(record) and record.msg == "two %s %s"


# -- gunicorn's access lines ---------------------------------------------------------------------------------
def _access_record(path: str, raw_uri: str | None = None) -> logging.LogRecord:
    from gunicorn.glogging import SafeAtoms

    atoms = SafeAtoms({"h": "10.1.2.3", "r": f"POST {raw_uri or path} HTTP/1.1", "U": path, "s": "303",
                       "{x-forwarded-for}i": "203.0.113.9", "{remote_addr}e": "10.1.2.3",
                       "{x-request-id}o": "3f2a9c1d0e4b5a68"})
    fmt = '%(h)s "%(r)s" %(s)s xff=%({x-forwarded-for}i)s env=%({remote_addr}e)s req=%({x-request-id}o)s'
    return logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, fmt, (atoms,), None)


@pytest.mark.parametrize("path", ["/aduan-anonim", "/lacak", "/lacak/pesan", "/kasus/baru/complaint"])
def test_gunicorn_access_lines_of_anonymous_pages_name_no_address(path):
    record = _access_record(path)
    assert logs.AccessLogFilter().filter(record)
    line = record.getMessage()
    assert "10.1.2.3" not in line and "203.0.113.9" not in line
    assert line == f'- "POST {path} HTTP/1.1" 303 xff=- env=- req=3f2a9c1d0e4b5a68'


def test_gunicorn_access_lines_of_other_pages_keep_the_address_but_no_token():
    record = _access_record("/email/aksi/eyJuIjoxfQ.Zx.sig", "/email/aksi/eyJuIjoxfQ.Zx.sig?x=1")
    logs.AccessLogFilter().filter(record)
    assert record.getMessage().startswith('10.1.2.3 "POST /email/aksi/[redacted]?x=1 HTTP/1.1" 303 xff=203.0.113.9')


# -- real processes ------------------------------------------------------------------------------------------
def test_the_worker_process_prints_json_lines_with_a_cycle_id_on_stderr(database_uri, overdue_case, office,
                                                                       smtp_port, tmp_path):
    """Configured only by LAYANI_* variables; the case is overdue for the real clock the process reads, and
    no mail server listens: a line from each job, then the counts, all with the cycle's id."""
    env = layani_env(SQLALCHEMY_DATABASE_URI=database_uri, SECRET_KEY="env-secret", LOG_FORMAT="json",
                     DESK_HEAD_NIP=office.kasubbag.nip,
                     MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, BASE_URL="https://layani.test",
                     UPLOAD_FOLDER=tmp_path / "uploads")
    done = subprocess.run([*FLASK, "layani", "worker", "--once"], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)

    assert done.returncode == 0, done.stdout + done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines()]  # every line is one JSON object
    assert {e["logger"] for e in entries} >= {"layani_flow.services.sweep", "layani_flow.services.outbox",
                                               "layani_flow.services.worker"}, entries
    [cycle_id] = {e["cycle_id"] for e in entries}
    assert GENERATED_ID.fullmatch(cycle_id)
    [summary] = [e for e in entries if e["message"].startswith("Worker cycle:")]
    assert re.fullmatch(r"Worker cycle: sweep warned=\d+ escalated=[1-9]\d*; reminders sent=0; personnel_reminders sent=0; imports ran=0; deliver sent=0 retried=\d+ failed=0; rate_limits purged=0",
                        summary["message"]), summary
    assert "worker berjalan" in done.stdout and "balas+" not in done.stderr


@pytest.mark.slow
def test_under_gunicorn_the_apps_lines_and_the_access_lines_reach_its_output(database_uri, db, office, tmp_path):
    """The flags the README recommends: the app's JSON lines on stderr with the request id gunicorn's access
    line shows too; no client address for an anonymous page; no token of a signed link."""
    import requests

    from .conftest import _free_port, csrf_token_from

    db.session.commit()  # the office, for gunicorn to see
    port = _free_port()
    env = layani_env(SQLALCHEMY_DATABASE_URI=database_uri, SECRET_KEY="gunicorn-secret", LOG_FORMAT="json",
                     BASE_URL=f"http://127.0.0.1:{port}", UPLOAD_FOLDER=tmp_path / "uploads")
    # The README's format, plus the client address it leaves out: the app must clear it on anonymous pages.
    access_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms req=%({x-request-id}o)s %(h)s'
    with running() as processes:
        web = processes.start([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--error-logfile", "-", "--access-logfile", "-", "--access-logformat", access_format,
                               "wsgi:app"], env, REPO, "gunicorn")
        web.expect("Booting worker", timeout=120)
        base = f"http://127.0.0.1:{port}"
        with requests.Session() as browser:
            token = csrf_token_from(browser.get(f"{base}/masuk", timeout=60).text)
            signed_in = browser.post(f"{base}/masuk", data={"csrf_token": token, "nip": office.employee.nip,
                                                            "password": PASSWORD},
                                     headers={"X-Request-ID": "e2e-login-1"}, allow_redirects=False, timeout=60)
            assert signed_in.status_code in (302, 303) and signed_in.headers["X-Request-ID"] == "e2e-login-1"
            anonymous = browser.get(f"{base}/aduan-anonim", timeout=60)
            browser.get(f"{base}/email/aksi/eyJuIjoxfQ.Zx.not-a-real-signature", timeout=60)

        line = web.expect(lambda ln: "signed in" in ln and ln.startswith("{"))
        assert json.loads(line)["request_id"] == "e2e-login-1"
        web.expect(lambda ln: '"POST /masuk" 30' in ln and "req=e2e-login-1 127.0.0.1" in ln)
        anonymous_id = anonymous.headers["X-Request-ID"]
        access = web.expect(f"req={anonymous_id}")
        assert '"GET /aduan-anonim" 200' in access and access.rstrip().endswith(f"req={anonymous_id} -"), access
        masked = web.expect("/email/aksi/")
        assert '"GET /email/aksi/[redacted]"' in masked and "not-a-real-signature" not in web.text()
