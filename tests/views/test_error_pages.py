"""Error pages say what happened in words, as their heading ("Halaman tidak ditemukan", "Kasus ini baru saja
diubah orang lain"), never a bare "Kode 409"; the API keeps its JSON errors exactly as they were."""
from __future__ import annotations

import re

import pytest

from layani_flow.services.errors import STALE_MESSAGE
from layani_flow.views.errors import HEADINGS, heading_for

from .helpers import case_id_of, file_kgb_with_two_documents, text_of, version_on


def _heading(html: str) -> str:
    return re.search(r'<h1 id="judul-galat">([^<]*)</h1>', html).group(1)


@pytest.fixture
def kgb_case(login_as, office):
    return case_id_of(file_kgb_with_two_documents(login_as(office.employee)))


def test_a_missing_page_is_named_in_words(login_as, office):
    response = login_as(office.officer).get("/tidak-ada-halaman-ini")
    html = text_of(response)
    assert response.status_code == 404 and _heading(html) == "Halaman tidak ditemukan"
    assert "Kode 404" not in html and "<title>Halaman tidak ditemukan" in html


def test_a_case_changed_meanwhile_says_so_with_the_reason_and_a_way_back(web, office, kgb_case):
    web.login(office.officer)
    page = text_of(web.get(f"/kasus/{kgb_case}"))
    stale = version_on(page, "start_verification")
    assert web.post_form(f"/kasus/{kgb_case}/klaim", {"version": version_on(page)}).status_code == 302
    response = web.post_form(f"/kasus/{kgb_case}/tindakan/start_verification", {"version": stale, "comment": ""})
    html = text_of(response)
    assert response.status_code == 409
    assert _heading(html) == "Kasus ini baru saja diubah orang lain"
    assert STALE_MESSAGE in html and "Kode 409" not in html
    assert f'href="/kasus/{kgb_case}"' in html


def test_a_forbidden_page_and_a_wrong_method_are_named_in_words(login_as, office):
    web = login_as(office.employee)
    assert _heading(text_of(web.get("/alur"))) == "Anda tidak berhak membuka halaman ini"
    response = web.client.put("/alur")
    assert response.status_code == 405 and _heading(text_of(response)) == HEADINGS[405]
    assert response.headers["Allow"]


def test_an_expired_form_is_named_in_words(client):
    response = client.post("/masuk", data={"nip": "198912032014031002", "password": "x"})
    assert response.status_code == 400 and _heading(text_of(response)) == "Formulir ini sudah kedaluwarsa"


@pytest.mark.parametrize(("status", "code", "heading"), [
    (409, "stale_version", "Kasus ini baru saja diubah orang lain"),
    (409, "conflict", "Tindakan ini tidak dapat dilakukan sekarang"),
    (422, "invalid", "Ada isian yang perlu diperbaiki"),
    (429, "too_many_requests", "Terlalu banyak percobaan"),
    (503, "error", "Terjadi kesalahan pada sistem"),
    (418, "error", "Permintaan tidak dapat diproses"),
])
def test_every_status_has_a_heading(status, code, heading):
    assert heading_for(status, code) == heading


def test_the_api_keeps_its_json_errors(api, office):
    response = api(office.employee).get("/api/v1/cases/999999")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json() == {"error": "not_found", "message": response.get_json()["message"]}
    assert "judul-galat" not in response.get_data(as_text=True)
