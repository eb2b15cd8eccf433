"""Every case type's workflow, keyed by case type: the one place a case type is declared."""
from __future__ import annotations

from collections.abc import Callable

from . import chat, complaint, consultation, mediation, service_request
from .base import (
    STATUS_UPDATE,
    Booking,
    Guard,
    Intake,
    OtherParty,
    PublicStandard,
    Refusal,
    Step,
    StepContext,
    TransitionImpossible,
    Workflow,
)

REGISTRY: dict[str, Workflow] = {
    wf.case_type: wf for wf in (service_request.WORKFLOW, complaint.WORKFLOW, mediation.WORKFLOW,
                                 consultation.WORKFLOW, chat.WORKFLOW)
}

# Every state name of every case type (filters check against it before they reach a query).
ALL_STATES: frozenset[str] = frozenset(state for wf in REGISTRY.values() for state in wf.states)


def case_types_where(trait: Callable[[Workflow], bool]) -> list[str]:
    """The case types whose declaration has `trait`, e.g. for a SQL `case_type IN (…)`. Read at each call,
    so a type registered later (a test's) counts too."""
    return sorted(key for key, wf in REGISTRY.items() if trait(wf))


__all__ = ["ALL_STATES", "REGISTRY", "STATUS_UPDATE", "Booking", "Guard", "Intake", "OtherParty", "PublicStandard", "Refusal", "Step",
           "StepContext", "TransitionImpossible", "Workflow", "case_types_where"]
