"""Memory: the worker's resident set over many cycles, and the peak of one sweep over many due cases.

    .venv/bin/python benchmarks/memory.py [worker|sweep] [--cycles 1000] [--sample-every 100]
                                          [--due 100000] [--database-url postgresql+psycopg://…/]

Without a sub-command both parts run, each in a fresh Python process of its own (so neither sees the other's
memory), and their results are merged into one JSON line.

worker: a temporary database (SQLite file, or layani_bench_memory_<pid> on the PostgreSQL server given),
    the real migrations, sweep.py's office and --open-cases (10,000) open cases due a month later, and an
    SMTP sink (aiosmtpd's Sink, in its own process) as MAIL_SERVER. Then services.worker.run_cycle() --cycles
    times in this process with a FrozenClock that moves 5 minutes a cycle from Wednesday 07:30 WIB (1,000
    cycles: three and a half days, three of them working days), and every 10th cycle an employee files a
    data-update request through services.cases.open_case: the sweep warns and escalates those as their
    clocks run out, and delivery sends receipts, warnings and escalations to the sink. VmRSS is read from
    /proc/self/status before the first cycle and every --sample-every cycles. rss_start_mb is the reading
    after the first --sample-every cycles (imports done, templates compiled, pools filled), rss_end_mb the
    last; growth_mb their difference; ok when under 5 MB.
sweep: sweep.py's loader (its office, --due cases all due, one first_response clock each), then one
    services.sweep.sweep_due_cases at sweep.NOW. The process's peak RSS (VmHWM) is reset just before the
    sweep (/proc/self/clear_refs), so peak_rss_mb is the highest resident set of the whole process while it
    swept, not the load's; process_peak_rss_mb (getrusage ru_maxrss) includes the load. ok when
    peak_rss_mb is under 200 and every due case was escalated.

The last stdout line is one JSON object: {"cycles", "rss_start_mb", "rss_end_mb", "growth_mb", "samples_mb",
"due", "peak_rss_mb", "sweep_seconds", "database", "loadavg_1m", "ok", ...}. Exit status 1 when a check
fails, 2 on a set-up error, 130 when interrupted. Progress goes to stderr; temporary files, databases and
the SMTP sink are removed on exit.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))  # import layani_flow from this tree

from harness import BenchError, Cleanup, guarded  # noqa: E402
from intake import HOST, free_port, stop_group  # noqa: E402
from sweep import (  # noqa: E402
    NOW,
    TempDatabase,
    _nip,
    clock_templates,
    load_postgres,
    load_sqlite,
    office_rows,
)

from layani_flow import create_app  # noqa: E402
from layani_flow.clock import FrozenClock  # noqa: E402
from layani_flow.extensions import db  # noqa: E402
from layani_flow.working_time import WIB  # noqa: E402

MAX_GROWTH_MB = 5
MAX_SWEEP_MB = 200
START = dt.datetime(2026, 11, 25, 7, 30, tzinfo=WIB)  # a Wednesday, the office opening
STEP = dt.timedelta(minutes=5)
FILE_EVERY = 10


def log(message: str) -> None:
    print(f"[memory] {message}", file=sys.stderr, flush=True)


def status_mb(field: str) -> float:
    """VmRSS / VmHWM of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise BenchError(f"no {field} in /proc/self/status")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def database_for(url: str | None, workdir: Path, name: str, cleanup: Cleanup) -> TempDatabase:
    database = TempDatabase(url, workdir, name)
    cleanup.push("database", database.close)
    return database


def make_app(database: TempDatabase, workdir: Path, start: dt.datetime, **config):
    app = create_app({"SECRET_KEY": "bench-memory", "SQLALCHEMY_DATABASE_URI": database.url,
                      "BASE_URL": "http://localhost", "DESK_HEAD_NIP": _nip(2), "LOG_LEVEL": "WARNING",
                      "UPLOAD_FOLDER": str(workdir / "uploads"), **config})
    app.instance_path = str(workdir / "instance")
    frozen = FrozenClock(start)
    app.extensions["clock"] = frozen
    return app, frozen


def load_office(database: TempDatabase, n: int, d: int) -> None:
    from flask_migrate import upgrade

    from layani_flow.models import User
    from layani_flow.services.calendar import load_calendar

    upgrade()
    past, future = clock_templates(load_calendar(), 16)
    with db.engine.begin() as conn:
        conn.execute(User.__table__.insert(), office_rows())
    (load_postgres if database.kind == "postgresql" else load_sqlite)(n, d, past, future, 10_000, 3)
    if database.kind == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.session.remove()


# -- worker ----------------------------------------------------------------------------------------------

def start_sink(workdir: Path, cleanup: Cleanup) -> int:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                             "-l", f"{HOST}:{port}"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "sink.log", "wb"), start_new_session=True)  # noqa: SIM115
    cleanup.push("smtp sink", lambda: stop_group(proc, "smtp sink"))
    import socket
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the SMTP sink did not start: {(workdir / 'sink.log').read_text()[-500:]}") from None
            time.sleep(0.1)


def worker(args, workdir: Path, cleanup: Cleanup) -> dict:
    from sqlalchemy import func, select

    from layani_flow.models import OutboxMessage, SlaNotice, User
    from layani_flow.services import cases as case_service
    from layani_flow.services.worker import run_cycle

    database = database_for(args.database_url, workdir, "layani_bench_memory", cleanup)
    port = start_sink(workdir, cleanup)
    app, frozen = make_app(database, workdir, START, MAIL_SERVER=HOST, MAIL_PORT=port)
    samples: list[tuple[int, float]] = []
    with app.app_context():
        try:
            load_office(database, args.open_cases, 0)
            log(f"{args.open_cases:,} open cases in {database.kind}; SMTP sink on {port}; {args.cycles} cycles")
            requester_id = 4
            samples.append((0, status_mb("VmRSS")))
            t0 = time.perf_counter()
            failed = 0
            for cycle in range(1, args.cycles + 1):
                frozen.advance(minutes=STEP.total_seconds() / 60)
                if cycle % FILE_EVERY == 0:
                    requester = db.session.get(User, requester_id)
                    case_service.open_case("service_request", {
                        "service": "pemutakhiran_data", "jenis_data": "alamat",
                        "keterangan": f"Alamat baru setelah pindah rumah, permohonan ke-{cycle // FILE_EVERY}"},
                        requester, anonymous=False)
                    db.session.remove()
                failed += len(run_cycle(echo=lambda line: None).failed)
                if cycle % args.sample_every == 0:
                    samples.append((cycle, status_mb("VmRSS")))
                    log(f"cycle {cycle}: {samples[-1][1]} MB ({frozen.now().astimezone(WIB):%a %H:%M} WIB)")
            seconds = time.perf_counter() - t0
            notices = db.session.scalar(select(func.count(SlaNotice.id)))
            outbox = dict(db.session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                                             .group_by(OutboxMessage.status)).tuples().all())
        finally:
            db.session.remove()
            db.engine.dispose()
    start = samples[1][1] if len(samples) > 1 else samples[0][1]
    growth = round(samples[-1][1] - start, 1)
    return {"cycles": args.cycles, "rss_start_mb": start, "rss_end_mb": samples[-1][1], "growth_mb": growth,
            "rss_before_first_cycle_mb": samples[0][1], "samples_mb": dict(samples),
            "cycle_ms": round(seconds / args.cycles * 1000, 1), "cases_filed": args.cycles // FILE_EVERY,
            "sla_notices": notices, "outbox": outbox, "failed_jobs": failed, "open_cases": args.open_cases,
            "clock_step_minutes": STEP.total_seconds() / 60, "worker_database": database.kind,
            "worker_ok": growth < MAX_GROWTH_MB and failed == 0 and outbox.get("sent", 0) > 0}


# -- sweep -----------------------------------------------------------------------------------------------

def sweep(args, workdir: Path, cleanup: Cleanup) -> dict:
    import gc

    from sqlalchemy import func, select

    from layani_flow.models import Case
    from layani_flow.services.sweep import sweep_due_cases

    database = database_for(args.database_url, workdir, "layani_bench_memory", cleanup)
    app, _ = make_app(database, workdir, NOW, MAIL_SUPPRESS_SEND=True)
    with app.app_context():
        try:
            t0 = time.perf_counter()
            load_office(database, args.due, args.due)
            log(f"{args.due:,} due cases loaded into {database.kind} in {time.perf_counter() - t0:.1f} s; sweeping")
            gc.collect()
            before = status_mb("VmRSS")
            exact = reset_peak()
            t1 = time.perf_counter()
            report = sweep_due_cases(NOW, batch_size=args.batch_size)
            seconds = time.perf_counter() - t1
            peak = status_mb("VmHWM") if exact else round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            after = status_mb("VmRSS")
            escalated = len(report.escalated)
            del report
            left = db.session.scalar(select(func.count(Case.id)).where(Case.next_deadline_at <= NOW))
        finally:
            db.session.remove()
            db.engine.dispose()
    log(f"swept in {seconds:.1f} s; peak {peak} MB")
    return {"due": args.due, "peak_rss_mb": peak, "rss_before_sweep_mb": before, "rss_after_sweep_mb": after,
            "peak_is_sweep_only": exact,
            "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "sweep_seconds": round(seconds, 1), "escalated": escalated, "left_due": left,
            "batch_size": args.batch_size, "sweep_database": database.kind,
            "sweep_ok": peak < MAX_SWEEP_MB and escalated == args.due and left == 0}


# -- both ------------------------------------------------------------------------------------------------

def both(args, argv: list[str]) -> dict:
    """Each part in a fresh process of its own; their last lines merged."""
    result: dict = {}
    for part in ("worker", "sweep"):
        done = subprocess.run([sys.executable, __file__, part, *argv], stdout=subprocess.PIPE, text=True)
        lines = done.stdout.strip().splitlines()
        if done.returncode not in (0, 1) or not lines:
            raise BenchError(f"{part} part failed with exit status {done.returncode}")
        result.update(json.loads(lines[-1]))
    return result


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", nargs="?", choices=("worker", "sweep"), help="one part only (default: both)")
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--sample-every", type=int, default=100)
    parser.add_argument("--open-cases", type=int, default=10_000, help="open cases, none due, for the worker part")
    parser.add_argument("--due", type=int, default=100_000, help="due cases for the sweep part")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--database-url", "--database-uri", dest="database_url", default=None,
                        help="a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/; "
                             "default: a temporary SQLite file")
    args = parser.parse_args(argv)
    if min(args.cycles, args.sample_every, args.open_cases, args.due, args.batch_size) < 1:
        parser.error("every number must be positive")
    if args.part is None:
        try:
            load_before = os.getloadavg()[0]
            result = both(args, argv)
        except BenchError as exc:
            log(f"error: {exc}")
            return 2
        result.update({"ok": result.get("worker_ok") is True and result.get("sweep_ok") is True,
                       "loadavg_1m_before": round(load_before, 2), "loadavg_1m": round(os.getloadavg()[0], 2)})
        print(json.dumps(result), flush=True)
        return 0 if result["ok"] else 1

    def work(workdir: Path, cleanup: Cleanup) -> int:
        load_before = os.getloadavg()[0]
        result = (worker if args.part == "worker" else sweep)(args, workdir, cleanup)
        result.update({"cpus": os.cpu_count(), "python": platform.python_version(),
                       "loadavg_1m_before": round(load_before, 2), "loadavg_1m": round(os.getloadavg()[0], 2),
                       "ok": result.get(f"{args.part}_ok", False)})
        print(json.dumps(result), flush=True)
        return 0 if result["ok"] else 1

    return guarded("layani_bench_memory_", work)


if __name__ == "__main__":
    sys.exit(main())
