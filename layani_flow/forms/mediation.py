"""Fasilitasi masalah atasan–bawahan."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from .base import BaseForm, TransitionForm, choices, length, nip_field, required, valid_nip

RELATIONS = [("atasan", "Pihak lain adalah atasan saya"), ("bawahan", "Pihak lain adalah bawahan saya")]
DISCIPLINE = [("tidak", "Tidak"), ("ya", "Ya"), ("tidak_tahu", "Tidak tahu")]


class IntakeForm(BaseForm):
    other_party_nip = nip_field("NIP pihak lain", validators=[required(), valid_nip])
    relation = SelectField("Hubungan", choices=choices(RELATIONS), validators=[required()])
    subject = StringField("Pokok masalah", validators=[required(), length(200, 5)])
    description = TextAreaField("Uraian masalah", validators=[required(), length(5000, 10)])
    desired_outcome = TextAreaField("Hasil yang diharapkan", validators=[Optional(), length(2000)])
    discipline_concern = SelectField(
        "Apakah ada dugaan pelanggaran disiplin?", choices=choices(DISCIPLINE), validators=[required()],
        description="Dugaan pelanggaran disiplin wajib ditangani atasan (PP 94/2021) dan tidak diselesaikan lewat mediasi.")


class AssignMediatorForm(TransitionForm):
    mediator_nip = nip_field("NIP mediator", validators=[required(), valid_nip])


STEP_FORMS: dict[str, type[TransitionForm]] = {"assign_mediator": AssignMediatorForm}
