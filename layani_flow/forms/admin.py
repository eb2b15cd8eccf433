"""The admin's forms: an SLA policy, a closed or shortened day. The services check the same rules again."""
from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from .. import catalogue
from ..personnel import position_kind_choices
from ..services.admin_settings import duration_problem, parse_intervals
from ..services.errors import InvalidInput
from ..workflows import REGISTRY
from ..workflows.clocks import CLOCK_LABELS
from .base import BaseForm, choices, length, nip_field, required


def _duration(allow_zero_days: bool):
    def check(form, field) -> None:
        problem = duration_problem(field.data, allow_zero_days=allow_zero_days)
        if problem:
            raise ValidationError(problem)

    return check


def _intervals(form, field) -> None:
    try:
        parse_intervals(field.data)
    except InvalidInput as exc:
        raise ValidationError(" ".join(exc.errors.get("intervals", [exc.message]))) from None


class PolicyForm(BaseForm):
    case_type = SelectField("Jenis kasus", choices=choices((k, wf.title) for k, wf in REGISTRY.items()),
                            validators=[required("Pilih jenis kasus.")])
    service = SelectField("Layanan (khusus permohonan layanan)",
                          choices=choices([("", "Semua layanan / tidak berlaku")]
                                          + [(s.key, s.name) for s in catalogue.SERVICES.values()]),
                          validators=[Optional()],
                          description="Kosongkan untuk berlaku pada semua layanan jenis ini.")
    clock = SelectField("Jam", choices=choices(CLOCK_LABELS.items()), validators=[required("Pilih jam.")])
    target = StringField("Target", validators=[required(), _duration(True), length(30)],
                         description="Waktu kerja: angka lalu hari (hari kerja), jam atau menit, mis. 2 hari, 8 jam, "
                                     "90 menit (atau singkat 2d, 8h, 90m).")
    warn_percent = IntegerField("Peringatan pada (% dari target)", default=75,
                                validators=[InputRequired("Wajib diisi."),
                                            NumberRange(1, 99, "Isi bilangan bulat 1 sampai 99.")])
    escalate_every = StringField("Eskalasi berikutnya setiap", default="1d",
                                 validators=[required(), _duration(False), length(30)],
                                 description="Jeda waktu kerja antartingkat eskalasi, mis. 1 hari atau 4 jam.")


class CalendarExceptionForm(BaseForm):
    on = DateField("Tanggal", validators=[InputRequired("Isi tanggal.")])
    intervals = StringField("Jam kerja hari itu (kosongkan bila libur)", validators=[Optional(), length(200), _intervals],
                            description="Kosong = kantor tutup sepanjang hari. Jam kerja yang dipersingkat ditulis "
                                        "JJ:MM-JJ:MM, dipisah koma, mis. 08:00-12:00, 13:00-15:00.")
    note = StringField("Keterangan", validators=[required(), length(200)],
                       description="Mis. \"Cuti bersama tambahan\" atau \"Hari kerja dipersingkat: HUT Provinsi\".")


class PersonnelForm(BaseForm):
    """A person's HR data (services.users.update_personnel checks it again, with the NIP and the chain)."""
    position = StringField("Jabatan", validators=[Optional(), length(120)],
                           description="Nama jabatan seperti di SK, mis. Analis Kepegawaian Ahli Muda.")
    position_kind = SelectField("Jenis jabatan", choices=choices([("", "Belum diisi (BUP 58 tahun)"),
                                                                  *position_kind_choices()]),
                                validators=[Optional()], description="Menentukan batas usia pensiun (BUP).")
    grade = StringField("Golongan", validators=[Optional(), length(10)], render_kw={"list": "golongan", "autocomplete": "off"},
                        description="Seperti di SK, mis. III/a (PNS) atau IX (PPPK).")
    grade_tmt = DateField("TMT golongan", validators=[Optional()], render_kw={"inputmode": "numeric"})
    kgb_tmt = DateField("TMT KGB terakhir", validators=[Optional()], render_kw={"inputmode": "numeric"})
    birth_date = DateField("Tanggal lahir", validators=[Optional()], render_kw={"inputmode": "numeric"},
                           description="Harus sama dengan delapan angka pertama NIP.")
    retirement_age_override = IntegerField(
        "Batas usia pensiun khusus (tahun)", validators=[Optional(), NumberRange(50, 70, "Isi 50 sampai 70.")],
        description="Kosongkan untuk mengikuti jenis jabatan; isi hanya bila SK menetapkan lain.")
    unit = StringField("Unit kerja", validators=[Optional(), length(120)])
    superior_nip = nip_field("NIP atasan langsung", validators=[Optional()])
