"""Shared form pieces: Indonesian messages, the NIP field, and the JSON bridge used by the API."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict

# SelectChoice is new in WTForms 3.3; types-WTForms still describes 3.2, which had no such class.
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..nip import nip_problem, normalize_nip
from ..workflows.base import FileInput, Step

REQUIRED = "Wajib diisi."


def required(message: str = REQUIRED) -> DataRequired:
    return DataRequired(message=message)


def length(max: int, min: int = -1) -> Length:
    if min > 0:
        return Length(min=min, max=max, message=f"Panjang harus antara {min} dan {max} karakter.")
    return Length(max=max, message=f"Maksimal {max} karakter.")


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3+ wants them."""
    return [SelectChoice(value, label) for value, label in pairs]


def entered(field: StringField) -> str:
    """What was typed in a required text field, read after the form validated. WTForms types `data` as
    str | None: None only when the request did not carry the field, which its required validator refuses."""
    if field.data is None:
        raise ValueError(f"Form field {field.name!r} read before its form was validated")
    return field.data


def select_choices(field: SelectField) -> list[SelectChoice]:
    """A select field's choices, as WTForms 3.3 holds them: SelectChoice objects, or none yet."""
    # cast: types-WTForms describes 3.2, where `choices` kept what the form was given ((value, label) pairs
    # or a dict); 3.3 turns whatever it is given into a list of SelectChoice.
    return cast("list[SelectChoice]", field.choices or [])


def nip_field(label: str, validators: list[Any], **kwargs: Any) -> StringField:
    """A NIP input: accepts it as printed on an SK ("19891203 201403 1 002", dots or dashes too) and hands
    the form the 18 digits. Every form that asks for a NIP uses it, so the web and the API agree."""
    return StringField(label, validators=validators, filters=[_nip_filter],
                       description=kwargs.pop("description", None) or NIP_HINT, **kwargs)


NIP_HINT = "18 angka; boleh ditulis seperti di SK, mis. 19891203 201403 1 002."


def _nip_filter(value: Any) -> Any:
    """Digits with separators become the NIP; anything else (a name to look up, a typo) stays as typed."""
    if not isinstance(value, str):
        return value
    digits = normalize_nip(value)
    return digits if digits.isascii() and digits.isdigit() else value.strip()


def valid_nip(form, field) -> None:
    if field.data:
        problem = nip_problem(field.data)
        if problem:
            raise ValidationError(problem)


# WTForms ships no Indonesian catalogue; these are the messages its fields and Flask-WTF's CSRF raise.
INDONESIAN = {
    "Not a valid date value.": "Tanggal tidak valid; gunakan format TTTT-BB-HH.",
    "Not a valid datetime value.": "Tanggal dan jam tidak valid.",
    "Not a valid choice.": "Pilihan tidak valid.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "Not a valid integer value.": "Harus berupa bilangan bulat.",
    "Not a valid decimal value.": "Harus berupa angka.",
    "This field is required.": REQUIRED,
    "Invalid input.": "Isian tidak valid.",
    "Invalid email address.": "Alamat email tidak valid.",
    "The CSRF token is missing.": "Formulir kedaluwarsa atau tidak lengkap; muat ulang halaman lalu kirim lagi.",
    "The CSRF token has expired.": "Formulir sudah kedaluwarsa; muat ulang halaman lalu kirim lagi.",
    "The CSRF token is invalid.": "Formulir tidak sah; muat ulang halaman lalu kirim lagi.",
    "The CSRF tokens do not match.": "Formulir tidak sah; muat ulang halaman lalu kirim lagi.",
    "The CSRF session token is missing.": "Sesi Anda sudah berakhir; muat ulang halaman lalu kirim lagi.",
}


class _IndonesianTranslations:
    def gettext(self, string: str) -> str:
        return INDONESIAN.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_TRANSLATIONS = _IndonesianTranslations()


class BaseForm(FlaskForm):
    """A FlaskForm (CSRF on) that can also be fed a JSON object by the API (CSRF off, token auth)."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS

    @classmethod
    def for_service(cls, service: str | None) -> type[BaseForm]:
        """The intake form for one catalogue service; a type filed without one has this single form."""
        return cls

    @classmethod
    def from_json(cls, payload: Any, **kwargs: Any) -> BaseForm:
        return cls(formdata=json_formdata(payload), meta={"csrf": False}, **kwargs)

    def payload(self) -> dict[str, Any]:
        """The validated data as JSON-ready values (dates as ISO strings), without CSRF or buttons."""
        out = {}
        for name, value in self.data.items():
            if name in ("csrf_token", "submit", "version") or name.startswith("doc_"):
                continue
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out

    def first_errors(self) -> dict[str, list[str]]:
        return {name: [INDONESIAN.get(str(m), str(m)) for m in msgs]
                for name, msgs in self.errors.items() if msgs}


class JsonShapeError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid JSON shape")
        self.errors = errors


def json_formdata(payload: Any) -> MultiDict:
    """Turn a JSON object into form data; anything a form field could not hold is a field error."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise JsonShapeError({"fields": ["Harus berupa objek JSON."]})
    data: MultiDict[str, str] = MultiDict()
    errors: dict[str, list[str]] = {}
    for key, value in payload.items():
        if not isinstance(key, str):
            continue
        if value is None or value is False:
            continue
        if value is True:
            data.add(key, "y")
        elif isinstance(value, str | int | float):
            data.add(key, str(value))
        else:
            errors[key] = ["Harus berupa teks, angka atau true/false."]
    if errors:
        raise JsonShapeError(errors)
    return data


class TransitionForm(BaseForm):
    """Every trigger without its own form: an optional (sometimes required, per the workflow) comment."""

    comment = TextAreaField("Catatan", validators=[Optional(), length(5000)])
    version = HiddenField(validators=[InputRequired(message="Versi kasus hilang; muat ulang halaman.")])


FIELD_TYPES = {
    "StringField": "string", "TextAreaField": "text", "DateField": "date", "SelectField": "choice",
    "BooleanField": "boolean", "IntegerField": "integer", "EmailField": "string",
}


def describe_fields(form: BaseForm) -> list[dict[str, Any]]:
    """The API's description of a form's fields."""
    fields = []
    for f in form:
        if f.name in ("csrf_token", "version") or f.type in ("HiddenField", "SubmitField", "FileField", "CSRFTokenField"):
            continue
        item = {
            "name": f.name, "label": str(f.label.text), "type": FIELD_TYPES.get(f.type, "string"),
            "required": any(isinstance(v, DataRequired | InputRequired) for v in f.validators),
        }
        if f.type == "SelectField":
            item["choices"] = [{"value": c.value, "label": str(c.label)} for c in select_choices(f)]
        fields.append(item)
    return fields


def with_file_inputs(form: type[TransitionForm], step: Step) -> type[TransitionForm]:
    """The step's form plus a FileField for each file the step declares (workflows.base.FileInput): the page
    draws it with the step's other inputs, so no template needs to know which step takes a file."""
    files = [i for i in step.inputs if isinstance(i, FileInput)]
    attrs = {i.field: FileField(i.label, description=i.hint, render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})
             for i in files}
    return type(form.__name__, (form,), attrs) if attrs else form
