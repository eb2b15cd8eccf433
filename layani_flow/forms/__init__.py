"""Form registries: the intake form of each case type and the forms of triggers that need input.

Each case type has one module here named like its workflow (complaint.py for workflows/complaint.py) with an
`IntakeForm` and, when some of its steps take input, `STEP_FORMS` (trigger → form); the registries are
built from those modules, so a new case type adds its module to the tuple below and nothing else.
"""
from __future__ import annotations

from types import ModuleType

from . import chat, complaint, consultation, mediation, service_request
from .base import BaseForm, JsonShapeError, TransitionForm, describe_fields

_CASE_TYPE_MODULES: tuple[ModuleType, ...] = (service_request, complaint, mediation, consultation, chat)


def _case_type(module: ModuleType) -> str:
    return module.__name__.rpartition(".")[2]


INTAKE_FORMS: dict[str, type[BaseForm]] = {_case_type(m): m.IntakeForm for m in _CASE_TYPE_MODULES}

TRIGGER_FORMS: dict[tuple[str, str], type[TransitionForm]] = {
    (_case_type(m), trigger): form for m in _CASE_TYPE_MODULES for trigger, form in getattr(m, "STEP_FORMS", {}).items()
}


def intake_form_class(case_type: str, service: str | None = None) -> type[BaseForm]:
    """A type filed per catalogue service has one form per service; the others have one form each."""
    return INTAKE_FORMS[case_type].for_service(service)


def trigger_form_class(case_type: str, trigger: str) -> type[TransitionForm]:
    return TRIGGER_FORMS.get((case_type, trigger), TransitionForm)


__all__ = ["INTAKE_FORMS", "TRIGGER_FORMS", "BaseForm", "JsonShapeError", "TransitionForm",
           "describe_fields", "intake_form_class", "trigger_form_class"]
