"""Choosing a password on the pages: the change page (signed in, current password required), the page behind
an emailed set-password link (GET shows, POST sets, once, before it expires, only for its addressee), and the
admin's button that sends such a link. Who may and may not, per route."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from layani_flow.extensions import db
from layani_flow.models import OutboxMessage, UsedEmailToken, User, UserSession
from layani_flow.services import passwords

from ..conftest import FreshContextClient, WebClient
from ..factories import PASSWORD, PASSWORD_HASH, UserFactory
from .helpers import text_of
from .test_markup import assert_accessible

NEW = "ikan-tenggiri-bangka"
LINK = re.compile(r"http://localhost(/kata-sandi/atur/[A-Za-z0-9_.\-]+)")


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def change(web, current=PASSWORD, new=NEW, confirm=None):
    return web.post_form("/kata-sandi", {"current_password": current, "new_password": new,
                                         "confirm_password": new if confirm is None else confirm})


def link_for(user) -> str:
    """The path in the newest set-password email queued for `user`."""
    passwords.send_password_link(user_id=user.id)
    body = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.to_addr == user.email)
                              .order_by(OutboxMessage.id.desc())).first()
    return LINK.search(body).group(1)


def browser(app) -> WebClient:
    app.test_client_class = FreshContextClient
    return WebClient(app.test_client())


# -- the change page ------------------------------------------------------------------------------------

def test_signed_out_the_change_page_asks_for_login(web):
    for response in (web.get("/kata-sandi"), web.post_form("/kata-sandi", {"current_password": PASSWORD})):
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=")


@pytest.mark.parametrize("role", ["employee", "officer", "supervisor", "admin"])
def test_everyone_signed_in_may_change_their_own_password(login_as, role):
    user = UserFactory(role=role)
    web = login_as(user)
    page = web.get("/kata-sandi")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = text_of(page)
    assert_accessible(html)
    assert 'href="/kata-sandi" aria-current="page">Kata sandi</a>' in html  # linked from the header
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert change(web).status_code == 302
    assert check_password_hash(fresh(user).password_hash, NEW)


def test_the_header_links_to_the_change_page(login_as, office):
    assert 'href="/kata-sandi"' in text_of(login_as(office.employee).get("/"))


def test_a_change_needs_the_csrf_token(login_as, office):
    web = login_as(office.employee)
    response = web.client.post("/kata-sandi", data={"current_password": PASSWORD, "new_password": NEW,
                                                     "confirm_password": NEW})
    assert response.status_code == 400
    assert fresh(office.employee).password_hash == PASSWORD_HASH


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("bukan-sandinya", NEW, NEW, "current_password", "Kata sandi saat ini salah."),
    ("", NEW, NEW, "current_password", "Masukkan kata sandi saat ini."),
    (PASSWORD, NEW, NEW + "x", "confirm_password", "Kedua kata sandi baru tidak sama."),
    (PASSWORD, "", "", "new_password", "Masukkan kata sandi baru."),
    (PASSWORD, "pendek-saja", None, "new_password", "Kata sandi minimal 12 karakter."),
    (PASSWORD, "password1234", None, "new_password", "paling sering dipakai"),
    (PASSWORD, "Pegawai Pemohon", None, "new_password", "Kata sandi tidak boleh berupa nama Anda."),
    (PASSWORD, "nip-{nip}", None, "new_password", "Kata sandi tidak boleh memuat NIP Anda."),
    (PASSWORD, PASSWORD + "-lagi", None, "new_password", None),  # control: this one is fine
])
def test_refused_changes_say_why_and_change_nothing(login_as, office, current, new, confirm, field, message):
    web = login_as(office.employee)
    new = new.format(nip=office.employee.nip)
    response = change(web, current, new, confirm)
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    html = text_of(response)
    assert message in html and 'role="alert"' in html and f'id="{field}" ' in html
    for typed in {current, new} - {""}:  # passwords are never echoed back
        assert f'value="{typed}"' not in html
    assert fresh(office.employee).password_hash == PASSWORD_HASH
    assert web.get("/").status_code == 200  # still signed in


def test_the_same_password_again_is_not_a_change(app, office):
    office.employee.password_hash = passwords.generate_password_hash(NEW)
    db.session.commit()
    web = browser(app)
    web.login(office.employee, NEW)
    response = change(web, NEW, NEW)
    assert response.status_code == 422 and "harus berbeda" in text_of(response)


def test_the_new_password_signs_in_and_the_old_one_no_longer_does(app, login_as, office):
    web = login_as(office.employee)
    assert change(web).status_code == 302
    web.logout()
    assert web.post_form("/masuk", {"nip": office.employee.nip, "password": PASSWORD}).status_code == 401
    web.login(office.employee, NEW)
    assert fresh(office.employee).password_changed_at is not None
    [notice] = outbox_for(office.employee)  # the person hears of it, in case it was not them
    assert notice.subject == "Kata sandi LAYANI Anda telah diganti"
    assert "melalui halaman Ganti kata sandi" in notice.body_text and "hubungi admin" in notice.body_text


# -- the set-password link -----------------------------------------------------------------------------

def test_the_link_page_shows_a_form_and_changes_nothing(web, office):
    path = link_for(office.employee)
    for _ in range(2):  # a mail scanner opening it twice
        page = web.get(path)
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    html = text_of(page)
    assert_accessible(html)
    assert "Pegawai Pemohon" in html and office.employee.nip in html
    assert fresh(office.employee).password_hash == PASSWORD_HASH
    assert db.session.scalar(select(func.count()).select_from(UsedEmailToken)) == 0


def test_the_link_sets_the_password_once_and_ends_every_session(app, web, office):
    path = link_for(office.employee)
    phone = browser(app)
    phone.login(office.employee)
    done = web.post_form(path, {"new_password": NEW, "confirm_password": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/masuk"
    assert check_password_hash(fresh(office.employee).password_hash, NEW)
    assert phone.get("/").status_code == 302  # whoever had the old password is out
    assert "Silakan masuk dengan kata sandi baru." in text_of(web.get("/masuk"))

    web._token = None  # this browser's session was cleared with the others: a new form token
    again = web.post_form(path, {"new_password": "kepiting-bakau-77", "confirm_password": "kepiting-bakau-77"})
    assert again.status_code == 400 and "sudah digunakan" in text_of(again)
    assert web.get(path).status_code == 400
    assert check_password_hash(fresh(office.employee).password_hash, NEW)
    web.login(office.employee, NEW)


def test_a_newer_password_retires_older_links(web, login_as, office):
    older = link_for(office.employee)
    newer = link_for(office.employee)
    assert web.post_form(newer, {"new_password": NEW, "confirm_password": NEW}).status_code == 302
    refused = web.get(older)
    assert refused.status_code == 400 and "sudah digunakan atau tidak berlaku lagi" in text_of(refused)


def test_a_change_on_the_change_page_retires_a_pending_link(app, web, office):
    path = link_for(office.employee)
    signed_in = browser(app)
    signed_in.login(office.employee)
    assert change(signed_in).status_code == 302
    assert web.get(path).status_code == 400


def test_the_link_expires(app, web, office, clock):
    path = link_for(office.employee)
    clock.advance(hours=47, minutes=59)
    assert web.get(path).status_code == 200
    clock.advance(minutes=2)
    expired = web.post_form(path, {"new_password": NEW, "confirm_password": NEW})
    assert expired.status_code == 400 and "kedaluwarsa" in text_of(expired)
    assert fresh(office.employee).password_hash == PASSWORD_HASH


@pytest.mark.parametrize("new, confirm, message", [
    ("pendek", "pendek", "Kata sandi minimal 12 karakter."),
    ("password1234", "password1234", "paling sering dipakai"),
    (NEW, NEW + "!", "Kedua kata sandi baru tidak sama."),
])
def test_the_link_page_applies_the_policy(web, office, new, confirm, message):
    path = link_for(office.employee)
    response = web.post_form(path, {"new_password": new, "confirm_password": confirm})
    assert response.status_code == 422 and message in text_of(response)
    assert fresh(office.employee).password_hash == PASSWORD_HASH
    assert web.post_form(path, {"new_password": NEW, "confirm_password": NEW}).status_code == 302  # still usable


def test_someone_else_signed_in_is_refused_on_the_page_and_the_post(login_as, office):
    path = link_for(office.employee)
    web = login_as(office.colleague)
    for response in (web.get(path), web.post_form(path, {"new_password": NEW, "confirm_password": NEW})):
        assert response.status_code == 403
        assert ("Tautan ini ditujukan kepada Pegawai Pemohon; Anda masuk sebagai Pegawai Lain. Keluar dulu atau "
                "buka dari email Anda sendiri.") in text_of(response)
    assert fresh(office.employee).password_hash == PASSWORD_HASH


def test_the_addressee_signed_in_may_use_it_and_is_signed_out_after(login_as, office):
    path = link_for(office.employee)
    web = login_as(office.employee)
    assert web.get(path).status_code == 200
    assert web.post_form(path, {"new_password": NEW, "confirm_password": NEW}).status_code == 302
    assert web.get("/").status_code == 302


@pytest.mark.parametrize("mangle", [lambda p: p[:-3] + "xyz", lambda p: "/kata-sandi/atur/abc",
                                    lambda p: p + "."])
def test_a_forged_link_is_refused(web, office, mangle):
    path = mangle(link_for(office.employee))
    assert web.get(path).status_code == 400
    assert web.post_form(path, {"new_password": NEW, "confirm_password": NEW}).status_code == 400


def test_a_link_needs_the_csrf_token_to_act(web, office):
    path = link_for(office.employee)
    assert web.client.post(path, data={"new_password": NEW, "confirm_password": NEW}).status_code == 400
    assert fresh(office.employee).password_hash == PASSWORD_HASH


def test_a_deactivated_person_s_link_no_longer_works(web, office):
    from layani_flow.services.users import deactivate_user

    path = link_for(office.employee)
    deactivate_user(office.employee.nip)
    assert web.get(path).status_code == 400


# -- the admin's button ----------------------------------------------------------------------------------

def outbox_for(user) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)).all()


def test_signed_out_the_admin_people_page_asks_for_login(web, office):
    for response in (web.get("/admin/pengguna"), web.post_form(f"/admin/pengguna/{office.employee.id}/tautan-sandi")):
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert outbox_for(office.employee) == []


@pytest.mark.parametrize("who", ["employee", "officer", "kabid", "head"])
def test_only_admins_send_links(login_as, office, who):
    web = login_as(getattr(office, who))
    assert web.get("/admin/pengguna").status_code == 403
    assert web.post_form(f"/admin/pengguna/{office.colleague.id}/tautan-sandi").status_code == 403
    assert outbox_for(office.colleague) == []


def test_an_admin_finds_a_person_and_sends_a_link(login_as, office):
    web = login_as(office.admin)
    page = web.get("/admin/pengguna?q=pemohon")
    html = text_of(page)
    assert page.status_code == 200 and "Pegawai Pemohon" in html and "Pegawai Lain" not in html
    assert_accessible(html)
    assert office.employee.nip in text_of(web.get(f"/admin/pengguna?q={office.employee.nip[:10]}"))
    response = web.post_form(f"/admin/pengguna/{office.employee.id}/tautan-sandi", {"q": "pemohon"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/pengguna?q=pemohon"
    assert "Tautan atur kata sandi untuk Pegawai Pemohon dikirim" in text_of(web.get("/admin/pengguna"))
    [mail] = outbox_for(office.employee)
    assert mail.subject == "Atur kata sandi LAYANI Anda (berlaku 48 jam)"
    assert "Admin Sistem (admin LAYANI)" in mail.body_text and LINK.search(mail.body_html)
    assert fresh(office.employee).password_hash == PASSWORD_HASH  # the old one works until the link is used


def test_the_admin_page_refuses_an_inactive_or_unknown_person(login_as, office):
    web = login_as(office.admin)
    office.colleague.is_active_account = False
    db.session.commit()
    refused = web.post_form(f"/admin/pengguna/{office.colleague.id}/tautan-sandi")
    assert refused.status_code == 422 and "nonaktif" in text_of(refused)
    assert web.post_form("/admin/pengguna/99999/tautan-sandi").status_code == 404
    assert web.get(f"/admin/pengguna/{office.employee.id}/tautan-sandi").status_code == 405
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_sessions_table_untouched_by_link_pages(web, office):
    """Opening a link page signed out starts no session."""
    web.get(link_for(office.employee))
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
