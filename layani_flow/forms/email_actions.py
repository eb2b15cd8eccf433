"""The confirmation form behind an escalation email's links."""
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import NumberRange, Optional

from .base import BaseForm, length


class EmailActionForm(BaseForm):
    note = TextAreaField("Catatan", validators=[Optional(), length(5000)])
    assignee_nip = SelectField("Alihkan kepada", choices=[], validate_choice=False, validators=[Optional()])
    days = IntegerField("Tambahan hari kerja", validators=[Optional(), NumberRange(min=1, max=30, message="Isi 1 sampai 30 hari kerja.")])


class ApprovalActionForm(BaseForm):
    """The confirmation form behind an approval request's links: the reason, required to decline."""

    note = TextAreaField("Alasan atau catatan", validators=[Optional(), length(5000)])
