"""ConsDesk: booking a published slot, and the officer's record of the meeting."""
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ..catalogue import SERVICES
from ..workflows.base import FILED_FROM_A_CONVERSATION
from .base import BaseForm, TransitionForm, choices, length, required


class IntakeForm(BaseForm):
    # Shown by cases/consultation/_summary.html as the slot and a link, not as raw numbers.
    summary_hidden = ("slot_id", "related_case_id")

    slot_id = IntegerField("Jadwal", validators=[required("Pilih jadwal dari daftar."), NumberRange(min=1)])
    topic = StringField("Topik konsultasi", validators=[required(), length(200, 5)],
                        description="Mis. \"Syarat kenaikan pangkat reguler\" atau \"Perhitungan masa kerja\".")
    description = TextAreaField("Yang ingin dibicarakan (boleh kosong)", validators=[Optional(), length(2000)])
    related_case_id = IntegerField("Kasus yang terkait (jika ada)", validators=[Optional(), NumberRange(min=1)])


class OutcomeForm(TransitionForm):
    next_steps = TextAreaField("Tindak lanjut yang disepakati", validators=[Optional(), length(2000)])
    type = SelectField("Buat kasus lanjutan untuk pemohon (boleh kosong)",
                       choices=choices([("", "Tidak perlu"), *FILED_FROM_A_CONVERSATION.items()]),
                       validators=[Optional()],
                       description="Kasus baru dibuat atas nama pemohon, berisi catatan konsultasi ini.")
    service = SelectField("Layanan (untuk permohonan layanan)",
                          choices=choices([("", "–"), *((k, s.name) for k, s in SERVICES.items())]),
                          validators=[Optional()])
    link_ref = StringField("Atau tautkan ke kasus pemohon yang sudah ada (nomor kasus)",
                           validators=[Optional(), length(40)],
                           description="Mis. LYN-2026-00042. Catatan konsultasi ditambahkan ke kasus itu.")


class RescheduleForm(BaseForm):
    slot_id = IntegerField("Jadwal baru", validators=[required("Pilih jadwal baru dari daftar."), NumberRange(min=1)])
    version = IntegerField(validators=[required("Versi kasus hilang; muat ulang halaman.")])


STEP_FORMS: dict[str, type[TransitionForm]] = {"hold": OutcomeForm}
