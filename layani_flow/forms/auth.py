"""Signing in to the pages."""
from wtforms import PasswordField, StringField

from .base import BaseForm, length, required


class LoginForm(BaseForm):
    nip = StringField("NIP", validators=[required("Masukkan NIP Anda."), length(18)],
                      render_kw={"inputmode": "numeric", "autocomplete": "username"})
    password = PasswordField("Kata sandi", validators=[required("Masukkan kata sandi."), length(200)],
                             render_kw={"autocomplete": "current-password"})
