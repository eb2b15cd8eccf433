"""The real `flask` command line with one addition, for tests/cli/test_parallel_sweeps.py: the first write
statement of the process (a sweep's first, after it has read its first batch) waits at a gate, a TCP
connection to the test on 127.0.0.1:$SWEEP_GATE_PORT, until the test lets every sweeper through at once. Two
sweepers have then read the same due cases and are about to write them: they certainly collide."""
from __future__ import annotations

import os
import socket
import sys

from flask.cli import main
from sqlalchemy import event
from sqlalchemy.engine import Engine

GATE_TIMEOUT_S = 120
_passed = False


@event.listens_for(Engine, "before_cursor_execute")
def _wait_at_the_gate(conn, cursor, statement, parameters, context, executemany):
    global _passed
    if _passed or not statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
        return
    _passed = True
    with socket.create_connection(("127.0.0.1", int(os.environ["SWEEP_GATE_PORT"])), timeout=GATE_TIMEOUT_S) as gate:
        gate.sendall(b"ready\n")
        if gate.makefile().readline() != "go\n":
            raise SystemExit("the gate closed without a go")


if __name__ == "__main__":
    sys.argv[0] = "flask"
    sys.exit(main())
