"""Smoke runs of the load and memory benchmarks with tiny numbers: they set up, run, clean up and print the
JSON the contract names, with no failed request. Figures are not judged here (a shared CI machine); the
benchmarks' own `ok` is for the runs written down in docs/performance.md."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
PG_URI = os.environ.get("LAYANI_TEST_DATABASE_URI", "")

pytestmark = pytest.mark.slow


def server_args() -> list[str]:
    """On the PostgreSQL leg, the benchmark makes (and drops) its own database on the same server."""
    if not PG_URI.startswith("postgresql"):
        return []
    return ["--database-url", make_url(PG_URI).set(database="postgres").render_as_string(hide_password=False)]


def run(script: str, *args: str, timeout: int = 180) -> tuple[int, dict, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYANI_")}
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), *args, *server_args()],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    lines = done.stdout.strip().splitlines()
    assert lines, f"{script} printed nothing (exit {done.returncode}):\n{done.stderr[-3000:]}"
    return done.returncode, json.loads(lines[-1]), done.stderr


def test_load_runs_people_through_the_pages_without_errors():
    """The first level as the contract says; --find-max then adds people level by level (no limit met here)."""
    code, result, stderr = run("load.py", "--users", "3", "--seconds", "3", "--warmup", "1", "--cases", "200",
                               "--find-max", "--step", "2", "--max-users", "5", "--limit-ms", "100000")
    assert code in (0, 1), stderr[-3000:]  # 1: p95 over the target, which a busy test machine may well be
    for key in ("users", "requests", "errors", "p50_ms", "p95_ms", "p99_ms", "per_s"):
        assert key in result, key
    assert result["users"] == 3 and result["requests"] > 0
    assert result["errors"] == 0, result["first_errors"]
    assert result["statuses"].get("200", 0) > 0
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert result["ok"] == (result["p95_ms"] < 100)
    assert [s["users"] for s in result["steps"]] == [3, 5]
    assert all(s["errors"] == 0 for s in result["steps"])
    assert result["max_users_p95_under_100000ms"] == 5


def test_memory_worker_and_sweep_parts():
    code, result, stderr = run("memory.py", "--cycles", "20", "--sample-every", "10", "--open-cases", "100",
                               "--due", "300")
    assert code in (0, 1), stderr[-3000:]
    for key in ("cycles", "rss_start_mb", "rss_end_mb", "growth_mb", "due", "peak_rss_mb"):
        assert key in result, key
    assert result["cycles"] == 20 and sorted(map(int, result["samples_mb"])) == [0, 10, 20]
    # Two receipts delivered, and whatever the daily personnel reminders owe the bench's office on its date.
    assert result["failed_jobs"] == 0 and result["outbox"].get("sent", 0) >= 2 and not result["outbox"].get("failed")
    assert result["due"] == 300 and result["escalated"] == 300 and result["left_due"] == 0
    assert result["peak_rss_mb"] > 0


@pytest.mark.parametrize("kind", ["app", "bare"])
def test_intake_instructions_children_file_without_valgrind(kind):
    """What intake_instructions.py runs under valgrind: a few filings (parts left out too), exit 0."""
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "intake_instructions.py"), "--child", kind,
                           "--filings", "2", "--without", "sla,answer,receipt,search,settings"],
                          cwd=REPO, env={k: v for k, v in os.environ.items() if not k.startswith("LAYANI_")},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
