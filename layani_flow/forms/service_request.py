"""Layanan kepegawaian: one intake form per catalogue service, built from the catalogue's field specs."""
from __future__ import annotations

from functools import cache
from typing import Any

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..catalogue import EXTERNAL_BODIES, SERVICES, FieldSpec
from ..services.admin_settings import today_wib
from ..workflows.service_request import WORKFLOW
from .base import BaseForm, TransitionForm, choices, length, required, with_file_inputs

SERVICE_CHOICES = [(s.key, s.name) for s in SERVICES.values()]


class IntakeForm(BaseForm):
    service = SelectField("Layanan", choices=choices(SERVICE_CHOICES), validators=[required("Pilih layanan.")])

    @classmethod
    def for_service(cls, service: str | None) -> type[BaseForm]:
        return form_for_service(service) if service in SERVICES else cls

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then the service's rules (a leave's dates) on the fields that passed
        theirs; open_case asks the same rules again, so the API gives the same answers."""
        valid = super().validate(extra_validators)
        service = SERVICES.get(self.service.data or "")
        if service is None:
            return valid
        for name, messages in service.problems(self.data, today_wib()).items():
            if name in self and not self[name].errors:
                self[name].errors = [*self[name].errors, *messages]
                valid = False
        return valid


def _field(spec: FieldSpec):
    validators = [required() if spec.required else Optional()]
    if spec.kind == "date":
        return DateField(spec.label, validators=validators, description=spec.help,
                         render_kw={"inputmode": "numeric"}, format="%Y-%m-%d")
    if spec.kind == "select":
        return SelectField(spec.label, choices=choices(spec.choices), validators=validators, description=spec.help)
    if spec.kind == "textarea":
        return TextAreaField(spec.label, validators=[*validators, length(3000)], description=spec.help)
    return StringField(spec.label, validators=[*validators, length(200)], description=spec.help)


@cache
def form_for_service(service_key: str) -> type[IntakeForm]:
    """The intake form of one catalogue service (built once; the catalogue is static)."""
    service = SERVICES[service_key]
    attrs = {spec.name: _field(spec) for spec in service.fields}
    return type(f"{service_key.title().replace('_', '')}IntakeForm", (IntakeForm,), attrs)


class ForwardForm(TransitionForm):
    external_body = SelectField("Diteruskan ke", choices=choices(EXTERNAL_BODIES), validators=[required()])


class CompleteForm(TransitionForm):
    """Completing a request; the output document's file input comes from the step's declaration."""


STEP_FORMS: dict[str, type[TransitionForm]] = {
    "forward": ForwardForm,
    "complete": with_file_inputs(CompleteForm, WORKFLOW.by_trigger["complete"]),
}
