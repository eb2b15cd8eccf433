"""What the top of a case page says to the person reading it: the next step in words ("Anda perlu: …"), and
the note that sent the case back to the requester, as a banner.

Both are read off services.capabilities (what this person may do now) and the case's own declaration
(which states wait on whom); nothing here decides a rule of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models import Case, CaseEvent
from ..services.capabilities import Action, Capabilities
from ..workflows import REGISTRY


@dataclass(frozen=True)
class NextStep:
    text: str
    mine: bool  # something waits on this person (the page marks it as a call to act)


def _offered(caps: Capabilities) -> list[Action]:
    # Steps that ask for confirmation (withdrawing) are never what a person "needs" to do.
    return [a for a in caps.actions if "confirm" not in a.needs]


def _waiting_on(case: Case, desk: bool) -> str:
    workflow = REGISTRY[case.case_type]
    if case.state in workflow.external_in:
        return "menunggu jawaban instansi lain"
    if case.state in workflow.paused_in:
        return workflow.waiting_on(case.state)
    if case.owner is None:
        return "menunggu petugas mengambil kasus ini"
    return f"menunggu {case.owner.name}" if desk else "menunggu petugas"


def next_step(case: Case, caps: Capabilities, pending_documents: int) -> NextStep:
    """This person's next move on the case, in one Indonesian sentence."""
    workflow = REGISTRY[case.case_type]
    if workflow.is_final(case.state):
        return NextStep("Kasus sudah selesai; tidak ada yang perlu Anda lakukan.", False)
    if caps.claim and case.owner_id is None:
        return NextStep("Anda perlu: mengambil kasus ini (Klaim) atau menugaskannya kepada petugas.", True)
    if caps.review and pending_documents:
        return NextStep(f"Anda perlu: memverifikasi {pending_documents} dokumen.", True)
    offered = _offered(caps)
    allowed = [a for a in offered if a.allowed]
    if allowed:
        first = next((a for a in allowed if a.tone != "danger"), allowed[0])
        step = workflow.by_trigger[first.trigger]
        return NextStep(f"Anda perlu: {step.task or step.label.lower()}.", True)
    blocked = [a for a in offered if a.blocked_by]
    if blocked:
        return NextStep(f"Anda perlu: {blocked[0].blocked_by[0].rstrip('.')} sebelum \"{blocked[0].label}\".", True)
    return NextStep(f"Tidak ada yang perlu Anda lakukan; {_waiting_on(case, caps.internal_note.allowed)}.", False)


@dataclass(frozen=True)
class Banner:
    title: str
    note: str


def sent_back_banner(case: Case, events: list[CaseEvent]) -> Banner | None:
    """While a case waits on its requester, the note that sent it there, at the top of the page."""
    workflow = REGISTRY[case.case_type]
    if case.state not in workflow.paused_in or case.state in workflow.external_in:
        return None
    into = next((e for e in reversed(events) if e.kind == "transition" and e.to_state == case.state), None)
    if into is None or not into.comment:
        return None
    step = workflow.by_trigger.get(into.trigger or "")
    return Banner(step.label if step else workflow.states[case.state], into.comment)
