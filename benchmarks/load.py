"""Load: simulated people working the desk through its pages, against gunicorn with the production settings.

    .venv/bin/python benchmarks/load.py [--users 50] [--seconds 30] [--database-url URL]
                                        [--find-max] [--step 50] [--max-users 1000] [--limit-ms 250]
                                        [--cases 3000] [--workers 3] [--threads 16]

Set-up (not measured): a temporary database (a SQLite file; with --database-url pointing at a PostgreSQL
server, a database layani_bench_load_<pid> created there and dropped afterwards), the real migrations, then a
bulk load (benchmarks/search.py's generator and loader: executemany / COPY, with the search rows the app would
write) of an office: the head of the office, the desk head, 5 officers, 4 heads of field, 200 employees, and
--cases existing cases of every kind and state, so that lists, the queue and search are not empty, each with
its timeline and clocks (filed, claimed, messages on one in three, decided; an open case's resolution clock
running, past due on one in four: `timelines`). Then
`gunicorn --worker-class gthread --workers 3 --threads 16 --timeout 120` (the README's recommendation for
production, with its access log) on a free port, configured only by LAYANI_* variables; the sign-in limits
are raised so that the benchmark's own sign-ins never meet them (only refused passwords count, and there are
none, but a run must not depend on that).

Measured: --users people, each a thread with its own HTTP session (keep-alive), who sign in once through the
real /masuk form (CSRF token from the page; not measured: scrypt makes sign-in deliberately slow, and it
happens once a day), then think 0.5–1.5 s (so people arrive spread out, not all in one instant), land on
their first page (officers the queue, others home), and until --seconds have passed repeat: think 0.5–1.5 s (1 s on average), do one step
of their role's weighted mix. A step is one page, or a page and the form posted from it (the person thinks
again before posting); a redirect after a post is followed at once, as a browser does. Every request counts.
  employee (most people): home (their cases and inbox) 3, open one of their cases 3, file a data-update
      service request (form page, think, post, the case page) 1, search /cari 1; on their case page they
      send the repairs back ("Kirim perbaikan") when an officer asked for them;
  officer (1 in 10): the queue /antrian 3, open a case from it 3, work a case 3 (its page, think, fire the
      first allowed step among claim, start verification, ask for repairs, with the version from the page),
      search 1;
  supervisor (1 in 25): home (inbox) 2, open a case from it 1, search 2.
A status of 400 or more is an error, except 409: two officers firing on the same case at once, one of them
with a stale version, is an expected conflict, counted as "conflicts" (the app answers it with "Kasus ini
baru saja diubah orang lain"). Connection failures are errors, except one: a kept-alive connection that
gunicorn closed (its --keep-alive is 2 s) just as a request went out on it is tried once more on a new
connection, as browsers do; the latency counts both tries and "retried_on_closed_connection" counts them.
server_cpu_ms_per_req (gunicorn's CPU time over the requests served, from /proc) is the figure least moved by
other work on a shared machine.

--find-max then raises the number of people by --step (people already signed in stay) and measures each
level for --seconds, until p95 reaches --limit-ms (250) or a request fails; "max_users_p95_under_250ms" is
the last level under. When --users is over already, it halves the people instead until a level is under. The client runs on the same machine as the server: at a few hundred threads it takes
a share of the CPU itself (reported as client_cpu_s).

The last stdout line is one JSON object: {"users", "requests", "errors", "conflicts", "p50_ms", "p95_ms",
"p99_ms", "per_s", "kinds": {kind: {"n", "p50_ms", "p95_ms"}}, "statuses", "server_cpu_s", "database",
"machine_cpu_s", "stolen_cpu_s", "loadavg_1m_before", "loadavg_1m_after", "ok", ...} for the --users level, plus "steps" and
"max_users_p95_under_250ms" with --find-max. ok: no error and p95 under 100 ms. Exit status 1 when not ok,
2 on a set-up error, 130 when interrupted. Progress goes to stderr.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))  # import layani_flow from this tree

import requests  # noqa: E402
from harness import BenchError, Cleanup, guarded  # noqa: E402
from intake import (  # noqa: E402
    HOST,
    _tail,
    clean_env,
    ensure_wsgi,
    free_port,
    group_cpu_seconds,
    stop_group,
)
from search import NOW, VOCAB, generate, load, nip_of  # noqa: E402
from sqlalchemy import text as sa_text  # noqa: E402
from sweep import TempDatabase  # noqa: E402

from layani_flow import create_app  # noqa: E402
from layani_flow.extensions import db  # noqa: E402
from layani_flow.models import CaseClock, CaseEvent  # noqa: E402

REPO = BENCH_DIR.parent
PASSWORD = "layani-beban-2026"
TARGET_P95_MS = 100
READY_TIMEOUT_S = 60.0
OFFICERS = (3, 4, 5, 6, 7)
HEADS = (10, 11, 12, 13)
EMPLOYEES = tuple(range(100, 300))
GUNICORN = ["--worker-class", "gthread", "--timeout", "120"]
ACCESS_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms req=%({x-request-id}o)s'
OFFICER_STEPS = ("claim", "start_verification", "request_revision")
# A desk's history: nine in ten cases are done; of the open tenth, a third waits to be claimed.
OPEN_STATES = {"service_request": ("submitted", "in_verification", "processing"),
               "complaint": ("submitted", "triaged", "in_follow_up")}
DONE_STATES = {"service_request": ("completed", "completed", "rejected"), "complaint": ("closed", "closed", "rejected")}
REPAIR_NOTE = "Mohon lengkapi dokumen bukti perubahan yang terbaca jelas."
FINAL_STATES = {state for states in DONE_STATES.values() for state in states}
CLOSED_AFTER = dt.timedelta(days=3)


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


# -- the office ------------------------------------------------------------------------------------------

def office(password_hash: str) -> list[dict]:
    rng = random.Random(11)
    first = ("Siti", "Ahmad", "Dewi", "Budi", "Rina", "Agus", "Nur", "Hendra", "Yuli", "Rudi")
    last = ("Rahmawati", "Saputra", "Lestari", "Santoso", "Hidayat", "Wijaya", "Kurniawan", "Pratama")
    rows = []

    def user(uid: int, name: str, role: str, superior: int | None) -> None:
        rows.append({"id": uid, "nip": nip_of(uid), "name": name, "email": f"beban{uid}@dkp.babelprov.go.id",
                     "unit": "Bidang", "position": "Pelaksana", "role": role, "superior_id": superior,
                     "password_hash": password_hash, "is_active_account": True, "created_at": NOW})
    user(1, "Kepala Dinas", "supervisor", None)
    user(2, "Kasubbag Kepegawaian", "supervisor", 1)
    for uid in OFFICERS:
        user(uid, f"Petugas {rng.choice(first)} {rng.choice(last)}", "officer", 2)
    for uid in HEADS:
        user(uid, f"Kabid {rng.choice(first)} {rng.choice(last)}", "supervisor", 1)
    for i, uid in enumerate(EMPLOYEES):
        user(uid, f"{rng.choice(first)} {rng.choice(last)} {rng.choice(last)}", "employee", HEADS[i % len(HEADS)])
    return rows


def seed(database: TempDatabase, workdir: Path, cases: int) -> float:
    """Migrate and bulk-load the office and its cases; seconds taken."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from layani_flow.services.search import state_token

    app = create_app({"SECRET_KEY": "bench-load", "SQLALCHEMY_DATABASE_URI": database.url,
                      "BASE_URL": "http://localhost", "DESK_HEAD_NIP": nip_of(2), "MAIL_SUPPRESS_SEND": True,
                      "UPLOAD_FOLDER": str(workdir / "uploads")})
    app.instance_path = str(workdir / "instance")
    t0 = time.perf_counter()
    with app.app_context():
        try:
            upgrade()
            users = office(generate_password_hash(PASSWORD))
            rows, texts = generate(cases, users)
            for row, text in zip(rows, texts, strict=True):
                state, owner = history(row)
                text["body"] = text["body"].replace(state_token(row["state"]), state_token(state))
                row["state"], row["owner_id"] = state, owner
                row["closed_at"] = row["created_at"] + CLOSED_AFTER if row["state"] in FINAL_STATES else None
            load(database.kind, users, rows, texts)
            events, clocks = timelines(rows, {u["id"]: u["name"] for u in users})
            with db.engine.begin() as conn:
                for table, values in ((CaseEvent.__table__, events), (CaseClock.__table__, clocks)):
                    for start in range(0, len(values), 5000):
                        conn.execute(table.insert(), values[start:start + 5000])
                conn.execute(sa_text("ANALYZE"))  # the planner knows the timelines are there
        finally:
            db.session.remove()
            db.engine.dispose()
    return time.perf_counter() - t0


def timelines(rows: list[dict], names: dict[int, str]) -> tuple[list[dict], list[dict]]:
    """Each loaded case's events and clocks, as the desk would have left them: filed; claimed by its officer
    (the first response); an exchange of messages on one case in three; decided, for a done case. An open
    case's clocks run (first response stopped once claimed; the resolution due five working days after
    filing: one open case in four is past it), a done case's stopped."""
    events: list[dict] = []
    clocks: list[dict] = []
    for row in rows:
        case_id, created, owner, requester = row["id"], row["created_at"], row["owner_id"], row["requester_id"]
        n, state = abs(case_id), row["state"]
        done = state in FINAL_STATES
        event = partial(_event_row, events, names, case_id, created)
        event("created", dt.timedelta(0), requester, to_state="submitted")
        if owner is not None:
            event("transition", dt.timedelta(hours=2), owner, trigger="claim", from_state="submitted",
                  to_state="in_verification" if done else state)
        if owner is not None and n % 3 == 0:
            event("message", dt.timedelta(hours=3), owner, comment=REPAIR_NOTE)
            if requester is not None:
                event("message", dt.timedelta(hours=5), requester, comment="Baik, sudah saya lengkapi. Terima kasih.")
        if done:
            event("transition", CLOSED_AFTER, owner, trigger="decide", from_state="processing", to_state=state)
        resolution_due = created + dt.timedelta(days=7)
        if not done and n % 4 == 0:
            resolution_due = NOW - dt.timedelta(hours=n % 48 + 1)
        for name, target, due_at, stopped_at in (
                ("first_response", "1d", created + dt.timedelta(days=1),
                 created + dt.timedelta(hours=2) if owner else None),
                ("resolution", "5d", resolution_due, row["closed_at"])):
            clocks.append({"case_id": case_id, "name": name, "cycle": 1, "target": target, "warn_percent": 75,
                           "escalate_every": "1d", "started_at": created, "due_at": due_at,
                           "warn_at": due_at - dt.timedelta(hours=6), "paused_minutes": 0,
                           "stopped_at": stopped_at, "escalation_level": 0})
    return events, clocks


def _event_row(events: list[dict], names: dict[int, str], case_id: int, created: dt.datetime, kind: str,
               after: dt.timedelta, actor: int | None, **values) -> None:
    label = names[actor] if actor is not None else "Pelapor anonim"
    events.append({"case_id": case_id, "at": created + after, "actor_id": actor, "actor_label": label,
                   "kind": kind, "trigger": None, "from_state": None, "to_state": None, "comment": "", "data": {},
                   "is_internal": False, **values})


def history(row: dict) -> tuple[str, int | None]:
    """(state, owner) of a loaded case: done, or open (unclaimed while submitted), by its id."""
    n = abs(row["id"])
    officer = OFFICERS[n % len(OFFICERS)]
    if n % 10:
        return DONE_STATES[row["case_type"]][n % 3], officer
    state = OPEN_STATES[row["case_type"]][n // 10 % 3]
    return state, (None if state == "submitted" else officer)


# -- the server ------------------------------------------------------------------------------------------

def start_server(args, database: TempDatabase, workdir: Path, cleanup: Cleanup):
    ensure_wsgi()
    (workdir / "uploads").mkdir(exist_ok=True)
    env = clean_env(
        LAYANI_SQLALCHEMY_DATABASE_URI=database.url,
        LAYANI_SECRET_KEY="benchmark-" + os.urandom(16).hex(),
        LAYANI_UPLOAD_FOLDER=str(workdir / "uploads"),
        LAYANI_DESK_HEAD_NIP=nip_of(2),
        LAYANI_LOGIN_LIMIT_PER_NIP="100000 per minute",
        LAYANI_LOGIN_LIMIT_PER_ADDRESS="100000 per minute",
        LAYANI_PEOPLE_SEARCH_LIMIT="100000 per minute",
    )
    port = free_port()
    errlog, access = workdir / "gunicorn.log", workdir / "access.log"
    cmd = [sys.executable, "-m", "gunicorn", *GUNICORN, "--workers", str(args.workers), "--threads", str(args.threads),
           "--bind", f"{HOST}:{port}", "--chdir", str(REPO), "--error-logfile", str(errlog),
           "--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT, "wsgi:app"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    cleanup.push("gunicorn", lambda: stop_group(proc, "gunicorn"))
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        try:
            if requests.get(f"http://{HOST}:{port}/masuk", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode}:\n{_tail(errlog)}")
        if time.monotonic() > deadline:
            raise BenchError(f"gunicorn not answering after {READY_TIMEOUT_S:.0f}s:\n{_tail(errlog)}")
        time.sleep(0.2)
    log(f"gunicorn gthread -w {args.workers} --threads {args.threads} on {HOST}:{port} (pid {proc.pid})")
    return proc, port, errlog


# -- one person ------------------------------------------------------------------------------------------

CSRF = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
VERSION = re.compile(r'<input[^>]*\bname="version"[^>]*\bvalue="(\d+)"')
CASE_LINK = re.compile(r'href="/kasus/(-?\d+)"')
BUTTON = re.compile(r"<button\b[^>]*>")
FORMACTION = re.compile(r'formaction="(/kasus/-?\d+/(?:klaim|tindakan/([a-z_]+)))"')


@dataclass
class Sample:
    kind: str
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no answer (connection error, timeout)


@dataclass
class Person:
    role: str
    uid: int
    base: str
    rng: random.Random
    session: requests.Session = field(default_factory=requests.Session)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    retries: int = 0

    # one request, recorded
    def request(self, kind: str, method: str, path: str, data: dict | None = None) -> requests.Response | None:
        t0 = time.monotonic()
        try:
            try:
                resp = self.session.request(method, self.base + path, data=data, allow_redirects=False, timeout=30)
            except requests.ConnectionError as exc:
                # A kept-alive connection the server closed (gthread's --keep-alive, 2 s) just as the request
                # went out. A browser sends the request again on a new connection; so does this person, and
                # the latency counts both tries.
                if "reset" not in repr(exc) and "aborted" not in repr(exc):
                    raise
                self.retries += 1
                resp = self.session.request(method, self.base + path, data=data, allow_redirects=False, timeout=30)
        except requests.RequestException as exc:
            self.samples.append(Sample(kind, t0, time.monotonic() - t0, 0))
            self.errors.append(f"{kind} {method} {path}: {exc!r}")
            return None
        self.samples.append(Sample(kind, t0, time.monotonic() - t0, resp.status_code))
        if resp.status_code >= 400 and resp.status_code != 409 and len(self.errors) < 5:
            self.errors.append(f"{kind} {method} {path}: {resp.status_code} {resp.text[:200]!r}")
        if resp.status_code in (301, 302, 303) and resp.headers.get("Location", "").startswith("/"):
            return self.request(kind + "_redirect", "GET", resp.headers["Location"])
        return resp

    def think(self, stop: threading.Event) -> bool:
        """Wait 0.5–1.5 s; False once the run is over."""
        return not stop.wait(self.rng.uniform(0.5, 1.5))

    def sign_in(self) -> None:
        page = self.session.get(self.base + "/masuk", timeout=60)
        token = CSRF.search(page.text)
        resp = self.session.post(self.base + "/masuk", data={"csrf_token": token.group(1) if token else "",
                                                             "nip": nip_of(self.uid), "password": PASSWORD},
                                 allow_redirects=False, timeout=60)
        if resp.status_code != 302:
            raise BenchError(f"sign-in of user {self.uid} answered {resp.status_code}: {resp.text[:300]!r}")

    def remember(self, resp: requests.Response | None) -> None:
        if resp is not None and resp.status_code == 200:
            found = [int(i) for i in CASE_LINK.findall(resp.text)]
            if found:
                self.case_ids = found[:25]

    def search(self, stop) -> None:
        words = " ".join(self.rng.choice(VOCAB) for _ in range(self.rng.choice((1, 1, 2))))
        self.request("search", "GET", "/cari?" + requests.compat.urlencode({"q": words}))

    def home(self, stop) -> None:
        self.remember(self.request("home", "GET", "/"))

    def open_case(self, stop, kind: str = "case") -> requests.Response | None:
        if not self.case_ids:
            self.home(stop)
            return None
        return self.request(kind, "GET", f"/kasus/{self.rng.choice(self.case_ids)}")

    def employee_case(self, stop) -> None:
        page = self.open_case(stop)
        if page is None or page.status_code != 200:
            return
        actions = dict(_enabled_actions(page.text))
        if "resubmit" in actions and self.think(stop):
            self.post_from(page, "resubmit", actions["resubmit"], {})

    def file_request(self, stop) -> None:
        page = self.request("file_form", "GET", "/kasus/baru/service_request?layanan=pemutakhiran_data")
        if page is None or page.status_code != 200 or not self.think(stop):
            return
        token = CSRF.search(page.text)
        data = {"csrf_token": token.group(1) if token else "", "service": "pemutakhiran_data",
                "jenis_data": self.rng.choice(("alamat", "keluarga", "pendidikan", "rekening")),
                "keterangan": " ".join(self.rng.choice(VOCAB) for _ in range(12))}
        self.request("file_post", "POST", "/kasus/baru/service_request?layanan=pemutakhiran_data", data)

    def queue(self, stop) -> None:
        self.remember(self.request("queue", "GET", "/antrian"))

    def work_case(self, stop) -> None:
        if not self.case_ids:
            self.queue(stop)
            return
        page = self.open_case(stop, "work_case")
        if page is None or page.status_code != 200:
            return
        actions = dict(_enabled_actions(page.text))
        chosen = next((step for step in OFFICER_STEPS if step in actions), None)
        if chosen is not None and self.think(stop):
            self.post_from(page, chosen, actions[chosen], {"comment": REPAIR_NOTE} if chosen == "request_revision" else {})

    def post_from(self, page: requests.Response, step: str, path: str, extra: dict) -> None:
        token, version = CSRF.search(page.text), VERSION.search(page.text)
        data = {"csrf_token": token.group(1) if token else "", "version": version.group(1) if version else "",
                "comment": "", **extra}
        self.request(f"step_{step}", "POST", path, data)

    MIX = {
        "employee": (("home", 3), ("employee_case", 3), ("file_request", 1), ("search", 1)),
        "officer": (("queue", 3), ("open_case", 3), ("work_case", 3), ("search", 1)),
        "supervisor": (("home", 2), ("open_case", 1), ("search", 2)),
    }

    def run(self, stop: threading.Event) -> None:
        names, weights = zip(*self.MIX[self.role], strict=True)
        # People arrive one think time apart, as a working office does: fifty landing pages in the same
        # millisecond would measure a burst that never happens, not the steady load.
        if not self.think(stop):
            return
        (self.queue if self.role == "officer" else self.home)(stop)  # where a person lands after signing in
        while self.think(stop):
            getattr(self, self.rng.choices(names, weights)[0])(stop)


def _enabled_actions(html: str) -> list[tuple[str, str]]:
    """(step, path) of each enabled button of the case page's action panel; "claim" for Klaim kasus."""
    found = []
    for tag in BUTTON.findall(html):
        match = FORMACTION.search(tag)
        if match and " disabled" not in tag:
            found.append((match.group(2) or "claim", match.group(1)))
    return found


def role_of(index: int) -> tuple[str, int]:
    """The index-th person: 1 in 10 an officer, 1 in 25 a supervisor, the rest employees (accounts reused)."""
    if index % 10 == 0:
        return "officer", OFFICERS[index // 10 % len(OFFICERS)]
    if index % 25 == 1:
        return "supervisor", HEADS[index // 25 % len(HEADS)]
    return "employee", EMPLOYEES[index % len(EMPLOYEES)]


# -- a level ---------------------------------------------------------------------------------------------

def machine_cpu_seconds() -> tuple[float, float] | None:
    """(busy, stolen): CPU seconds all of the machine's cores spent busy since boot, and those the hypervisor
    gave to other machines while this one wanted them (Linux /proc/stat), or None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
        tick = os.sysconf("SC_CLK_TCK")
        return (user + nice + system + irq + softirq) / tick, steal / tick
    except (OSError, ValueError, IndexError):
        return None


def percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000, 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000, 1)


def sign_in_all(people: list[Person], concurrency: int = 8) -> float:
    """Sign the new people in, a few at a time (not measured)."""
    t0 = time.perf_counter()
    queue = list(people)
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work():
        while True:
            with lock:
                if not queue or failures:
                    return
                person = queue.pop()
            try:
                person.sign_in()
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
    threads = [threading.Thread(target=work, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise BenchError(f"sign-in failed: {failures[0]}")
    return time.perf_counter() - t0


def measure(people: list[Person], seconds: float, server_pid: int) -> dict:
    for p in people:
        p.samples, p.errors, p.retries = [], [], 0
    stop = threading.Event()
    cpu0, client0, machine0 = group_cpu_seconds(server_pid), time.process_time(), machine_cpu_seconds()
    load_before = os.getloadavg()[0]
    threads = [threading.Thread(target=p.run, args=(stop,), daemon=True) for p in people]
    start = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    elapsed = time.monotonic() - start
    cpu1, machine1 = group_cpu_seconds(server_pid), machine_cpu_seconds()
    samples = [s for p in people for s in p.samples]
    latencies = [s.seconds for s in samples]
    statuses: dict[str, int] = {}
    kinds: dict[str, list[float]] = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        kinds.setdefault(s.kind, []).append(s.seconds)
    errors = sum(1 for s in samples if s.status == 0 or (s.status >= 400 and s.status != 409))
    return {
        "users": len(people), "requests": len(samples), "errors": errors,
        "conflicts": statuses.get("409", 0),
        "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99), "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "per_s": round(len(samples) / elapsed, 1), "seconds": round(elapsed, 1),
        "kinds": {k: {"n": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
                  for k, v in sorted(kinds.items())},
        "statuses": dict(sorted(statuses.items())),
        "retried_on_closed_connection": sum(p.retries for p in people),
        "server_cpu_s": round(cpu1 - cpu0, 1) if cpu0 is not None and cpu1 is not None else None,
        "server_cpu_ms_per_req": (round((cpu1 - cpu0) * 1000 / len(samples), 1)
                                  if cpu0 is not None and cpu1 is not None and samples else None),
        "client_cpu_s": round(time.process_time() - client0, 1),
        # everything the machine's CPUs did meanwhile: gunicorn, this client, PostgreSQL, and anyone else's work
        "machine_cpu_s": round(machine1[0] - machine0[0], 1) if machine0 and machine1 else None,
        # a virtual machine's CPUs taken by the hypervisor for other guests: time nobody here could run
        "stolen_cpu_s": round(machine1[1] - machine0[1], 1) if machine0 and machine1 else None,
        "loadavg_1m_before": round(load_before, 2), "loadavg_1m_after": round(os.getloadavg()[0], 2),
        "first_errors": [e for p in people for e in p.errors][:5],
    }


def run(args, workdir: Path, database: TempDatabase, cleanup: Cleanup) -> dict:
    log(f"seeding {args.cases:,} cases into {database.kind}")
    setup_s = seed(database, workdir, args.cases)
    log(f"seeded in {setup_s:.1f} s")
    proc, port, errlog = start_server(args, database, workdir, cleanup)
    base = f"http://{HOST}:{port}"
    people: list[Person] = []
    steps = []
    level, going_down = args.users, False
    while True:
        new = [Person(*role_of(i), base, random.Random(i)) for i in range(len(people), level)]
        signin_s = sign_in_all(new)
        people.extend(new)
        if args.warmup and not steps:  # every worker compiles its templates, fills its pools
            warm = measure(people[:level], args.warmup, proc.pid)
            log(f"warm-up {args.warmup:g} s: {warm['requests']} requests, p95 {warm['p95_ms']} ms")
        log(f"{len(new)} signed in ({signin_s:.1f} s); {level} people for {args.seconds:g} s")
        result = measure(people[:level], args.seconds, proc.pid)
        result["signin_seconds"] = round(signin_s, 1)
        steps.append(result)
        log(f"{level} people: {result['requests']} requests, {result['per_s']}/s, p50 {result['p50_ms']} ms, "
            f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, errors {result['errors']}, "
            f"conflicts {result['conflicts']}, server CPU {result['server_cpu_ms_per_req']} ms/request, "
            f"load {result['loadavg_1m_after']}")
        for line in result["first_errors"]:
            log(f"  {line}")
        if not args.find_max:
            break
        under = result["errors"] == 0 and (result["p95_ms"] or 0) < args.limit_ms
        if under and not going_down and level + args.step <= args.max_users:
            level += args.step  # up by --step while under the limit
        elif not under and (going_down or len(steps) == 1) and level > 1:
            level, going_down = level // 2, True  # over already at --users: halve until under
        else:
            break
    if proc.poll() is not None:
        raise BenchError(f"gunicorn died during the run:\n{_tail(errlog)}")
    first = dict(steps[0])
    report = {**first, "database": database.kind, "target_p95_ms": TARGET_P95_MS,
              "ok": first["errors"] == 0 and (first["p95_ms"] or 0) < TARGET_P95_MS,
              "server": f"gunicorn gthread --workers {args.workers} --threads {args.threads}",
              "cases_seeded": args.cases, "setup_seconds": round(setup_s, 1), "think_s": "0.5-1.5 (mean 1)",
              "cpus": os.cpu_count(), "python": platform.python_version()}
    if args.find_max:
        under = [s["users"] for s in steps if s["errors"] == 0 and (s["p95_ms"] or 0) < args.limit_ms]
        report["max_users_p95_under_250ms" if args.limit_ms == 250 else f"max_users_p95_under_{args.limit_ms}ms"] = \
            max(under) if under else None
        report["steps"] = [{k: s[k] for k in ("users", "requests", "errors", "conflicts", "p50_ms", "p95_ms",
                                              "p99_ms", "per_s", "server_cpu_ms_per_req", "client_cpu_s",
                                              "loadavg_1m_after")} for s in steps]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people (default 50)")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per level (default 30)")
    parser.add_argument("--database-url", "--database-uri", dest="database_url", default=None,
                        help="a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/; "
                             "default: a temporary SQLite file")
    parser.add_argument("--warmup", type=float, default=10,
                        help="unmeasured seconds of the same work first (default 10)")
    parser.add_argument("--cases", type=int, default=3000, help="existing cases loaded first (default 3000)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, as the README)")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker (default 16, as the README)")
    parser.add_argument("--find-max", action="store_true",
                        help="then add --step people at a time until p95 reaches --limit-ms")
    parser.add_argument("--step", type=int, default=50)
    parser.add_argument("--max-users", type=int, default=1000)
    parser.add_argument("--limit-ms", type=int, default=250)
    args = parser.parse_args(argv)
    if min(args.users, args.cases, args.workers, args.threads, args.step) < 1 or args.seconds <= 0 or args.warmup < 0:
        parser.error("--users, --cases, --workers, --threads and --step must be positive, --seconds too")

    def work(workdir: Path, cleanup: Cleanup) -> int:
        database = TempDatabase(args.database_url, workdir, "layani_bench_load")
        cleanup.push("database", database.close)
        report = run(args, workdir, database, cleanup)
        print(json.dumps(report), flush=True)
        return 0 if report["ok"] else 1

    return guarded("layani_bench_load_", work)


if __name__ == "__main__":
    sys.exit(main())
