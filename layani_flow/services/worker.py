"""The background loop: each job (the SLA sweep, mail delivery, …) every interval, until SIGTERM or SIGINT.

Each job runs in its own failure boundary: a sweep that fails (a bad setting, a database error) is logged
loudly and rolled back, and delivery still runs in the same cycle, so one broken job never silences the
others — in particular, never all email.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .. import clock, logs
from ..extensions import db
from ..rate_limits import purge_expired
from . import health, reminders
from .consultations import send_reminders
from .import_jobs import run_queued as run_queued_imports
from .outbox import DeliveryReport, deliver_pending
from .sweep import SweepBusy, SweepReport, sweep_due_cases

logger = logging.getLogger(__name__)


Report = TypeVar("Report")


@dataclass(frozen=True)
class Job(Generic[Report]):
    name: str
    run: Callable[[], Report]
    summary: Callable[[Report], str]
    counts: Callable[[Report], dict[str, int]] = lambda report: {}  # for the cycle's log line


def _sweep_summary(report: SweepReport) -> str:
    return f"peringatan {len(report.warned)}, eskalasi {len(report.escalated)}" if report.warned or report.escalated else ""


def _deliver_summary(report: DeliveryReport) -> str:
    return f"terkirim {report.sent}, tertunda {report.retried}, gagal {report.failed}" \
        if report.sent or report.retried or report.failed else ""


JOBS: tuple[Job[Any], ...] = (
    Job("sweep", lambda: sweep_due_cases(), _sweep_summary,
        lambda report: {"warned": len(report.warned), "escalated": len(report.escalated)}),
    Job("reminders", lambda: send_reminders(clock.now()), lambda sent: f"pengingat konsultasi {sent}" if sent else "",
        lambda sent: {"sent": sent}),
    Job("personnel_reminders", lambda: reminders.daily(clock.now()),
        lambda report: f"pengingat kepegawaian {report.total}" if report.total else "",
        lambda report: {"sent": report.total}),
    # Before delivery, so an import's invitations go out in the same cycle.
    Job("imports", lambda: run_queued_imports(), lambda ran: f"impor pegawai {ran}" if ran else "",
        lambda ran: {"ran": ran}),
    Job("deliver", lambda: deliver_pending(), _deliver_summary,
        lambda report: {"sent": report.sent, "retried": report.retried, "failed": report.failed}),
    Job("rate_limits", lambda: purge_expired(), lambda purged: "", lambda purged: {"purged": purged}),
)


@dataclass
class CycleResult:
    failed: list[str]
    lines: list[str]


def run_cycle(jobs: tuple[Job[Any], ...] = JOBS, echo: Callable[[str], None] = print) -> CycleResult:
    """One cycle: every job once, each on its own; a failure is logged with its traceback and the session
    is rolled back before the next job starts. Every line logged in the cycle carries its cycle id, and
    the last one says what each job did (at DEBUG when nothing happened, so an idle desk logs nothing)."""
    result = CycleResult([], [])
    done: list[str] = []
    eventful = False  # anything done, skipped or failed: worth an INFO line
    with logs.new_cycle():
        for job in jobs:
            try:
                report = job.run()
                line, counts = job.summary(report), job.counts(report)
            except SweepBusy as exc:  # another process held the database too long: expected, said plainly
                db.session.rollback()
                logger.warning("worker job %r skipped this cycle: %s", job.name, exc)
                echo(f"dilewati: tugas {job.name}: {exc}")
                done.append(f"{job.name} skipped")
                eventful = True
                continue
            except Exception as exc:  # one failing job must not stop the others, nor the loop
                db.session.rollback()
                logger.exception("worker job %r failed", job.name)
                echo(f"GAGAL: tugas {job.name}: {type(exc).__name__}: {exc}")
                result.failed.append(job.name)
                done.append(f"{job.name} failed")
                continue
            finally:
                db.session.remove()  # a fresh session per job: nothing stale carries into the next
            eventful = eventful or any(counts.values())
            done.append(" ".join([job.name, *(f"{key}={value}" for key, value in counts.items())]))
            if line:
                result.lines.append(f"{job.name}: {line}")
        logger.log(logging.INFO if eventful or result.failed else logging.DEBUG, "Worker cycle: %s", "; ".join(done))
    if result.lines:
        echo("; ".join(result.lines))
    return result


def run_worker(interval: float, once: bool = False, echo: Callable[[str], None] = print,
               stop: threading.Event | None = None, jobs: tuple[Job[Any], ...] = JOBS) -> int:
    """Returns the number of cycles run."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    cycles = 0
    name, started_at = health.worker_name(), clock.now()
    echo(f"worker berjalan; selang {interval:g} detik")
    try:
        while not stop.is_set():
            result = run_cycle(jobs, echo)
            cycles += 1
            if once:  # a cron run is not a worker to watch: no heartbeat row left behind
                break
            _beat(name, started_at, result.failed)
            stop.wait(interval)  # wakes at once on a signal
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if not once:
            _beat(name, started_at, forget=True)
    echo("worker berhenti")
    return cycles


def _beat(name: str, started_at, failed: list[str] | None = None, forget: bool = False) -> None:
    """The heartbeat row (`layani workers`). The database being down must not stop the loop: the jobs
    fail loudly on their own, and a missing beat is exactly what the status check reports."""
    try:
        if forget:
            health.forget_worker(name)
        else:
            health.record_heartbeat(name, started_at, failed or ())
    except Exception:
        db.session.rollback()
        logger.warning("worker heartbeat not recorded", exc_info=True)
    finally:
        db.session.remove()
