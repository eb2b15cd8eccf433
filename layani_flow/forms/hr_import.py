"""The employee import page's upload: the file only; what is in it is the service's to check."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField


class EmployeeImportForm(FlaskForm):
    file = FileField(
        "Berkas CSV pegawai",
        description="CSV UTF-8 dengan koma atau titik koma; kolom seperti contoh, atau judul kolom ekspor SIASN.",
        render_kw={"accept": ".csv,text/csv"},
    )
