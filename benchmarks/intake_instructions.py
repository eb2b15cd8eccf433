"""Instructions a filing costs, counted by valgrind: the same figure on a busy machine as on a quiet one.

    .venv/bin/python benchmarks/intake_instructions.py [--filings 200] [--without PART[,PART...]]

On a shared machine the CPU time of the same request moves by a third from one run to the next (other work on
the same cores, frequency); an instruction count does not move by more than a few tenths of a percent. Each
count runs a fresh interpreter under `valgrind --tool=callgrind` (apt-get install valgrind): once with 20
warm-up requests only and once with --filings more, in-process through the Flask test client on a temporary
SQLite database, for the real app (POST /api/v1/cases, the body and token of benchmarks/intake.py) and for
benchmarks/bare_app.py (POST /rows); the difference over --filings is the cost of one. HTTP and gunicorn are
not in it: they add the same to both (about 1.2-1.8 ms a request in intake.py's figures).

--without leaves parts of the filing out (replaced by nothing), to weigh them: sla (the clocks: services.sla
.observe), answer (the case in the 201 answer: a bare {"id"} instead), receipt (services.notifications
.observe), search (services.search.observe), settings (the calendar and policies kept without reading their
stamp: services.office_settings). What is left out no longer happens: the figure is for weighing, never for
the summary.

The last stdout line is one JSON object: {"app_per_filing", "bare_per_request", "ratio", "filings", "without"}.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WARMUP = 20
PARTS = ("sla", "answer", "receipt", "search", "settings")


def _leave_out(app, parts: list[str]) -> None:
    import layani_flow.views.api_v1 as api
    from layani_flow.services import notifications, office_settings, search, sla

    if "sla" in parts:
        sla.observe = lambda *args, **kwargs: None
    if "answer" in parts:
        api.case_detail = lambda case, viewer: {"id": case.id}
    if "receipt" in parts:
        notifications.observe = lambda *args, **kwargs: None
    if "search" in parts:
        search.observe = lambda *args, **kwargs: None
    if "settings" in parts:
        with app.app_context():
            kept = office_settings.current()
        office_settings.current = lambda: kept


def _file_cases(filings: int, parts: list[str], tmp: Path) -> None:
    """The child: the real app, WARMUP + filings POSTs."""
    sys.path[:0] = [str(REPO), str(BENCH_DIR)]
    for key in [k for k in os.environ if k.startswith(("LAYANI_", "FLASK_"))]:
        del os.environ[key]
    os.environ.update(LAYANI_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'app.sqlite'}",
                      LAYANI_SECRET_KEY="instructions-" + "x" * 20, LAYANI_UPLOAD_FOLDER=str(tmp / "uploads"))
    import logging

    from flask_migrate import upgrade
    from intake import BODY, NIP

    from layani_flow import create_app
    from layani_flow.extensions import db
    from layani_flow.services.users import create_token, create_user

    app = create_app()
    with app.app_context():
        upgrade()
        create_user(nip=NIP, name="Pegawai Benchmark", email="benchmark@dkp.babelprov.go.id", role="employee",
                    password="benchmark-pass-1")
        token = create_token(NIP, "instructions")
        db.session.remove()
    logging.disable(logging.INFO)
    _leave_out(app, parts)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for _ in range(WARMUP + filings):
        response = client.post("/api/v1/cases", data=BODY, headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")


def _insert_rows(requests: int, tmp: Path) -> None:
    """The child: the bare app, WARMUP + requests POSTs."""
    sys.path[:0] = [str(BENCH_DIR)]
    os.environ["BARE_DATABASE_URI"] = f"sqlite:///{tmp / 'bare.sqlite'}"
    import bare_app
    from intake import BODY

    with bare_app.app.app_context():
        bare_app.db.create_all()
    client = bare_app.app.test_client()
    for _ in range(WARMUP + requests):
        if client.post("/rows", data=BODY, content_type="application/json").status_code != 201:
            raise SystemExit("the bare app did not answer 201")


def _count(kind: str, n: int, parts: list[str]) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
           "--child", kind, "--filings", str(n), "--without", ",".join(parts)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"{kind} under valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--without", default="", help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--child", choices=("app", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = [p for p in args.without.split(",") if p]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if args.child:
        tmp = Path(tempfile.mkdtemp(prefix="layani-instructions-"))
        try:
            if args.child == "app":
                _file_cases(args.filings, parts, tmp)
            else:
                _insert_rows(args.filings, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    runs = [("app", 0), ("app", args.filings), ("bare", 0), ("bare", args.filings)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # one valgrind per core
        counts = dict(zip(runs, pool.map(lambda run: _count(run[0], run[1], parts), runs), strict=True))
    app = (counts["app", args.filings] - counts["app", 0]) / args.filings
    bare = (counts["bare", args.filings] - counts["bare", 0]) / args.filings
    print(json.dumps({"app_per_filing": round(app), "bare_per_request": round(bare), "ratio": round(bare / app, 3),
                      "filings": args.filings, "without": parts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
