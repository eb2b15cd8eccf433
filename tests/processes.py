"""Real processes for tests (`flask … layani worker`, gunicorn): each in its own process group, its output read
by a thread so a test can wait for a line with a timeout, and the whole group killed when the test ends,
passed or failed."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

FLASK = [sys.executable, "-m", "flask", "--app", "layani_flow"]
REPO = Path(__file__).resolve().parent.parent


def layani_env(**settings: str) -> dict[str, str]:
    """The environment of an operator's process: this one's minus every LAYANI_* variable, plus `settings`
    as LAYANI_<KEY> (all text, as a shell would give them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYANI_")}
    # The worker's daily personnel reminders read the real date, and in Oct–Dec or January would email
    # everyone in a test's office: off unless a test asks for them.
    env["LAYANI_WORKER_PERSONNEL_REMINDERS"] = "false"
    env.update({f"LAYANI_{key}": str(value) for key, value in settings.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Process:
    def __init__(self, args: list[str], env: Mapping[str, str], cwd: Path, name: str = ""):
        self.name = name or " ".join(args[-2:])
        self.proc = subprocess.Popen(args, env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)  # its own group: we kill all of it
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def text(self) -> str:
        return f"--- {self.name} (exit {self.proc.poll()}) ---\n" + "".join(self.output)

    def expect(self, wanted: str | Callable[[str], bool], timeout: float = 60) -> str:
        """Wait for an output line containing `wanted` (or satisfying it); fail with the output so far."""
        match = wanted if callable(wanted) else (lambda line: wanted in line)
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"{self.name}: no line matching {wanted!r} in {timeout} s\n{self.text()}") from None
            if line is None:
                raise AssertionError(f"{self.name} ended before a line matching {wanted!r}\n{self.text()}")
            if match(line):
                return line

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as an operator stops it; SIGKILL if it does not end in time. Returns its exit status."""
        if self.proc.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.proc.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        return self.proc.returncode

    def kill(self) -> int:
        """kill -9 of the whole group: no cleanup of any kind runs."""
        self.signal_group(signal.SIGKILL)
        self.proc.wait(timeout=30)
        return self.proc.returncode

    def close(self) -> None:
        self.signal_group(signal.SIGKILL)  # whatever is left of the group, even if the leader is gone
        if self.proc.poll() is None:
            self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        self.proc.stdout.close()


class Processes:
    """Started processes, all killed (by group) when the `running()` block ends."""

    def __init__(self, stack: ExitStack):
        self._stack = stack
        self.started: list[Process] = []

    def start(self, args: list[str], env: Mapping[str, str], cwd: Path, name: str = "") -> Process:
        process = Process(args, env, cwd, name)
        self.started.append(process)
        self._stack.callback(process.close)
        return process

    def worker(self, env: Mapping[str, str], cwd: Path, name: str = "worker") -> Process:
        return self.start([*FLASK, "layani", "worker"], env, cwd, name)

    def outputs(self) -> str:
        return "\n".join(p.text() for p in self.started)


@contextmanager
def running() -> Iterator[Processes]:
    with ExitStack() as stack:
        yield Processes(stack)
