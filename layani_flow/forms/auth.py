"""Signing in, changing one's password, choosing one from an emailed link. Shape only: what a good
password is lives in services.passwords, which every path that sets one goes through."""
from wtforms import PasswordField
from wtforms.validators import EqualTo

from .base import BaseForm, length, nip_field, required

# Longer than the policy's 128 so the service, not the form, says what the limit is.
PASSWORD_FIELD_MAX = 200


def new_password_hint(min_length: int) -> str:
    return (f"Minimal {min_length} karakter; boleh memakai spasi, misalnya beberapa kata. Jangan memakai NIP, "
            "nama Anda, atau kata sandi yang umum.")


class LoginForm(BaseForm):
    # length(18) applies to the normalised NIP: the separators an SK prints do not count.
    nip = nip_field("NIP", validators=[required("Masukkan NIP Anda."), length(18)],
                    # the input itself takes the separators too ("19891203 201403 1 002" is 21 characters)
                    render_kw={"autocomplete": "username", "maxlength": 40})
    password = PasswordField("Kata sandi", validators=[required("Masukkan kata sandi."), length(PASSWORD_FIELD_MAX)],
                             render_kw={"autocomplete": "current-password"})


class _NewPasswordForm(BaseForm):
    new_password = PasswordField("Kata sandi baru",
                                 validators=[required("Masukkan kata sandi baru."), length(PASSWORD_FIELD_MAX)],
                                 render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(
        "Ulangi kata sandi baru",
        validators=[required("Ulangi kata sandi baru."),
                    EqualTo("new_password", message="Kedua kata sandi baru tidak sama.")],
        render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(_NewPasswordForm):
    current_password = PasswordField("Kata sandi saat ini",
                                     validators=[required("Masukkan kata sandi saat ini."), length(PASSWORD_FIELD_MAX)],
                                     render_kw={"autocomplete": "current-password"})


class SetPasswordForm(_NewPasswordForm):
    """The page behind an emailed set-password link: the link stands in for the current password."""
