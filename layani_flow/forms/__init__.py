"""Form registries: the intake form of each case type and the forms of triggers that need input."""
from __future__ import annotations

from . import complaint, mediation, service_request
from .base import BaseForm, JsonShapeError, TransitionForm, describe_fields

INTAKE_FORMS: dict[str, type[BaseForm]] = {
    "service_request": service_request.IntakeForm,
    "complaint": complaint.IntakeForm,
    "mediation": mediation.IntakeForm,
}

TRIGGER_FORMS: dict[tuple[str, str], type[TransitionForm]] = {
    ("service_request", "forward"): service_request.ForwardForm,
    ("mediation", "assign_mediator"): mediation.AssignMediatorForm,
}


def intake_form_class(case_type: str, service: str | None = None) -> type[BaseForm]:
    """The service request's form depends on the chosen service; the others have one form each."""
    if case_type == "service_request" and service in service_request.SERVICES:
        return service_request.form_for_service(service)
    return INTAKE_FORMS[case_type]


def trigger_form_class(case_type: str, trigger: str) -> type[TransitionForm]:
    return TRIGGER_FORMS.get((case_type, trigger), TransitionForm)


__all__ = ["INTAKE_FORMS", "TRIGGER_FORMS", "BaseForm", "JsonShapeError", "TransitionForm",
           "describe_fields", "intake_form_class", "trigger_form_class"]
