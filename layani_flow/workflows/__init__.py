"""Every case type's workflow, keyed by case type."""
from . import complaint, mediation, service_request
from .base import Guard, Refusal, Step, TransitionImpossible, Workflow

REGISTRY: dict[str, Workflow] = {
    wf.case_type: wf for wf in (service_request.WORKFLOW, complaint.WORKFLOW, mediation.WORKFLOW)
}

__all__ = ["REGISTRY", "Guard", "Refusal", "Step", "TransitionImpossible", "Workflow"]
