"""The background loop: sweep, then deliver, every interval, until SIGTERM or SIGINT."""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from .outbox import deliver_pending
from .sweep import SweepBusy, sweep_due_cases

logger = logging.getLogger(__name__)


def run_worker(interval: float, once: bool = False, echo: Callable[[str], None] = print,
               stop: threading.Event | None = None) -> int:
    """Returns the number of cycles run. A failing cycle is logged and the loop goes on."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    cycles = 0
    echo(f"worker berjalan; selang {interval:g} detik")
    try:
        while not stop.is_set():
            try:
                swept = sweep_due_cases()
                delivered = deliver_pending()
                if swept.warned or swept.escalated or delivered.sent or delivered.retried:
                    echo(f"peringatan {len(swept.warned)}, eskalasi {len(swept.escalated)}, "
                         f"terkirim {delivered.sent}, tertunda {delivered.retried}")
            except SweepBusy as exc:  # another process held the database too long: expected, and said plainly
                logger.warning("worker cycle skipped: %s", exc)
            except Exception:  # one bad cycle must not stop escalations for good
                logger.exception("worker cycle failed")
            cycles += 1
            if once:
                break
            stop.wait(interval)  # wakes at once on a signal
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    echo("worker berhenti")
    return cycles
