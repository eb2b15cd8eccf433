"""Pengaduan / masukan / kritik."""
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from .base import BaseForm, choices, length, nip_field, required, valid_nip

CATEGORIES = [("pengaduan", "Pengaduan"), ("masukan", "Masukan"), ("kritik", "Kritik")]


class IntakeForm(BaseForm):
    category = SelectField("Jenis", choices=choices(CATEGORIES), validators=[required("Pilih jenis: pengaduan, masukan atau kritik.")])
    subject = StringField("Judul singkat", validators=[required(), length(200, 5)])
    description = TextAreaField("Uraian", validators=[required(), length(5000, 10)],
                                description="Apa yang terjadi, kapan dan di mana. Jangan menulis nama Anda jika ingin anonim.")
    reported_nip = nip_field("NIP pihak yang diadukan (jika ada)", validators=[Optional(), valid_nip])
    anonymous = BooleanField("Kirim tanpa identitas (anonim)",
                             description="Identitas Anda tidak disimpan. Anda menerima kode pelacakan untuk mengikuti pengaduan.")


class TrackForm(BaseForm):
    code = StringField("Kode pelacakan", validators=[required("Masukkan kode pelacakan."), length(40)])
