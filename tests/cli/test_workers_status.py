"""Each running worker writes its heartbeat row after every cycle and removes it when it stops cleanly;
`layani workers` lists them and fails when none has finished a cycle recently (a monitoring check)."""
from __future__ import annotations

import threading

from sqlalchemy import select

from layani_flow.models import WorkerHeartbeat
from layani_flow.services import health
from layani_flow.services.worker import Job, run_worker


def test_a_running_worker_beats_after_each_cycle_and_leaves_when_it_stops(app, db, clock):
    stop, seen = threading.Event(), []

    def look() -> int:
        seen.append([(row.name, row.beat_at) for row in db.session.scalars(select(WorkerHeartbeat))])
        if len(seen) == 2:
            stop.set()
        clock.advance(seconds=30)
        return 0

    jobs = (Job("look", look, lambda _: ""),)
    assert run_worker(interval=0.01, stop=stop, echo=lambda _: None, jobs=jobs) == 2
    assert seen[0] == [] and [name for name, _ in seen[1]] == [health.worker_name()]
    assert db.session.scalars(select(WorkerHeartbeat)).all() == []  # stopped cleanly: gone, not missing


def test_a_single_run_leaves_no_heartbeat(app, db):
    run_worker(interval=60, once=True, echo=lambda _: None, jobs=(Job("nothing", lambda: 0, lambda _: ""),))
    assert db.session.scalars(select(WorkerHeartbeat)).all() == []


def test_the_status_command_passes_with_a_recent_beat_and_fails_without(app, runner, clock):
    app.config["WORKER_INTERVAL"] = 30
    none = runner.invoke(args=["layani", "workers"])
    assert none.exit_code == 1 and "Tidak ada worker" in none.output

    started = clock.now()
    health.record_heartbeat("mesin-a:101", started, ())
    health.record_heartbeat("mesin-b:202", started, ["deliver"])
    clock.advance(seconds=130)
    health.record_heartbeat("mesin-a:101", started, ())
    ok = runner.invoke(args=["layani", "workers"])  # a: 0 s ago; b: 130 s ago, past 2×30 + 60
    assert ok.exit_code == 0, ok.output
    assert "mesin-a:101\thidup" in ok.output and "mesin-b:202\tTERLAMBAT" in ok.output and "gagal: deliver" in ok.output

    clock.advance(seconds=121)
    late = runner.invoke(args=["layani", "workers", "--max-age", "600"])
    assert late.exit_code == 0, late.output
    assert runner.invoke(args=["layani", "workers"]).exit_code == 1
    assert runner.invoke(args=["layani", "workers", "--this-host"]).exit_code == 1  # none of them on this machine
