"""Informasi: writing an announcement (optionally a socialisation event), answering an event's invitation.
Shape only; the audience, the dates and the files are checked by services/announcements.py, which the API
calls with the same keys."""
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models.announcements import TOPICS
from ..roles import ROLE_LABELS
from .base import BaseForm, choices, length


class CheckboxesField(SelectMultipleField):
    """A multiple choice drawn as a list of checkboxes (choices set in the view)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:  # unknown values are the service's to name, in words
        pass


class AnnouncementForm(BaseForm):
    title = StringField("Judul", validators=[length(200)])
    topic = SelectField("Topik", choices=choices(TOPICS.items()), default="lainnya")
    body = TextAreaField("Isi pengumuman", validators=[length(20000)], render_kw={"rows": 8})
    everyone = BooleanField("Semua pegawai")
    units = CheckboxesField("Unit")
    roles = CheckboxesField("Peran", choices=choices((r.value, label) for r, label in ROLE_LABELS.items()))
    grades = StringField("Golongan", validators=[Optional(), length(300)],
                         description="Pisahkan dengan koma, mis. III/a, III/b. Kosongkan bila tidak dibatasi golongan.")
    requires_ack = BooleanField("Minta konfirmasi \"sudah membaca dan memahami\" dari penerima")
    starts_at = StringField("Mulai (WIB)", validators=[Optional(), length(40)], render_kw={"type": "datetime-local"})
    ends_at = StringField("Selesai (WIB)", validators=[Optional(), length(40)], render_kw={"type": "datetime-local"})
    place = StringField("Tempat", validators=[Optional(), length(300)], description="Mis. Aula DKP lantai 2.")
    meeting_link = StringField("Tautan rapat daring", validators=[Optional(), length(500)],
                               description="Mis. https://zoom.us/j/… ; boleh diisi bersama tempat.")
    capacity = StringField("Kapasitas (orang)", validators=[Optional(), length(6)],
                           description="Kosongkan bila tidak dibatasi.", render_kw={"inputmode": "numeric"})
    files = MultipleFileField("Materi (PDF, JPG atau PNG; paling banyak 5 berkas)",
                              render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})

    def audience(self) -> dict:
        grades = [g.strip() for g in (self.grades.data or "").split(",") if g.strip()]
        return {"all": bool(self.everyone.data), "units": list(self.units.data or []),
                "roles": list(self.roles.data or []), "grades": grades}

    def event(self) -> dict | None:
        """The event part, when any of its date fields was filled in."""
        if not (self.starts_at.data or self.ends_at.data):
            return None
        return {"starts_at": self.starts_at.data, "ends_at": self.ends_at.data, "place": self.place.data or "",
                "meeting_link": self.meeting_link.data or "", "capacity": self.capacity.data or None}
