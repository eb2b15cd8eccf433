"""Fasilitasi masalah atasan–bawahan."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from .base import BaseForm, TransitionForm, choices, length, nip_field, required, valid_nip

RELATIONS = [("atasan", "Pihak lain adalah atasan saya"), ("bawahan", "Pihak lain adalah bawahan saya")]
DISCIPLINE = [("tidak", "Tidak"), ("ya", "Ya"), ("tidak_tahu", "Tidak tahu")]


class IntakeForm(BaseForm):
    # A name typed here is looked up by the intake page (views/intake._pick_person), which puts the chosen
    # person's NIP here before the form validates; the API takes the NIP.
    other_party_nip = nip_field("Nama atau NIP pihak lain", validators=[required(), valid_nip],
                                description="Tulis namanya (minimal 3 huruf) lalu pilih dari daftar, atau tulis "
                                            "NIP-nya (18 angka, boleh seperti di SK).",
                                render_kw={"autocomplete": "off"})
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
