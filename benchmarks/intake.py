"""Intake throughput: cases filed per second over HTTP by the real app under gunicorn, beside a bare app.

    .venv/bin/python benchmarks/intake.py [--workers 2] [--requests 2000] [--warmup 100] [--concurrency 4]
                                          [--rounds 4] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/]

Both apps run under the same gunicorn settings (N sync workers on 127.0.0.1), each against a fresh database
of the same kind: a temporary SQLite file (WAL, synchronous=NORMAL, foreign_keys, busy_timeout) by default,
or, with --database-url, a temporary PostgreSQL database created on that server and dropped afterwards.
The same client (a thread pool of http.client connections) posts the same JSON body to both:
  - real app: POST /api/v1/cases with a bearer token (set up with `flask db upgrade`, `layani users create`,
    `layani token create`), served by `gunicorn wsgi:app` with layani_flow imported from this tree;
  - bare app: POST /rows of benchmarks/bare_app.py (parse JSON, insert one row, commit, 201).
After a warm-up of each, the measured requests are sent in --rounds alternating chunks (bare, app, app,
bare, ...), one server at a time, so load from elsewhere on a shared machine falls on both alike.
Every response must be 201; failures are counted and more than 1% fails the run (exit status 1), as does
a row count in either database that differs from the number of successful requests (warm-up included).

The last line of stdout is one JSON object: {"app_per_s", "bare_per_s", "ratio", "cpu_ratio", ...}, where
cpu_ratio is the bare app's gunicorn CPU time per request over the real app's (Linux /proc): the same
comparison as ratio, but much less sensitive to other processes on the machine. Progress goes to stderr.
Everything the script creates (temp dir, gunicorn process groups, PostgreSQL databases) is removed on exit,
on error and on Ctrl-C / SIGTERM.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import BenchError, Cleanup, guarded  # noqa: E402  (benchmarks/ is on sys.path when run)

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
HOST = "127.0.0.1"
NIP = "199001152015031001"
MAX_FAILURE_RATE = 0.01
READY_TIMEOUT_S = 60.0
WSGI_SOURCE = "from layani_flow import create_app\n\napp = create_app()\n"

BODY = json.dumps({
    "type": "complaint",
    "fields": {
        "category": "pengaduan",
        "subject": "Pendingin ruangan di ruang layanan mati",
        "description": "Sejak Senin pagi pendingin ruangan di ruang layanan lantai dua tidak menyala, "
                       "sehingga pegawai dan tamu kepanasan saat menunggu antrean berkas kepegawaian.",
    },
}).encode()


def log(message: str) -> None:
    print(f"[intake] {message}", file=sys.stderr, flush=True)


# -- processes -------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without LAYANI_*/FLASK_* settings that would skew the run, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAYANI_", "FLASK_", "BARE_"))}
    env["PYTHONUNBUFFERED"] = "1"
    # Import layani_flow from the tree this script sits in, whatever the venv's editable install points at.
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update(extra)
    return env


def run(cmd: list[str], env: dict[str, str], cwd: Path = REPO) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def stop_group(proc: subprocess.Popen, name: str) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # gunicorn's master and its workers share the group
        proc.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        log(f"{name}: no exit after SIGTERM, killing")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def start_gunicorn(name: str, target: str, workers: int, env: dict[str, str], chdir: Path, tmp: Path,
                   cleanup: Cleanup) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    errlog = tmp / f"{name}-gunicorn.log"
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync", "-b", f"{HOST}:{port}",
           "--chdir", str(chdir), "--error-logfile", str(errlog), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, env=env, cwd=chdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    cleanup.push(f"gunicorn {name}", lambda: stop_group(proc, name))
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn {name} not listening after {READY_TIMEOUT_S:.0f}s:\n{_tail(errlog)}") from None
        try:  # pause between polls, noticing at once if gunicorn dies
            proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        raise BenchError(f"gunicorn {name} exited with {proc.returncode}:\n{_tail(errlog)}")
    log(f"{name}: gunicorn -w {workers} listening on {HOST}:{port} (pid {proc.pid})")
    return proc, port, errlog


def group_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a gunicorn master and its workers so far (Linux /proc), or None."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0
        for p in [pid, *map(int, children)]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / tick
    except (OSError, ValueError, IndexError):
        return None


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# -- databases -------------------------------------------------------------------------------------------

@dataclass
class Databases:
    kind: str
    app_url: str
    bare_url: str


def make_databases(base_url: str | None, tmp: Path, cleanup: Cleanup) -> Databases:
    if not base_url:
        return Databases("sqlite", f"sqlite:///{tmp / 'app.sqlite'}", f"sqlite:///{tmp / 'bare.sqlite'}")
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    if not url.drivername.startswith("postgresql"):
        raise BenchError(f"--database-url must be a PostgreSQL URL, not {url.drivername}")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    names = {role: f"layani_bench_{os.getpid()}_{role}" for role in ("app", "bare")}

    def drop(name: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            cleanup.push(f"database {name}", lambda n=name: drop(n))
    render = lambda name: url.set(database=name).render_as_string(hide_password=False)  # noqa: E731
    return Databases("postgresql", render(names["app"]), render(names["bare"]))


def count_rows(db_url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


# -- the client ------------------------------------------------------------------------------------------

@dataclass
class Result:
    requests: int
    ok: int = 0
    failures: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    server_cpu_s: float | None = None


def drive(port: int, path: str, headers: dict[str, str], total: int, concurrency: int) -> Result:
    """POST BODY `total` times from `concurrency` threads, each with its own http.client connection.

    Gunicorn's sync workers answer `Connection: close`; http.client then reconnects on the next request,
    so both apps pay the same connection cost."""
    result = Result(total)
    lock = threading.Lock()
    counter = iter(range(total))
    stop = threading.Event()
    start = threading.Barrier(concurrency + 1)
    all_headers = {"Content-Type": "application/json", "Accept": "application/json", **headers}

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies, statuses, ok, failed, first_error = [], {}, 0, 0, None
        start.wait()
        try:
            while not stop.is_set():
                with lock:
                    if next(counter, None) is None:
                        break
                t0 = time.perf_counter()
                try:
                    conn.request("POST", path, body=BODY, headers=all_headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                    status = str(resp.status)
                    if resp.status != 201 and first_error is None:
                        first_error = f"{resp.status}: {payload[:300]!r}"
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    status = type(exc).__name__
                    if first_error is None:
                        first_error = repr(exc)
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status == "201":
                    ok += 1
                else:
                    failed += 1
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)
                result.ok += ok
                result.failures += failed
                for k, v in statuses.items():
                    result.statuses[k] = result.statuses.get(k, 0) + v
                result.first_error = result.first_error or first_error

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    try:
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        result.seconds = time.perf_counter() - t0
    finally:
        stop.set()
    return result


def percentile_ms(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000, 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000, 2)


def cpu_ms(res: Result) -> float | None:
    """Gunicorn CPU (master + workers) per successful request, in ms: less noisy than throughput on a shared box."""
    return round(res.server_cpu_s / res.ok * 1000, 2) if res.server_cpu_s is not None and res.ok else None


def merge(into: Result, part: Result) -> None:
    into.requests += part.requests
    into.ok += part.ok
    into.failures += part.failures
    into.seconds += part.seconds
    into.latencies.extend(part.latencies)
    for k, v in part.statuses.items():
        into.statuses[k] = into.statuses.get(k, 0) + v
    into.first_error = into.first_error or part.first_error
    if part.server_cpu_s is None:
        into.server_cpu_s = None
    elif into.server_cpu_s is not None:
        into.server_cpu_s += part.server_cpu_s


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    path: str
    headers: dict[str, str]
    errlog: Path
    warm: Result = field(default_factory=lambda: Result(0))
    total: Result = field(default_factory=lambda: Result(0, server_cpu_s=0.0))

    def chunk(self, n: int, concurrency: int) -> Result:
        cpu_before = group_cpu_seconds(self.proc.pid)
        res = drive(self.port, self.path, self.headers, n, concurrency)
        cpu_after = group_cpu_seconds(self.proc.pid)
        if cpu_before is not None and cpu_after is not None:
            res.server_cpu_s = cpu_after - cpu_before
        return res


# -- the two apps ----------------------------------------------------------------------------------------

def ensure_wsgi() -> None:
    path = REPO / "wsgi.py"
    if not path.exists():
        path.write_text(WSGI_SOURCE)
        log(f"wrote {path}")


def start_real_app(args, dbs: Databases, tmp: Path, cleanup: Cleanup) -> Server:
    ensure_wsgi()
    instance = tmp / "instance"
    (instance / "uploads").mkdir(parents=True)
    env = clean_env(
        LAYANI_SQLALCHEMY_DATABASE_URI=dbs.app_url,
        LAYANI_SECRET_KEY="benchmark-" + os.urandom(16).hex(),
        LAYANI_UPLOAD_FOLDER=str(instance / "uploads"),
    )
    flask = [sys.executable, "-m", "flask", "--app", "layani_flow"]
    log("app: flask db upgrade; layani users create; layani token create")
    run([*flask, "db", "upgrade"], env)
    run([*flask, "layani", "users", "create", "--nip", NIP, "--name", "Pegawai Benchmark",
         "--email", "benchmark@dkp.babelprov.go.id", "--role", "employee", "--password", "benchmark-pass-1"], env)
    out = run([*flask, "layani", "token", "create", "--nip", NIP, "--label", "benchmark"], env).strip()
    token = out.splitlines()[-1] if out else ""
    if not token.startswith("lyn_"):
        raise BenchError(f"unexpected output of layani token create: {out!r}")
    proc, port, errlog = start_gunicorn("app", "wsgi:app", args.workers, env, REPO, tmp, cleanup)
    return Server("app", proc, port, "/api/v1/cases", {"Authorization": f"Bearer {token}"}, errlog)


def start_bare_app(args, dbs: Databases, tmp: Path, cleanup: Cleanup) -> Server:
    env = clean_env(BARE_DATABASE_URI=dbs.bare_url)
    log("bare: create table")
    run([sys.executable, str(BENCH_DIR / "bare_app.py"), "init"], env, cwd=BENCH_DIR)
    proc, port, errlog = start_gunicorn("bare", "bare_app:app", args.workers, env, BENCH_DIR, tmp, cleanup)
    # The same headers as for the real app, so both servers parse the same request.
    return Server("bare", proc, port, "/rows", {"Authorization": "Bearer lyn_not-checked-by-the-bare-app"}, errlog)


def run_benchmark(args, servers: list[Server]) -> None:
    """Warm both up, then alternate: `rounds` chunks each, in the order ABBA BAAB ... so that a burst of load
    from elsewhere on the machine falls on both apps alike. Only one server is driven at any moment."""
    for srv in servers:
        srv.warm = drive(srv.port, srv.path, srv.headers, args.warmup, args.concurrency) if args.warmup else Result(0)
        if args.warmup and srv.warm.ok == 0:
            raise BenchError(f"{srv.name}: every warm-up request failed; first error: {srv.warm.first_error}")
        log(f"{srv.name}: warm-up {srv.warm.ok}/{args.warmup} ok")
    sizes = [args.requests // args.rounds + (1 if i < args.requests % args.rounds else 0) for i in range(args.rounds)]
    for i, n in enumerate(sizes):
        order = servers if i % 2 == 0 else servers[::-1]
        for srv in order:
            part = srv.chunk(n, args.concurrency)
            merge(srv.total, part)
            log(f"{srv.name}: round {i + 1}/{args.rounds}: {part.ok}/{n} ok in {part.seconds:.2f}s "
                f"= {part.ok / part.seconds:.1f}/s" + (f"; first error {part.first_error}" if part.first_error else ""))


def side(srv: Server, rows: int) -> dict:
    res = srv.total
    return {
        "per_s": round(res.ok / res.seconds, 1) if res.seconds else 0.0,
        "ok": res.ok,
        "failures": res.failures,
        "statuses": res.statuses,
        "p50_ms": percentile_ms(res.latencies, 50),
        "p95_ms": percentile_ms(res.latencies, 95),
        "seconds": round(res.seconds, 3),
        "server_cpu_ms_per_req": cpu_ms(res),
        "rows_written": rows,
        "rows_expected": srv.warm.ok + res.ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per app (default 2)")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per app (default 2000)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests first, per app (default 100)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="measure in this many alternating chunks per app (default 4)")
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL server URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/; "
                             "two temporary databases are created there and dropped afterwards "
                             "(default: temporary SQLite files)")
    args = parser.parse_args(argv)
    if min(args.workers, args.requests, args.concurrency, args.rounds) < 1 or args.warmup < 0:
        parser.error("--workers, --requests, --concurrency and --rounds must be positive, --warmup not negative")
    args.rounds = min(args.rounds, args.requests)

    def work(tmp: Path, cleanup: Cleanup) -> int:
        servers: list[Server] = []
        dbs = make_databases(args.database_url, tmp, cleanup)
        log(f"database: {dbs.kind}; temp dir {tmp}")
        load_before = os.getloadavg()[0]
        bare = start_bare_app(args, dbs, tmp, cleanup)
        servers.append(bare)
        app = start_real_app(args, dbs, tmp, cleanup)
        servers.append(app)
        run_benchmark(args, [bare, app])
        load_after = os.getloadavg()[0]
        for srv in servers:  # let the last transactions finish before counting
            stop_group(srv.proc, srv.name)

        a = side(app, count_rows(dbs.app_url, "cases"))
        b = side(bare, count_rows(dbs.bare_url, "bench_rows"))
        report = {
            "app_per_s": a["per_s"],
            "bare_per_s": b["per_s"],
            "ratio": round(a["per_s"] / b["per_s"], 3) if b["per_s"] else None,
            # Server CPU per request, bare over app: the same comparison, less sensitive to other load.
            "cpu_ratio": (round(b["server_cpu_ms_per_req"] / a["server_cpu_ms_per_req"], 3)
                          if a["server_cpu_ms_per_req"] and b["server_cpu_ms_per_req"] else None),
            "requests": args.requests,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "worker_class": "sync",
            "database": dbs.kind,
            **{f"app_{k}": v for k, v in a.items() if k != "per_s"},
            **{f"bare_{k}": v for k, v in b.items() if k != "per_s"},
            "cpus": os.cpu_count(),
            "loadavg_1m_before": round(load_before, 2),
            "loadavg_1m_after": round(load_after, 2),
            "python": platform.python_version(),
        }
        problems = []
        for srv in (app, bare):
            if srv.total.failures > MAX_FAILURE_RATE * srv.total.requests:
                problems.append(f"{srv.name}: {srv.total.failures}/{srv.total.requests} requests failed; "
                                f"first: {srv.total.first_error}")
        for name, d in (("app", a), ("bare", b)):
            if d["rows_written"] != d["rows_expected"]:
                problems.append(f"{name}: {d['rows_written']} rows in the database, "
                                f"{d['rows_expected']} successful requests")
        report["ok"] = not problems
        if problems:
            report["problems"] = problems
            for srv in servers:
                log(f"{srv.name} gunicorn log tail:\n{_tail(srv.errlog)}")
            for p in problems:
                log(f"FAIL {p}")
        print(json.dumps(report), flush=True)
        return 0 if not problems else 1

    return guarded("layani-intake-", work)


if __name__ == "__main__":
    sys.exit(main())
