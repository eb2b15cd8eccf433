"""The SLA clocks a case can run, in the order the pages list them, with the names people read.

A workflow gives each clock it runs a default target (`Workflow.sla`); the models' CHECK constraints, the
admin's policy form and the sweep's emails all take the names from here."""
from __future__ import annotations

FIRST_RESPONSE = "first_response"  # stops at the desk's first action or reply
RESOLUTION = "resolution"  # stops in a final state, or when the desk has answered
EXTERNAL = "external"  # runs while another body (BKPSDMD, BKN) has the case
APPROVAL = "approval"  # runs while the case waits on the requester's superior (the others pause then)

CLOCK_LABELS: dict[str, str] = {
    FIRST_RESPONSE: "Tanggapan pertama",
    RESOLUTION: "Penyelesaian",
    EXTERNAL: "Instansi luar",
    APPROVAL: "Persetujuan atasan",
}
CLOCK_NAMES: tuple[str, ...] = tuple(CLOCK_LABELS)


def sql_list(names: tuple[str, ...] = CLOCK_NAMES) -> str:
    """"'first_response', 'resolution', 'external', 'approval'": the names as a CHECK constraint lists them."""
    return ", ".join(f"'{name}'" for name in names)
