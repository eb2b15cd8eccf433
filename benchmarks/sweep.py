"""SLA sweep cost: one sweep over N open cases of which D are due.

    .venv/bin/python benchmarks/sweep.py --cases 100000 --due-fraction 0.01
        [--batch-size 500] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/]
        [--chunk 10000] [--analyze | --no-analyze] [--no-warmup] [--repeat 5]
        [--unclaimed] [--distinct-deadlines 16] [--show-sql]

Set-up (not timed as part of "seconds"): a fresh database (a temporary SQLite file by default; with
--database-url pointing at a PostgreSQL server, a temporary database layani_bench_sweep_<pid> created there
and dropped afterwards, WITH (FORCE)), schema from the real migrations (flask_migrate.upgrade), then a bulk
load straight into the tables, never through the services: a small office (officer → kasubbag → head, and
one requester), N service-request cases owned by the officer, and one first_response clock per case
(target 1d, warn 75 %, escalate every 1d). D = round(N * F) cases, spread evenly over the id range, have
warn_at, due_at and next_deadline_at before `now`; the others have them a month after `now`. SQLite is
loaded with Core executemany in chunks, PostgreSQL with COPY. --analyze (the default on PostgreSQL, where
autovacuum would have gathered statistics on a live database) runs ANALYZE after the load.

Measured: services.sweep.sweep_due_cases(now, batch_size) at a fixed `now` (a FrozenClock holds the
app's clock at the same instant), after one warm-up sweep at an instant before every deadline (it finds
nothing, but imports and the working calendar are warm). Then the same sweep again at the same instant,
which must do nothing. Every statement on db.engine is counted with a before_cursor_execute listener.

Checks, all in the JSON and all required for "ok": escalations reported == sla_escalation events ==
SLA notices == outbox rows == D, no warning, no case left due, and the second sweep reports nothing and
writes nothing. Exit status 1 when a check fails, 2 on a set-up error, 130 when interrupted.

The last line of stdout is one JSON object: {"cases", "due", "seconds", "second_seconds",
"noop_min_seconds" / "noop_median_seconds" (over --repeat no-op sweeps at the same instant), "queries",
"second_queries", "queries_per_due", "ms_per_due", "setup_seconds", "database", "batch_size", ...}.
Progress goes to stderr. Temporary files and databases are removed on exit, on error and on Ctrl-C/SIGTERM.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # import layani_flow from this tree

from harness import BenchError, Cleanup, guarded  # noqa: E402  (benchmarks/ is on sys.path when run)
from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from layani_flow import create_app  # noqa: E402
from layani_flow.clock import FrozenClock  # noqa: E402
from layani_flow.extensions import db  # noqa: E402
from layani_flow.models import Case, CaseEvent, OutboxMessage, SlaNotice, User  # noqa: E402
from layani_flow.models.sla import CaseClock  # noqa: E402
from layani_flow.working_time import WIB  # noqa: E402

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=WIB)  # a Wednesday, mid-morning
TARGET, WARN_PERCENT, EVERY = "1d", 75, "1d"
PASSWORD_HASH = "pbkdf2:sha256:1000$bench$" + "0" * 64  # nobody logs in
CASE_COLUMNS = ("id", "case_type", "service", "title", "state", "version", "fields", "requester_id", "owner_id",
                "other_party_id", "is_other_party_involved", "is_anonymous", "next_deadline_at", "created_at",
                "updated_at")
CLOCK_COLUMNS = ("id", "case_id", "name", "cycle", "target", "warn_percent", "escalate_every", "started_at",
                 "due_at", "warn_at", "paused_minutes", "escalation_level")


def log(message: str) -> None:
    print(f"[sweep] {message}", file=sys.stderr, flush=True)


# -- the database ----------------------------------------------------------------------------------------

class TempDatabase:
    """A fresh database for one run, removed in close() whatever happened."""

    def __init__(self, url: str | None, workdir: Path, name: str = "layani_bench_sweep"):
        """`name`: the benchmark's own prefix, so two benchmarks at once never share a database."""
        self.admin_url = None
        if not url:
            self.kind = "sqlite"
            self.url = f"sqlite:///{workdir / 'bench.sqlite'}"
            return
        parsed = make_url(url)
        if not parsed.drivername.startswith("postgresql"):
            raise BenchError(f"--database-url must be PostgreSQL (or left out for SQLite): {url}")
        self.kind = "postgresql"
        self.name = f"{name}_{os.getpid()}"
        self.admin_url = parsed.set(database=parsed.database or "postgres")
        self.url = parsed.set(database=self.name).render_as_string(hide_password=False)
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        finally:
            engine.dispose()
        log(f"created database {self.name}")

    def close(self) -> None:
        if self.admin_url is None:
            return
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            engine.dispose()
        log(f"dropped database {self.name}")


# -- the data --------------------------------------------------------------------------------------------

def _nip(n: int) -> str:
    return f"1980010120050310{n:02d}"


def office_rows() -> list[dict]:
    def user(uid, name, role, superior, position):
        return {"id": uid, "nip": _nip(uid), "name": name, "email": f"bench{uid}@dkp.babelprov.go.id",
                "unit": "Subbagian Kepegawaian", "position": position, "role": role, "superior_id": superior,
                "password_hash": PASSWORD_HASH, "is_active_account": True, "created_at": NOW - dt.timedelta(days=400)}
    return [user(1, "Kepala Dinas", "supervisor", None, "Kepala"),
            user(2, "Kasubbag Kepegawaian", "supervisor", 1, "Kasubbag"),
            user(3, "Petugas Layanan", "officer", 2, "Pelaksana"),
            user(4, "Pegawai Pemohon", "employee", 2, "Pelaksana")]


def clock_templates(cal, distinct: int) -> tuple[list[tuple], list[tuple]]:
    """(started_at, due_at, warn_at) triples: due ones entirely before NOW, not-due ones a month after;
    `distinct` start instants (3 hours apart) of each kind, so that many distinct deadlines."""
    from layani_flow.services.sla import _warn_instant
    from layani_flow.working_time import due

    def triple(start):
        due_at = due(cal, start, TARGET)
        return start, due_at, _warn_instant(cal, start, due_at, WARN_PERCENT)

    past = [triple(NOW - dt.timedelta(days=8, hours=3 * k)) for k in range(distinct)]
    future = [triple(NOW + dt.timedelta(days=30, hours=3 * k)) for k in range(distinct)]
    assert all(d <= NOW and w <= NOW for _, d, w in past), past
    assert all(w > NOW for _, _, w in future), future
    return past, future


def is_due(i: int, n: int, d: int) -> bool:
    """Exactly d of the ids 1..n, spread evenly."""
    return (i * d) // n != ((i - 1) * d) // n


def generate(n: int, d: int, past, future, start: int, stop: int, owner: int | None):
    """Rows (case, clock) for case ids start..stop-1, as tuples in CASE_COLUMNS / CLOCK_COLUMNS order."""
    cases, clocks = [], []
    for i in range(start, stop):
        templates = past if is_due(i, n, d) else future
        started_at, due_at, warn_at = templates[i % len(templates)]
        state = "in_verification" if i % 2 else "submitted"
        cases.append((i, "service_request", "kgb", f"Kenaikan gaji berkala #{i}", state, 1, "{}", 4, owner, None,
                      False, False, min(warn_at, due_at), started_at, started_at))
        clocks.append((i, i, "first_response", 1, TARGET, WARN_PERCENT, EVERY, started_at, due_at, warn_at, 0, 0))
    return cases, clocks


def load_sqlite(n: int, d: int, past, future, chunk: int, owner: int | None) -> None:
    """SQLAlchemy Core executemany in chunks, one transaction per chunk."""
    cases_t, clocks_t = Case.__table__, CaseClock.__table__
    with db.engine.connect() as conn:
        for start in range(1, n + 1, chunk):
            cases, clocks = generate(n, d, past, future, start, min(start + chunk, n + 1), owner)
            with conn.begin():
                conn.execute(cases_t.insert(), [dict(zip(CASE_COLUMNS, row, strict=True)) for row in cases])
                conn.execute(clocks_t.insert(), [dict(zip(CLOCK_COLUMNS, row, strict=True)) for row in clocks])
            if start // chunk % 20 == 0:
                log(f"  loaded {min(start + chunk - 1, n):,} cases")


def load_postgres(n: int, d: int, past, future, chunk: int, owner: int | None) -> None:
    """COPY through psycopg, in chunks, in one transaction; then the id sequences follow the explicit ids."""
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        with conn.begin():
            with raw.cursor() as cur:
                for table, columns, pick in (("cases", CASE_COLUMNS, 0), ("case_clocks", CLOCK_COLUMNS, 1)):
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for start in range(1, n + 1, chunk):
                            rows = generate(n, d, past, future, start, min(start + chunk, n + 1), owner)[pick]
                            for row in rows:
                                copy.write_row(row)
                    log(f"  copied {n:,} rows into {table}")
            for table in ("cases", "case_clocks", "users"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))


def count(model_column, *where) -> int:
    return db.session.scalar(select(func.count(model_column)).where(*where))


def totals() -> dict:
    return {"events": count(CaseEvent.id, CaseEvent.kind == "sla_escalation"),
            "events_all": count(CaseEvent.id),
            "notices": count(SlaNotice.id),
            "outbox": count(OutboxMessage.id),
            "outbox_sla": count(OutboxMessage.id, OutboxMessage.dedupe_key.like("sla:%")),
            "still_due": count(Case.id, Case.next_deadline_at <= NOW)}


# -- the run ---------------------------------------------------------------------------------------------

def run(args, workdir: Path, database: TempDatabase) -> dict:
    from flask_migrate import upgrade

    from layani_flow.services.calendar import load_calendar
    from layani_flow.services.sweep import sweep_due_cases

    n, d = args.cases, round(args.cases * args.due_fraction)
    app = create_app({
        "SECRET_KEY": "bench-sweep", "SQLALCHEMY_DATABASE_URI": database.url, "BASE_URL": "http://localhost",
        "DESK_HEAD_NIP": _nip(2), "MAIL_SUPPRESS_SEND": True, "UPLOAD_FOLDER": str(workdir / "uploads"),
    })
    app.instance_path = str(workdir / "instance")
    app.extensions["clock"] = FrozenClock(NOW)
    analyze = args.analyze if args.analyze is not None else database.kind == "postgresql"

    with app.app_context():
        try:
            t0 = time.perf_counter()
            upgrade()
            migrate_s = time.perf_counter() - t0
            log(f"migrated in {migrate_s:.1f} s; loading {n:,} cases ({d:,} due) into {database.kind}")
            past, future = clock_templates(load_calendar(), args.distinct_deadlines)
            with db.engine.begin() as conn:
                conn.execute(User.__table__.insert(), office_rows())
            t1 = time.perf_counter()
            (load_postgres if database.kind == "postgresql" else load_sqlite)(n, d, past, future, args.chunk,
                                                                              None if args.unclaimed else 3)
            load_s = time.perf_counter() - t1
            if analyze:
                with db.engine.begin() as conn:
                    conn.execute(text("ANALYZE"))
            setup_s = time.perf_counter() - t0
            log(f"loaded in {load_s:.1f} s (set-up {setup_s:.1f} s in all)")
            before = totals()
            if before["still_due"] != d:
                raise BenchError(f"{before['still_due']} cases due after the load, expected {d}")
            db.session.remove()

            queries = {"n": 0, "statements": {}}

            @event.listens_for(db.engine, "before_cursor_execute")
            def _count(conn, cursor, statement, parameters, context, executemany):
                queries["n"] += 1
                if args.show_sql:
                    context._bench_start = time.perf_counter()

            @event.listens_for(db.engine, "after_cursor_execute")
            def _time(conn, cursor, statement, parameters, context, executemany):
                if args.show_sql:  # statement → [times, seconds in the database driver]
                    entry = queries["statements"].setdefault(" ".join(statement.split())[:150], [0, 0.0])
                    entry[0] += 1
                    entry[1] += time.perf_counter() - context._bench_start

            statements: dict[str, list] = {}

            def timed_sweep(at: dt.datetime, profiled: bool = False):
                queries["n"] = 0
                queries["statements"] = {}
                profiler = cProfile.Profile() if profiled else None
                start = time.perf_counter()
                if profiler:
                    profiler.enable()
                report = sweep_due_cases(at, batch_size=args.batch_size)
                seconds = time.perf_counter() - start
                if profiler:
                    profiler.disable()
                    listing = io.StringIO()
                    pstats.Stats(profiler, stream=listing).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(args.profile)
                    if os.environ.get("BENCH_CALLERS"):
                        pstats.Stats(profiler, stream=listing).print_callers(os.environ["BENCH_CALLERS"])
                    log("profile of the first sweep (its time includes the profiler's):\n" + listing.getvalue())
                db.session.remove()
                statements.clear()
                statements.update(queries["statements"])
                return report, seconds, queries["n"]

            warm = None
            if args.warmup:
                earliest = min(w for _, _, w in (past if d else future))
                report, warm, _ = timed_sweep(earliest - dt.timedelta(seconds=1))
                if report.lines():
                    raise BenchError(f"the warm-up sweep did something: {report.lines()[:3]}")
            log("sweeping")
            report, seconds, sweep_queries = timed_sweep(NOW, profiled=args.profile > 0)
            first_statements = dict(statements)
            after = totals()
            log(f"first sweep {seconds:.3f} s, {sweep_queries} queries, {len(report.escalated)} escalations")
            for statement, (times, spent) in sorted(first_statements.items(), key=lambda kv: -kv[1][1]):
                log(f"  {times:7d} × {spent * 1000:9.1f} ms  {statement}")
            report2, seconds2, queries2 = timed_sweep(NOW)
            after2 = totals()
            log(f"second sweep {seconds2:.3f} s, {queries2} queries")
            noop = [seconds2]
            for _ in range(args.repeat - 1):  # more no-op sweeps at NOW: a steadier figure on a busy machine
                extra, extra_s, _ = timed_sweep(NOW)
                if extra.lines():
                    raise BenchError(f"a repeated sweep at the same instant did something: {extra.lines()[:3]}")
                noop.append(extra_s)
            noop.sort()
        finally:
            db.session.remove()
            db.engine.dispose()

    checks = {
        "escalated_reported": len(report.escalated) == d,
        "no_warnings": not report.warned and not report.chain_ended,
        "events": after["events"] == d,
        "notices": after["notices"] == d,
        "outbox": after["outbox"] == d and after["outbox_sla"] == d,
        "none_left_due": after["still_due"] == 0,
        "second_sweep_reports_nothing": report2.lines() == [],
        "second_sweep_writes_nothing": after2 == after,
    }
    return {
        "cases": n, "due": d, "seconds": round(seconds, 4), "second_seconds": round(seconds2, 4),
        "noop_min_seconds": round(noop[0], 5), "noop_median_seconds": round(noop[len(noop) // 2], 5),
        "queries": sweep_queries, "second_queries": queries2,
        "queries_per_due": round((sweep_queries - queries2) / d, 2) if d else None,
        "ms_per_due": round((seconds - seconds2) * 1000 / d, 3) if d else None,
        "escalated": len(report.escalated), "events": after["events"], "notices": after["notices"],
        "outbox": after["outbox"], "warmup_seconds": round(warm, 4) if warm is not None else None,
        "setup_seconds": round(setup_s, 1), "load_seconds": round(load_s, 1), "analyzed": analyze,
        "database": database.kind, "batch_size": args.batch_size,
        "owner": "none (desk head)" if args.unclaimed else "officer", "distinct_deadlines": args.distinct_deadlines, "due_fraction": args.due_fraction,
        "now": NOW.isoformat(), "cpus": os.cpu_count(), "python": platform.python_version(),
        "loadavg_1m": round(os.getloadavg()[0], 2), "checks": checks, "ok": all(checks.values()),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/; "
                             "default: a temporary SQLite file")
    parser.add_argument("--chunk", type=int, default=10_000, help="rows per executemany / COPY chunk")
    parser.add_argument("--analyze", action=argparse.BooleanOptionalAction, default=None,
                        help="ANALYZE after the load (default: on PostgreSQL only)")
    parser.add_argument("--unclaimed", action="store_true",
                        help="cases nobody has claimed (no owner): level 1 goes to the desk head (DESK_HEAD_NIP)")
    parser.add_argument("--distinct-deadlines", type=int, default=16,
                        help="how many distinct deadlines the due (and the not-due) cases spread over")
    parser.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--repeat", type=int, default=5,
                        help="no-op sweeps at the same instant after the first (min and median reported)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="run the first sweep under cProfile and list its N costliest functions on stderr")
    parser.add_argument("--show-sql", action="store_true", help="list the first sweep's statements, with counts and time spent executing them, on stderr")
    args = parser.parse_args(argv)
    if args.cases < 1 or not 0 <= args.due_fraction <= 1 or args.batch_size < 1 or args.chunk < 1 \
            or args.distinct_deadlines < 1 or args.repeat < 1:
        parser.error("need --cases >= 1, 0 <= --due-fraction <= 1, and --batch-size, --chunk, "
                     "--distinct-deadlines, --repeat >= 1")

    def work(workdir: Path, cleanup: Cleanup) -> int:
        database = TempDatabase(args.database_url, workdir)
        cleanup.push("database", database.close)
        result = run(args, workdir, database)
        print(json.dumps(result))
        return 0 if result["ok"] else 1

    return guarded("layani_bench_sweep_", work)


if __name__ == "__main__":
    sys.exit(main())
