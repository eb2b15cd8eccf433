"""Signing in and out of the pages."""
import pytest

from tests.factories import UserFactory


def test_login_page_carries_a_csrf_token_and_labels(web):
    html = web.get("/masuk").get_data(as_text=True)
    assert 'id="csrf_token" name="csrf_token" type="hidden"' in html
    assert '<label for="nip">' in html and '<label for="password">' in html
    assert '<html lang="id">' in html and 'href="#isi"' in html


def test_login_then_home(web, office):
    response = web.login(office.employee)
    assert response.headers["Location"] == "/"
    html = web.get("/").get_data(as_text=True)
    assert "Pegawai Pemohon" in html and "Ajukan layanan" in html
    assert "Antrian" not in html  # not a desk role


@pytest.mark.parametrize("nip, password", [("wrong", "rahasia123"), (None, "salah-sekali")])
def test_wrong_credentials_give_one_generic_message(web, office, nip, password):
    response = web.post_form("/masuk", {"nip": nip or office.employee.nip, "password": password})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "NIP atau kata sandi salah." in html
    assert "salah-sekali" not in html  # the password is not echoed back
    assert web.get("/").status_code == 302


def test_inactive_account_cannot_sign_in(web):
    user = UserFactory(is_active_account=False)
    assert web.post_form("/masuk", {"nip": user.nip, "password": "rahasia123"}).status_code == 401


@pytest.mark.parametrize("target, expected", [
    ("/antrian?tampilan=saya", "/antrian?tampilan=saya"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_is_followed_only_when_it_is_a_local_path(web, office, target, expected):
    response = web.post_form(f"/masuk?next={target}", {"nip": office.officer.nip, "password": "rahasia123"})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_pages_ask_for_login_with_next(web):
    response = web.get("/kasus/baru")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk?next=")


def test_login_starts_a_fresh_session(web, office):
    with web.session_transaction() as session:
        session["planted"] = "by someone else"
    web.login(office.employee)
    with web.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(office.employee.id)


def test_logout_is_a_post(web, office):
    web.login(office.employee)
    refused = web.get("/keluar")
    assert refused.status_code == 405  # and our error page keeps the header that says what is allowed:
    assert set(refused.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert web.get("/").status_code == 200
    response = web.logout()
    assert response.status_code == 302
    assert web.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(web, office):
    web.login(office.employee)
    response = web.client.post("/keluar")
    assert response.status_code == 400
    assert "muat ulang halaman" in response.get_data(as_text=True)
