"""Where the pages of the load mix spend their CPU: the Flask test client in-process (no HTTP, no gunicorn).

    .venv/bin/python benchmarks/profile_pages.py [--rounds 30] [--profile PAGE] [--top 40]
                                                 [--sort cumulative|tottime] [--database-url URL] [--dump FILE]

Same data as benchmarks/load.py (its office and --cases earlier cases, bulk-loaded into a temporary
database), the app configured as load.py's gunicorn is. Signs in an employee, an officer and the desk head
through /masuk, then asks for each page of the mix --rounds times and prints one JSON line: the CPU time
(time.process_time; the best and the median of 5 batches of --rounds) and the SQL statements per request of each page. --profile PAGE (e.g. "officer:queue")
also prints cProfile's top functions for that page. Read-only pages only: filing is measured by intake.py.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

from harness import Cleanup  # noqa: E402
from load import CASE_LINK, CSRF, PASSWORD, nip_of, seed  # noqa: E402
from sweep import TempDatabase  # noqa: E402

BATCHES = 5
PEOPLE = {"employee": 100, "officer": 3, "desk_head": 2, "head": 10}


def pages(client, uid: int, role: str) -> dict[str, str]:
    """The mix's read-only pages for this person: home or queue, one of their cases, search, the form."""
    landing = "/antrian" if role == "officer" else "/"
    found = CASE_LINK.findall(client.get(landing).get_data(as_text=True))
    out = {"home": "/", "search": "/cari?q=alamat+rekening"}
    if found:
        out["case"] = f"/kasus/{found[0]}"
    if role == "officer":
        out["queue"] = "/antrian"
    if role == "employee":
        out["file_form"] = "/kasus/baru/service_request?layanan=pemutakhiran_data"
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--profile", default=None, help="role:page to profile, e.g. officer:queue")
    parser.add_argument("--dump", help="with --profile: also write the raw profile to this file (pstats)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--callers", default=None, help="with --profile: also who calls functions matching this")
    parser.add_argument("--show-sql", default=None, help="role:page whose statements to print, with where in the app each was sent from")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    cleanup = Cleanup()
    tmp = Path(tempfile.mkdtemp(prefix="layani-profile-pages-"))
    cleanup.push("temp dir", lambda: shutil.rmtree(tmp, ignore_errors=True))
    try:
        database = TempDatabase(args.database_url, tmp, "load_h_profile")
        cleanup.push("database", database.close)
        seed(database, tmp, args.cases)
        for key in [k for k in os.environ if k.startswith(("LAYANI_", "FLASK_"))]:
            del os.environ[key]
        os.environ.update(LAYANI_SQLALCHEMY_DATABASE_URI=database.url, LAYANI_SECRET_KEY="profile-" + os.urandom(8).hex(),
                          LAYANI_UPLOAD_FOLDER=str(tmp / "uploads"), LAYANI_DESK_HEAD_NIP=nip_of(2))
        from sqlalchemy import event

        from layani_flow import create_app
        from layani_flow.extensions import db

        app = create_app()
        statements = [0]
        shown: list[str] = []

        def counted(conn, cursor, statement, *rest):
            statements[0] += 1
            if shown is not None and shown[:1] == ["on"]:
                import traceback
                frames = [f"{Path(f.filename).name}:{f.lineno}({f.name})" for f in traceback.extract_stack()
                          if "/layani_flow/" in f.filename and "/templates/" not in f.filename]
                shown.append(" <- ".join(reversed(frames[-4:])) + "\n    " + " ".join(statement.split())[:160])

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", counted)
        results: dict[str, dict] = {}
        for role, uid in PEOPLE.items():
            client = app.test_client()
            token = CSRF.search(client.get("/masuk").get_data(as_text=True))
            resp = client.post("/masuk", data={"csrf_token": token.group(1) if token else "", "nip": nip_of(uid),
                                               "password": PASSWORD})
            assert resp.status_code == 302, resp.status_code
            for page, path in pages(client, uid, "officer" if role == "officer" else role).items():
                for _ in range(3):  # warm: templates compiled, caches filled
                    client.get(path)
                label = f"{role}:{page}"
                if label == args.show_sql:
                    shown[:] = ["on"]
                    client.get(path)
                    print("\n".join(shown[1:]), file=sys.stderr)
                    shown[:] = []
                profiler = cProfile.Profile(time.process_time) if label == args.profile else None  # CPU, not waits
                statements[0] = 0
                batches = []  # CPU ms per request of each batch: the best is the least disturbed by other work
                for _ in range(BATCHES):
                    cpu0 = time.process_time()
                    if profiler:
                        profiler.enable()
                    for _ in range(args.rounds):
                        status = client.get(path).status_code
                    if profiler:
                        profiler.disable()
                    batches.append((time.process_time() - cpu0) * 1000 / args.rounds)
                results[label] = {"cpu_ms_best": round(min(batches), 1),
                                  "cpu_ms_median": round(sorted(batches)[BATCHES // 2], 1),
                                  "queries": round(statements[0] / (args.rounds * BATCHES), 1), "status": status}
                if profiler:
                    out = io.StringIO()
                    if args.dump:
                        profiler.dump_stats(args.dump)
                    stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
                    stats.print_stats(args.top)
                    if args.callers:
                        stats.print_callers(args.callers)
                    print(re.sub(r"\n{3,}", "\n\n", out.getvalue()), file=sys.stderr)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        print(json.dumps({"database": database.kind, "rounds": args.rounds, "pages": results,
                          "loadavg_1m": os.getloadavg()[0]}))
        return 0
    finally:
        cleanup.run()


if __name__ == "__main__":
    raise SystemExit(main())
