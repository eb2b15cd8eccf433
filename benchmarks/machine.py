"""Why one shared `transitions` Machine per case type: cost of firing on it versus building one per case.

    python benchmarks/machine.py [--n 5000]

Prints one JSON object on its last line: microseconds per trigger and bytes allocated per case for
both ways, on the service-request workflow's own declaration.
"""
from __future__ import annotations

import argparse
import json
import time
import tracemalloc

from transitions import Machine

from layani_flow.workflows import REGISTRY


class FakeCase:
    """Just what guards and the machine read: the request has all documents verified."""

    def __init__(self) -> None:
        self.state = "in_verification"
        self.service = None  # no catalogue entry → no required documents
        self.documents = []
        self.owner_id = 1


def shared(n: int) -> float:
    wf = REGISTRY["service_request"]
    start = time.perf_counter()
    for _ in range(n):
        case = FakeCase()
        wf.fire(case, "start_processing", actor_id=1)
    return (time.perf_counter() - start) / n * 1e6


def per_case(n: int) -> float:
    wf = REGISTRY["service_request"]
    start = time.perf_counter()
    for _ in range(n):
        case = FakeCase()
        machine = Machine(model=case, states=wf._machine_states(), transitions=wf._machine_transitions(),
                          initial=case.state, auto_transitions=False, send_event=True)
        case.trigger("start_processing", actor_id=1)
        machine.remove_model(case)
    return (time.perf_counter() - start) / n * 1e6


def allocated(fn, n: int = 200) -> float:
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    fn(n)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(s.size_diff for s in after.compare_to(before, "filename")) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    n = parser.parse_args().n
    shared(200), per_case(200)  # warm-up
    result = {
        "n": n,
        "shared_us_per_trigger": round(shared(n), 2),
        "per_case_us_per_trigger": round(per_case(n), 2),
        "shared_bytes_retained_per_case": round(allocated(shared), 1),
        "per_case_bytes_retained_per_case": round(allocated(per_case), 1),
    }
    result["speedup"] = round(result["per_case_us_per_trigger"] / result["shared_us_per_trigger"], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
