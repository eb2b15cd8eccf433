"""Where one case filing spends its time: cProfile around a Flask test-client loop (no HTTP, no gunicorn).

    .venv/bin/python benchmarks/profile_intake.py [--requests 1000] [--top 40] [--sort cumulative|tottime]
                                                  [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/]
                                                  [--show-sql] [--dump FILE]

Same set-up as benchmarks/intake.py (fresh temporary SQLite file or temporary PostgreSQL database, migrated,
one employee with a token), then POSTs the same body to /api/v1/cases in-process. Prints the per-request
wall time with and without the profiler and the top functions; cleans up after itself.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Cleanup  # noqa: E402
from intake import BODY, NIP, count_rows, make_databases  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--show-sql", action="store_true", help="also print the SQL statements of one request")
    parser.add_argument("--dump", help="also write the raw profile to this file (pstats, for snakeviz or pstats)")
    args = parser.parse_args()

    cleanup = Cleanup()
    tmp = Path(tempfile.mkdtemp(prefix="layani-profile-"))
    cleanup.push("temp dir", lambda: shutil.rmtree(tmp, ignore_errors=True))
    try:
        dbs = make_databases(args.database_url, tmp, cleanup)
        for key in [k for k in os.environ if k.startswith(("LAYANI_", "FLASK_"))]:
            del os.environ[key]
        os.environ.update(LAYANI_SQLALCHEMY_DATABASE_URI=dbs.app_url, LAYANI_SECRET_KEY="profile-" + os.urandom(8).hex(),
                          LAYANI_UPLOAD_FOLDER=str(tmp / "uploads"))
        from flask_migrate import upgrade

        from layani_flow import create_app
        from layani_flow.extensions import db
        from layani_flow.services.users import create_token, create_user

        app = create_app()
        with app.app_context():
            upgrade()
            create_user(nip=NIP, name="Pegawai Benchmark", email="benchmark@dkp.babelprov.go.id",
                        role="employee", password="benchmark-pass-1")
            token = create_token(NIP, "profile")
            db.session.remove()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def post_many(n: int) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                resp = client.post("/api/v1/cases", data=BODY, headers=headers)
                if resp.status_code != 201:
                    raise RuntimeError(f"{resp.status_code}: {resp.get_data(as_text=True)[:300]}")
            return time.perf_counter() - t0

        post_many(50)  # warm-up
        if args.show_sql:
            from sqlalchemy import event

            statements: list[str] = []

            def record(conn, cursor, statement, parameters, context, executemany):
                statements.append(" ".join(statement.split())[:160])

            with app.app_context():
                engine = db.engine
            event.listen(engine, "before_cursor_execute", record)
            post_many(1)
            event.remove(engine, "before_cursor_execute", record)
            print(f"SQL statements for one filing: {len(statements)}")
            for i, statement in enumerate(statements, 1):
                print(f"  {i:2d}. {statement}")
        plain = post_many(args.requests)
        profiler = cProfile.Profile()
        profiler.enable()
        profiled = post_many(args.requests)
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        with app.app_context():
            db.engine.dispose()
        rows = count_rows(dbs.app_url, "cases")
        print(f"database={dbs.kind} requests={args.requests} rows={rows}")
        print(f"per request without profiler: {plain / args.requests * 1000:.2f} ms "
              f"({args.requests / plain:.0f}/s in one process); with profiler: {profiled / args.requests * 1000:.2f} ms")
        return 0
    finally:
        cleanup.run()


if __name__ == "__main__":
    sys.exit(main())
