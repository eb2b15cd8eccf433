"""What every benchmark script shares: its one error, its clean-up, and the frame its main() runs in."""
from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class BenchError(RuntimeError):
    """A set-up problem (a database that cannot be made, a server that does not start): said, exit 2."""


class Cleanup:
    """Everything to undo, undone in reverse order whatever happens."""

    def __init__(self) -> None:
        self._actions: list[tuple[str, Callable[[], object]]] = []

    def push(self, label: str, action: Callable[[], object]) -> None:
        self._actions.append((label, action))

    def run(self) -> None:
        while self._actions:
            label, action = self._actions.pop()
            try:
                action()
            except Exception as exc:  # keep undoing the rest
                log(f"clean-up of {label} failed: {exc!r}")


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def guarded(prefix: str, work: Callable[[Path, Cleanup], int]) -> int:
    """Run a benchmark's `work` in a temporary folder (removed afterwards) and return its exit status: 2 on a
    BenchError, 130 when interrupted (Ctrl-C, SIGTERM, SIGHUP). Whatever happens, everything `work` pushed on
    the clean-up is undone, and a second Ctrl-C cannot cut that short."""
    cleanup = Cleanup()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    cleanup.push(f"temp dir {workdir}", lambda: shutil.rmtree(workdir, ignore_errors=True))
    try:
        return work(workdir, cleanup)
    except BenchError as exc:
        log(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cleanup.run()
        signal.signal(signal.SIGINT, signal.default_int_handler)
