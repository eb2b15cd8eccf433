"""The admin's form naming an acting official (Plt/Plh). Choices are set in the view; the service checks the
rules that need the database (active people, no overlap)."""
from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Optional

from ..models.acting import ACTING_KINDS
from .base import BaseForm, choices, length, required


class ActingOfficialForm(BaseForm):
    official_nip = SelectField("Pejabat yang digantikan", choices=[], validators=[required("Pilih pejabat.")],
                               description="Atasan yang berhalangan (cuti, dinas luar, kosong).")
    acting_nip = SelectField("Pejabat pelaksana", choices=[], validators=[required("Pilih pejabat pelaksana.")],
                             description="Menerima permintaan persetujuan yang ditujukan kepada pejabat di atas.")
    kind = SelectField("Jenis", choices=choices(ACTING_KINDS.items()), default="plh",
                       validators=[required("Pilih Plh atau Plt.")])
    starts_on = DateField("Mulai tanggal", validators=[InputRequired("Isi tanggal mulai.")])
    ends_on = DateField("Sampai tanggal", validators=[InputRequired("Isi tanggal selesai.")],
                        description="Termasuk tanggal ini.")
    note = StringField("Keterangan", validators=[Optional(), length(200)],
                       description="Mis. nomor surat perintah Plh.")
