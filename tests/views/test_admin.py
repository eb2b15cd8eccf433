"""The admin's pages: SLA policies and the working calendar. Admins only, CSRF on, no change on GET, bad input
re-renders the form (422) and writes nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import CalendarException, SlaPolicy
from layani_flow.workflows import REGISTRY
from tests.factories import UserFactory
from tests.services.helpers import KGB
from tests.timekit import wib

from .helpers import text_of
from .test_markup import assert_accessible

PAGES = ("/admin", "/admin/sla", "/admin/kalender", "/admin/pengguna")
POSTS = ("/admin/sla", "/admin/kalender", "/admin/kalender/1/hapus", "/admin/pengguna/1/tautan-sandi")
POLICY = {"case_type": "service_request", "service": "kgb", "clock": "resolution", "target": "10d",
          "warn_percent": "80", "escalate_every": "4h"}


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_go_to_login(web, url):
    response = web.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")


@pytest.mark.parametrize("url", POSTS)
def test_anonymous_posts_go_to_login_and_change_nothing(web, url):
    response = web.post_form(url, POLICY)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert _count(SlaPolicy) == 0


@pytest.mark.parametrize("role", ["employee", "officer", "supervisor"])
def test_only_admins(login_as, role):
    web = login_as(UserFactory(role=role))
    for url in PAGES:
        assert web.get(url).status_code == 403
    for url in POSTS:
        assert web.post_form(url, {**POLICY, "on": "2026-12-01", "note": "x"}).status_code == 403
    assert _count(SlaPolicy) == 0 and _count(CalendarException) == 0


def test_admin_pages_are_accessible_and_linked(login_as, office):
    web = login_as(office.admin)
    assert 'href="/admin"' in text_of(web.get("/"))
    for url in PAGES:
        response = web.get(url)
        assert response.status_code == 200
        assert_accessible(text_of(response))
    assert 'href="/admin"' not in text_of(login_as(office.officer).get("/"))


def test_the_policy_table_shows_the_defaults(login_as, office):
    html = _plain(text_of(login_as(office.admin).get("/admin/sla")))
    assert "Layanan kepegawaian Kenaikan gaji berkala (KGB) Penyelesaian 5d 75% 1d Bawaan katalog layanan" in html
    for workflow in REGISTRY.values():
        if "resolution" in workflow.sla:  # a chat runs only its first-response clock
            assert f"{workflow.title} Semua Penyelesaian" in html
    assert "Chat dengan petugas (ChatCanal) Semua Tanggapan pertama 15m" in html  # from CHAT_FIRST_RESPONSE
    assert "Belum ada perubahan" in html


def test_saving_a_policy_keeps_the_history(login_as, office):
    web = login_as(office.admin)
    response = web.post_form("/admin/sla", POLICY)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/sla"
    html = text_of(web.get("/admin/sla"))
    assert "Berlaku untuk kasus yang dibuka mulai sekarang." in html
    assert "Kenaikan gaji berkala (KGB) Penyelesaian 10d 80% 4h Kebijakan admin (layanan ini)" in _plain(html)
    assert web.post_form("/admin/sla", {**POLICY, "target": "12d"}).status_code == 302
    html = _plain(text_of(web.get("/admin/sla")))
    assert "12d 80% 4h Kebijakan admin" in html
    history = html.split("Riwayat perubahan", 1)[1]
    assert history.count("Admin Sistem") == 2 and "Digantikan" in history and "Berlaku" in history
    active = db.session.scalars(select(SlaPolicy).where(SlaPolicy.is_active)).all()
    assert [p.target for p in active] == ["12d"] and _count(SlaPolicy) == 2


@pytest.mark.parametrize("changes, message", [
    ({"target": "2 minggu"}, "Durasi tidak dikenali"),
    ({"target": ""}, "Wajib diisi."),
    ({"target": "9999d"}, "Terlalu panjang"),
    ({"warn_percent": "0"}, "Isi bilangan bulat 1 sampai 99."),
    ({"warn_percent": "100"}, "Isi bilangan bulat 1 sampai 99."),
    ({"warn_percent": "tujuh puluh"}, "Harus berupa bilangan bulat."),
    ({"escalate_every": "0d"}, "lebih dari nol"),
    ({"case_type": "complaint", "service": "kgb"}, "Layanan hanya dapat dipilih"),
    ({"case_type": "complaint", "service": "", "clock": "external"}, "tidak memakai jam ini"),
    ({"clock": "lunch"}, "Pilihan tidak valid."),
])
def test_bad_policies_are_shown_again_and_write_nothing(login_as, office, changes, message):
    web = login_as(office.admin)
    response = web.post_form("/admin/sla", {**POLICY, **changes})
    assert response.status_code == 422
    html = text_of(response)
    assert message in html and 'aria-invalid="true"' in html and 'role="alert"' in html
    for name, value in changes.items():
        if name in ("target", "escalate_every") and value:
            assert f'value="{value}"' in html  # what they typed is still there
    assert _count(SlaPolicy) == 0


def test_posts_need_the_csrf_token(login_as, office):
    web = login_as(office.admin)
    assert web.client.post("/admin/sla", data=POLICY).status_code == 400
    assert web.client.post("/admin/kalender", data={"on": "2026-12-01", "note": "Tutup"}).status_code == 400
    assert _count(SlaPolicy) == 0 and _count(CalendarException) == 0


def test_get_changes_nothing(login_as, office):
    web = login_as(office.admin)
    assert web.get("/admin/sla?" + "&".join(f"{k}={v}" for k, v in POLICY.items())).status_code == 200
    assert web.get("/admin/kalender?on=2026-12-01&note=Tutup").status_code == 200
    assert web.get("/admin/kalender/1/hapus").status_code == 405
    assert _count(SlaPolicy) == 0 and _count(CalendarException) == 0


def test_a_policy_saved_on_the_page_applies_to_the_next_case_only(login_as, api, office, clock):
    clock.set(wib(2026, 11, 25, 9, 0))
    client = api(office.employee)
    old = client.post("/api/v1/cases", json={"type": "service_request", "fields": KGB}).get_json()
    assert old["sla"]["due_at"] == "2026-12-02T16:00:00+07:00"
    assert login_as(office.admin).post_form("/admin/sla", POLICY).status_code == 302
    new = client.post("/api/v1/cases", json={"type": "service_request", "fields": KGB}).get_json()
    assert new["sla"]["due_at"] == "2026-12-09T16:00:00+07:00"
    assert client.get(f"/api/v1/cases/{old['id']}").get_json()["sla"]["due_at"] == "2026-12-02T16:00:00+07:00"


# -- calendar ------------------------------------------------------------------------------------

def test_calendar_page_shows_the_week_and_the_holidays(login_as, office):
    html = _plain(text_of(login_as(office.admin).get("/admin/kalender")))
    assert "Senin 07.30–12.00, 13.00–16.00" in html and "Jumat 07.30–11.30, 13.00–16.30" in html
    assert "Sabtu Libur" in html
    assert "25 Desember 2026" in html and "Natal" in html
    assert "1 Januari 2027" in html  # next year too


def test_a_closed_day_added_on_the_page_moves_the_next_due_date(login_as, api, office, clock):
    clock.set(wib(2026, 11, 25, 9, 0))
    client = api(office.employee)
    before = client.post("/api/v1/cases", json={"type": "service_request", "fields": KGB}).get_json()
    web = login_as(office.admin)
    response = web.post_form("/admin/kalender", {"on": "2026-11-30", "intervals": "", "note": "Rapat kerja"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/kalender"
    html = _plain(text_of(web.get("/admin/kalender")))
    assert "30 November 2026 Tutup sepanjang hari Rapat kerja" in html
    assert "30 November 2026 — Ditutup oleh admin: Rapat kerja" in html
    after = client.post("/api/v1/cases", json={"type": "service_request", "fields": KGB}).get_json()
    assert before["sla"]["due_at"] == "2026-12-02T16:00:00+07:00"
    assert after["sla"]["due_at"] == "2026-12-03T16:00:00+07:00"  # the very next request sees the closed day


def test_a_shortened_day_and_deleting_it(login_as, office, clock):
    web = login_as(office.admin)
    response = web.post_form("/admin/kalender", {"on": "2026-12-01", "intervals": "08:00-12:00, 13:00-15:00",
                                                 "note": "HUT Provinsi"})
    assert response.status_code == 302
    html = text_of(web.get("/admin/kalender"))
    assert "08:00–12:00, 13:00–15:00" in html
    row = db.session.scalars(select(CalendarException)).one()
    assert row.intervals == [["08:00", "12:00"], ["13:00", "15:00"]] and row.created_by_id == office.admin.id
    row_id = row.id
    assert web.post_form(f"/admin/kalender/{row_id}/hapus").status_code == 302
    assert _count(CalendarException) == 0
    assert web.post_form(f"/admin/kalender/{row_id}/hapus").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"on": "", "note": "Tutup"}, "Isi tanggal."),
    ({"on": "30-11-2026", "note": "Tutup"}, "Tanggal tidak valid"),
    ({"on": "2026-11-20", "note": "Tutup"}, "Tanggal yang sudah lewat"),
    ({"on": "2026-12-01", "note": ""}, "Wajib diisi."),
    ({"on": "2026-12-01", "intervals": "8-12", "note": "Pendek"}, "tidak sesuai format JJ:MM-JJ:MM"),
    ({"on": "2026-12-01", "intervals": "12:00-08:00", "note": "Pendek"}, "jam selesai harus sesudah jam mulai"),
    ({"on": "2026-12-01", "intervals": "08:00-12:00, 11:00-14:00", "note": "Pendek"}, "tumpang tindih"),
])
def test_bad_days_are_shown_again_and_write_nothing(login_as, office, data, message):
    web = login_as(office.admin)
    response = web.post_form("/admin/kalender", data)
    assert response.status_code == 422
    html = text_of(response)
    assert message in html and 'aria-invalid="true"' in html
    assert _count(CalendarException) == 0


def test_a_date_already_present_is_refused_with_a_message(login_as, office):
    web = login_as(office.admin)
    assert web.post_form("/admin/kalender", {"on": "2026-12-01", "note": "Tutup"}).status_code == 302
    response = web.post_form("/admin/kalender", {"on": "2026-12-01", "intervals": "08:00-12:00", "note": "Pendek"})
    assert response.status_code == 422
    html = text_of(response)
    assert "Tanggal ini sudah punya pengecualian" in html and 'value="Pendek"' in html
    assert _count(CalendarException) == 1


def test_a_past_day_has_no_delete_button(login_as, office, clock):
    web = login_as(office.admin)
    web.post_form("/admin/kalender", {"on": "2026-11-27", "note": "Tutup"})
    row = db.session.scalars(select(CalendarException)).one()
    clock.set(wib(2026, 11, 30, 9, 0))
    web.login(office.admin)  # three days later: the first session has long ended
    html = text_of(web.get("/admin/kalender"))
    assert f"/admin/kalender/{row.id}/hapus" not in html and "Sudah lewat" in html
    response = web.post_form(f"/admin/kalender/{row.id}/hapus")
    assert response.status_code == 422 and "tidak ditulis ulang" in text_of(response)
    assert _count(CalendarException) == 1
