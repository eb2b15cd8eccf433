"""ChatCanal: the first message, and what an officer turns a chat into."""
from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from ..catalogue import SERVICES
from ..workflows.base import FILED_FROM_A_CONVERSATION
from .base import BaseForm, TransitionForm, choices, length, required


class IntakeForm(BaseForm):
    body = TextAreaField("Pesan Anda", validators=[required("Tuliskan pesan Anda."), length(5000)],
                         description="Petugas membalas di halaman ini. Di luar jam kerja Anda langsung diberi tahu "
                                     "kapan petugas akan membalas.")


class ConvertForm(TransitionForm):
    type = SelectField("Jadikan kasus", choices=choices(FILED_FROM_A_CONVERSATION.items()), validators=[required()])
    service = SelectField("Layanan (untuk permohonan layanan)",
                          choices=choices([("", "–"), *((k, s.name) for k, s in SERVICES.items())]),
                          validators=[Optional()])


STEP_FORMS = {"convert": ConvertForm}
