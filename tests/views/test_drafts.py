"""Issue 8: typed text is never lost. A form posted after the session ran out (or its CSRF token went
bad) is kept for this browser and this person, and put back after they sign in again. Times on the
FrozenClock (the session's idle limit is 30 minutes, a draft lives 2 hours)."""
import re

from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import FormDraft

from .helpers import case_count, text_of

COMPLAINT = {"category": "pengaduan", "subject": "Presensi ganda di bulan November",
             "description": "Presensi saya tercatat dua kali setiap Senin sejak awal bulan."}


def drafts_left() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(FormDraft.id)))


def post_after_the_session_ended(web, clock, url, data, **kwargs):
    web.get(url)
    web.csrf()  # the token the page carried: the next request is the POST itself
    clock.advance(minutes=31)  # idle past SESSION_IDLE_MINUTES: the session row ends on the next request
    return web.post_form(url, data, **kwargs)


def test_a_form_posted_after_the_session_ended_comes_back_after_signing_in(login_as, office, clock):
    web = login_as(office.employee)
    before = case_count()
    response = post_after_the_session_ended(web, clock, "/kasus/baru/complaint", COMPLAINT)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/masuk?next=/kasus/baru/complaint")
    assert case_count() == before  # nothing was filed: the person checks, then sends
    cookie = web.get_cookie("layani_draft")
    assert cookie is not None and cookie.http_only
    assert "isian Anda sudah disimpan" in text_of(web.get(response.headers["Location"]))

    web.login(office.employee)
    html = text_of(web.get("/kasus/baru/complaint"))
    assert "Isian Anda dari sebelum sesi berakhir dikembalikan" in html
    assert 'value="Presensi ganda di bulan November"' in html
    assert "tercatat dua kali setiap Senin" in html
    assert drafts_left() == 0  # used once, then gone
    assert "Presensi ganda" not in text_of(web.get("/kasus/baru/complaint"))


def test_a_service_form_comes_back_on_its_own_page(login_as, office, clock):
    web = login_as(office.employee)
    url = "/kasus/baru/service_request?layanan=cuti"
    response = post_after_the_session_ended(web, clock, url, {
        "service": "cuti", "jenis_cuti": "besar", "tanggal_mulai": "2026-12-07", "tanggal_selesai": "2026-12-18",
        "alamat_selama_cuti": "Jl. Merdeka 5, Tanjung Pandan", "alasan": "Ibadah haji"})
    assert response.status_code == 303
    web.login(office.employee)
    html = text_of(web.get(url))
    assert 'value="Jl. Merdeka 5, Tanjung Pandan"' in html and 'value="2026-12-07"' in html
    assert re.search(r'<option selected value="besar">|<option value="besar" selected', html)


def test_someone_else_signing_in_on_that_browser_does_not_get_it(login_as, office, clock):
    web = login_as(office.employee)
    post_after_the_session_ended(web, clock, "/kasus/baru/complaint", COMPLAINT)
    web.login(office.colleague)
    assert "Presensi ganda" not in text_of(web.get("/kasus/baru/complaint"))
    assert drafts_left() == 1  # left for its owner (or for expiry)


def test_another_browser_does_not_get_it(app, login_as, office, clock):
    web = login_as(office.employee)
    post_after_the_session_ended(web, clock, "/kasus/baru/complaint", COMPLAINT)
    from tests.conftest import WebClient
    other = WebClient(app.test_client())
    other.login(office.employee)
    assert "Presensi ganda" not in text_of(other.get("/kasus/baru/complaint"))


def test_a_draft_expires(login_as, office, clock):
    web = login_as(office.employee)
    post_after_the_session_ended(web, clock, "/kasus/baru/complaint", COMPLAINT)
    clock.advance(hours=2, minutes=1)
    web.login(office.employee)
    assert "Presensi ganda" not in text_of(web.get("/kasus/baru/complaint"))
    assert drafts_left() == 0


def test_no_secret_is_kept(login_as, office, clock):
    web = login_as(office.employee)
    post_after_the_session_ended(web, clock, "/kasus/baru/complaint",
                                 {**COMPLAINT, "website": "", "password": "rahasia123", "new_password": "x"})
    db.session.expire_all()
    fields = db.session.scalars(select(FormDraft)).one().fields
    assert "csrf_token" not in fields and "password" not in fields and "new_password" not in fields
    assert fields["subject"] == [COMPLAINT["subject"]]


def test_a_message_on_a_case_page_comes_back(login_as, office, clock, kgb_filed_wednesday):
    web = login_as(office.employee)
    url = f"/kasus/{kgb_filed_wednesday.id}"
    web.get(url)
    web.csrf()
    clock.advance(minutes=31)
    response = web.post_form(f"{url}/pesan", {"body": "Apakah SK KGB saya sudah bisa diambil minggu ini?"})
    assert response.status_code == 303 and response.headers["Location"].startswith(f"/masuk?next={url}")
    web.login(office.employee)
    html = text_of(web.get(url))
    assert "Apakah SK KGB saya sudah bisa diambil minggu ini?</textarea>" in html


def test_a_bad_csrf_token_with_a_live_session_goes_straight_back(login_as, office):
    web = login_as(office.employee)
    before = case_count()
    response = web.client.post("/kasus/baru/complaint", data={**COMPLAINT, "csrf_token": "kedaluwarsa"})
    assert response.status_code == 303 and response.headers["Location"] == "/kasus/baru/complaint"
    assert case_count() == before
    assert "Presensi ganda di bulan November" in text_of(web.get("/kasus/baru/complaint"))


def test_a_post_without_any_session_keeps_nothing(web, office):
    # A stranger's POST (or another site's: SameSite=Lax leaves the session cookie behind) names nobody.
    response = web.post_form("/kasus/baru/complaint", COMPLAINT)
    assert response.status_code in (302, 303)
    assert drafts_left() == 0


def test_the_api_keeps_nothing(api, office, clock):
    assert api(None).post("/api/v1/cases", json={"type": "complaint", "fields": COMPLAINT}).status_code == 401
    assert drafts_left() == 0


def test_a_step_comment_comes_back_in_its_own_form(login_as, office, clock, data_update_forwarded):
    web = login_as(office.officer)
    url = f"/kasus/{data_update_forwarded.id}"
    page = text_of(web.get(url))
    version = re.search(r'tindakan/complete".*?name="version" value="(\d+)"', page, re.S).group(1)
    web.csrf()
    clock.advance(minutes=31)
    response = web.post_form(f"{url}/tindakan/complete", {"version": version, "comment": "SK terbit hari ini."})
    assert response.status_code == 303 and "/masuk" in response.headers["Location"]
    web.login(office.officer)
    html = text_of(web.get(url))
    form = html[html.index('tindakan/complete"'):html.index("</form>", html.index('tindakan/complete"'))]
    assert "SK terbit hari ini.</textarea>" in form


def test_an_empty_form_is_not_kept(login_as, office, clock, kgb_filed_wednesday):
    web = login_as(office.employee)
    url = f"/kasus/{kgb_filed_wednesday.id}"
    web.get(url)
    web.csrf()
    clock.advance(minutes=31)
    response = web.post_form(f"{url}/pesan", {"body": ""})
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert drafts_left() == 0
