"""A set-password link reaches the person through a real SMTP server on loopback, and works from the email:
sent by an admin's button or by `layani users send-password-link`, parsed with the standard email package."""
from __future__ import annotations

import re

import pytest
from werkzeug.security import check_password_hash

from layani_flow.extensions import db
from layani_flow.models import User
from layani_flow.services import outbox

from ..conftest import WebClient
from ..factories import PASSWORD

LINK = re.compile(r"http://localhost(/kata-sandi/atur/[A-Za-z0-9_.\-]+)")
NEW = "ikan-tenggiri-bangka"


@pytest.fixture
def app_config(mail_config):
    return mail_config


def _delivered(smtp_server, to: str, subject: str = "Atur kata sandi"):
    report = outbox.deliver_pending()
    assert report.sent >= 1 and not report.error
    [message] = [m for r, m in smtp_server.messages if to in r and m["Subject"].startswith(subject)]
    return message


def _path(message) -> str:
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    from_plain, from_html = LINK.search(plain).group(1), LINK.search(html).group(1)
    assert from_plain == from_html
    return from_plain


def test_an_admin_sends_a_link_that_works_once_from_the_email(app, login_as, smtp_server, office):
    admin = login_as(office.admin)
    assert admin.post_form(f"/admin/pengguna/{office.employee.id}/tautan-sandi").status_code == 302
    message = _delivered(smtp_server, office.employee.email)
    assert message["To"] == office.employee.email
    assert message["Subject"] == "Atur kata sandi LAYANI Anda (berlaku 48 jam)"
    text = message.get_body(("plain",)).get_content()
    assert "Yth. Pegawai Pemohon," in text and "hanya dapat dipakai satu kali" in text
    assert "berlaku sampai Jumat, 27 November 2026 09.00 WIB" in text  # 48 h after Wed 09:00 WIB
    path = _path(message)

    person = WebClient(app.test_client())  # the employee's own browser, signed out
    assert person.get(path).status_code == 200
    assert person.post_form(path, {"new_password": NEW, "confirm_password": NEW}).status_code == 302
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, office.employee.id).password_hash, NEW)
    notice = _delivered(smtp_server, office.employee.email, subject="Kata sandi LAYANI Anda telah diganti")
    assert "melalui tautan atur kata sandi dari email" in notice.get_body(("plain",)).get_content()
    person._token = None
    assert person.post_form(path, {"new_password": "kepiting-bakau-77",
                                   "confirm_password": "kepiting-bakau-77"}).status_code == 400
    person.login(office.employee, NEW)


def test_the_cli_sends_a_link(runner, client, smtp_server, office, clock):
    result = runner.invoke(args=["layani", "users", "send-password-link", "--nip", office.colleague.nip])
    assert result.exit_code == 0, result.output
    assert office.colleague.email in result.output and "48 jam" in result.output
    path = _path(_delivered(smtp_server, office.colleague.email))
    clock.advance(hours=49)
    expired = client.get(path)
    assert expired.status_code == 400 and "kedaluwarsa" in expired.get_data(as_text=True)
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, office.colleague.id).password_hash, PASSWORD)
