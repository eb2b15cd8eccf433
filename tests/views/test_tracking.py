"""Anonymous complaints: filed with or without an account, followed only with the tracking code."""
import re

import pytest
from sqlalchemy import text

from layani_flow.extensions import db

from .anonymous import ANONYMOUS_COMPLAINT as COMPLAINT
from .anonymous import file_anonymously, track, tracking_code_on
from .helpers import fire, fresh_case, last_case, open_browser, text_of, version_on


def _rows_of_case(case_id: int) -> str:
    """Every column of every row that belongs to the case, as one string."""
    db.session.expire_all()
    rows = []
    for table, key in (("cases", "id"), ("case_events", "case_id"), ("case_documents", "case_id")):
        rows += [repr(tuple(r)) for r in db.session.execute(text(f"SELECT * FROM {table} WHERE {key} = :id"),
                                                           {"id": case_id})]
    return "\n".join(rows)


def _identity(user) -> list[str]:
    return [user.name, user.nip, user.email]


def test_anonymous_complaint_without_an_account(web, office):
    form = text_of(web.get("/aduan-anonim"))
    assert 'name="anonymous"' not in form and 'name="category"' in form
    response = web.post_form("/aduan-anonim", COMPLAINT)
    assert response.status_code == 303 and response.headers["Location"] == "/lacak/kode"
    assert response.headers["Cache-Control"] == "no-store"
    shown = web.get("/lacak/kode")
    assert shown.headers["Cache-Control"] == "no-store"
    html = text_of(shown)
    code = tracking_code_on(html)
    assert "Catat atau simpan kode ini sekarang." in html and 'href="/lacak"' in html
    # shown once: the cookie forgets it with that answer
    assert web.get("/lacak/kode").headers["Location"] == "/lacak"
    case = last_case()
    assert case.is_anonymous and case.requester_id is None and case.state == "submitted"
    assert code not in _rows_of_case(case.id)  # only its hash is kept

    # follow it with the code; the code never appears in a URL
    response = web.post_form("/lacak", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and response.headers["Location"] == "/lacak/kasus"
    html = text_of(web.get("/lacak/kasus"))
    assert case.ref in html and "Pelapor anonim" in html and "Diterima" in html
    assert code not in html


def test_wrong_code_is_a_generic_answer(web, office):
    response = web.post_form("/lacak", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 200
    assert "Kode pelacakan tidak ditemukan." in text_of(response)
    assert web.get("/lacak/kasus").headers["Location"] == "/lacak"


@pytest.mark.parametrize("signed_in", [False, True])
def test_anonymous_round_trip_leaves_no_identity(web, login_as, office, signed_in):
    filer = office.colleague
    if signed_in:
        web.login(filer)
        code = file_anonymously(web, "/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"})
        web.logout()
    else:
        code = file_anonymously(web)
    case_id = last_case().id

    # the desk asks the filer for more
    web.login(office.officer)
    assert fire(web, case_id, "triage").status_code == 302
    assert fire(web, case_id, "ask_filer", "Kapan dan di loket mana?").status_code == 302
    web.logout()

    # the filer replies with the code, through the message box and the step the workflow offers
    track(web, code)
    html = text_of(web.get("/lacak/kasus"))
    assert "Kapan dan di loket mana?" in html and "Kirim keterangan" in html
    assert web.post_form("/lacak/pesan", {"body": "Loket 2, Senin pagi."}).status_code == 302
    response = web.post_form("/lacak/tindakan/filer_replied",
                             {"version": version_on(html, "filer_replied"), "comment": "Ada saksi: rekan satu bidang."})
    assert response.status_code == 302, text_of(response)[:2000]
    assert fresh_case(case_id).state == "in_follow_up"
    html = text_of(web.get("/lacak/kasus"))
    assert "Loket 2, Senin pagi." in html and "Ada saksi: rekan satu bidang." in html

    # internal notes never reach the filer
    web.post_form("/lacak/keluar")
    assert web.get("/lacak/kasus").status_code == 302
    web.login(office.officer)
    web.post_form(f"/kasus/{case_id}/pesan", {"body": "Catatan rahasia petugas.", "internal": "y"})
    assert fire(web, case_id, "answer", "Petugas loket sudah ditegur.").status_code == 302
    officer_pages = [text_of(web.get(url)) for url in
                     (f"/kasus/{case_id}", "/antrian?tampilan=semua", "/antrian?tampilan=saya", "/")]
    web.logout()
    track(web, code)
    html = text_of(web.get("/lacak/kasus"))
    assert "Petugas loket sudah ditegur." in html and "Catatan rahasia petugas." not in html
    assert "Tutup pengaduan" in html and "Buka kembali" in html

    # nothing of the filer anywhere: not in the case's rows, not on any page the desk sees
    rows = _rows_of_case(case_id)
    for secret in _identity(filer):
        assert secret not in rows
        for page in officer_pages:
            assert secret not in page
    assert "Pelapor anonim" in officer_pages[0]


def test_filer_closes_and_may_not_act_on_another_case(web, filer_tracking_answered_complaint):
    case_id = filer_tracking_answered_complaint
    html = text_of(web.get("/lacak/kasus"))
    assert web.post_form("/lacak/tindakan/close", {"version": version_on(html, "close")}).status_code == 302
    assert fresh_case(case_id).state == "closed"
    # the filer's session opens only this case, never the officer pages
    assert web.get(f"/kasus/{case_id}").status_code == 302
    assert web.get("/antrian").status_code == 302


def test_filer_step_with_stale_version_is_409(web, filer_tracking_answered_complaint):
    response = web.post_form("/lacak/tindakan/close", {"version": "1"})
    assert response.status_code == 409
    assert "baru saja diubah" in text_of(response)


def test_filer_may_not_fire_desk_steps(web, office):
    code = file_anonymously(web)
    track(web, code)
    html = text_of(web.get("/lacak/kasus"))
    assert "/lacak/tindakan/triage" not in html
    response = web.post_form("/lacak/tindakan/triage", {"version": str(fresh_case(last_case().id).version)})
    assert response.status_code == 403


def test_reopen_needs_a_comment(web, filer_tracking_answered_complaint):
    case_id = filer_tracking_answered_complaint
    html = text_of(web.get("/lacak/kasus"))
    response = web.post_form("/lacak/tindakan/reopen", {"version": version_on(html, "reopen"), "comment": ""})
    assert response.status_code == 422
    assert 'id="comment-error"' in text_of(response)
    assert fresh_case(case_id).state == "answered"


# -- filing anonymously looks the same from every browser --------------------------------------------

def _normalized(html: str, *secrets: str) -> str:
    for secret in secrets:
        html = html.replace(secret, "<…>")
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"\s+name="csrf_token"', "csrf", html)


def _set_cookies(response) -> dict[str, str]:
    """Each cookie the answer sets, with its attributes (its value left out)."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = ";".join(sorted(part.strip() for part in rest.split(";")[1:]))
    return cookies


@pytest.mark.parametrize("url, data", [
    ("/aduan-anonim", COMPLAINT),
    ("/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"}),
])
def test_filing_anonymously_answers_a_signed_in_person_as_it_answers_a_stranger(app, client, office, url, data,
                                                                              monkeypatch):
    from layani_flow.extensions import login_manager

    loaded = []
    original = login_manager._user_callback
    monkeypatch.setattr(login_manager, "_user_callback", lambda user_id: loaded.append(user_id) or original(user_id))
    answers = []
    for signed_in in (False, True):
        web = open_browser(app, office.employee if signed_in else None)
        web.csrf()  # both browsers hold a session with a CSRF token, as a person who opened the form does
        loaded.clear()
        filed = web.post_form(url, data)
        assert loaded == [], "filing anonymously loaded the signed-in account"
        shown = web.get(filed.headers.get("Location", "/"))
        assert loaded == []
        case = last_case()
        code = tracking_code_on(text_of(shown))
        answers.append((filed.status_code, filed.headers.get("Location"), _set_cookies(filed),
                        filed.headers.get("Cache-Control"), filed.headers.get("Vary"),
                        shown.status_code, _set_cookies(shown), _normalized(text_of(shown), case.ref, code)))
        assert office.employee.name not in text_of(shown)  # no signed-in header on that page
    stranger, employee = answers
    assert stranger == employee
    assert stranger[0] == 303 and stranger[1] == "/lacak/kode"
    assert set(stranger[2]) == {"layani_lacak"}, "the login session is not written"
    assert "Path=/lacak" in stranger[2]["layani_lacak"] and "HttpOnly" in stranger[2]["layani_lacak"]


def test_named_and_anonymous_filings_answer_with_the_same_status(login_as, office):
    web = login_as(office.employee)
    named = web.post_form("/kasus/baru/complaint", COMPLAINT)
    anonymous = web.post_form("/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"})
    assert named.status_code == anonymous.status_code == 303


def test_the_tracking_pages_never_show_who_is_signed_in(web, office):
    code = file_anonymously(web)
    web.login(office.employee)
    track(web, code)
    html = text_of(web.get("/lacak/kasus"))
    assert "Pelapor anonim" in html and office.employee.name not in html and "Keluar" not in html
    assert office.employee.name in text_of(web.get("/"))  # still signed in elsewhere


# -- nothing readable in the cookies -----------------------------------------------------------------

def _readable(web) -> str:
    """Everything anyone at this browser can read out of its cookies without the server's key: each value
    as sent, and each dot-separated part base64-decoded (inflated too, as Flask's session payload is)."""
    import zlib

    from itsdangerous.encoding import base64_decode

    texts = []
    for cookie in web.client._cookies.values():
        texts.append(cookie.value)
        for part in cookie.value.lstrip(".").split("."):
            try:
                raw = base64_decode(part)
            except Exception:  # not base64: nothing to read there
                continue
            texts.append(raw.decode("latin-1"))
            try:
                texts.append(zlib.decompress(raw).decode("latin-1"))
            except zlib.error:
                pass
    return "\n".join(texts)


def test_no_cookie_says_which_case_this_browser_follows(web, office):
    web.login(office.employee)
    code = file_anonymously(web, "/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"})
    case = last_case()
    track(web, code)
    assert web.get("/lacak/kasus").status_code == 200
    cookies = {c.key for c in web.client._cookies.values()}
    assert {"session", "layani_lacak"} <= cookies
    readable = _readable(web)
    assert "_user_id" in readable  # the decoding works: the signed session cookie is readable…
    for secret in (str(case.id), str(-case.id), case.ref, code, code.replace("-", ""), "tracked", "lacak"):
        assert secret not in readable, secret  # …and says nothing of the complaint


def test_a_forged_or_damaged_tracking_cookie_opens_nothing(web, office):
    code = file_anonymously(web)
    track(web, code)
    cookie = next(c for c in web.client._cookies.values() if c.key == "layani_lacak")
    for value in (cookie.value[:-2] + "xx", "", "bukan-token", cookie.value.swapcase()):
        web.client.set_cookie("layani_lacak", value, path="/lacak")
        assert web.get("/lacak/kasus").headers["Location"] == "/lacak"


def test_forgetting_the_code_removes_the_cookie(web, office):
    code = file_anonymously(web)
    track(web, code)
    response = web.post_form("/lacak/keluar")
    assert response.headers["Location"] == "/lacak"
    assert "sudah dilupakan" in text_of(web.get("/lacak"))
    assert web.get("/lacak/kasus").headers["Location"] == "/lacak"
    assert not [c for c in web.client._cookies.values() if c.key == "layani_lacak"]


# -- anti-automation: honeypot and rate limit --------------------------------------------------------

def test_the_form_has_a_honeypot_people_are_told_to_leave_empty(web):
    html = text_of(web.get("/aduan-anonim"))
    field = re.search(r'<div class="field honeypot">.*?</div>', html, re.S).group(0)
    assert '<label for="website">Kosongkan kolom ini' in field
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field and 'value=""' in field


@pytest.mark.parametrize("url, data", [
    ("/aduan-anonim", COMPLAINT),
    ("/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"}),
])
def test_a_filled_honeypot_files_nothing(web, office, url, data):
    if url.startswith("/kasus"):
        web.login(office.employee)
    response = web.post_form(url, {**data, "website": "http://spam.example"})
    assert response.status_code == 422
    html = text_of(response)
    assert "sehingga pengaduan tidak dikirim" in html and 'id="website-error"' in html
    assert 'value="Pungutan saat urus KGB"' in html  # what a person typed is kept
    assert last_case() is None


def test_anonymous_filings_are_limited_per_address(app, web, office):
    app.config["ANONYMOUS_LIMIT_PER_ADDRESS"] = "2 per hour"  # read at each request
    assert web.post_form("/aduan-anonim", {**COMPLAINT, "subject": ""}).status_code == 422  # not counted
    file_anonymously(web)
    web.login(office.employee)  # the box on the complaint form shares the allowance
    file_anonymously(web, "/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"})
    before = last_case().id
    response = web.post_form("/aduan-anonim", COMPLAINT)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    html = text_of(response)
    assert "Terlalu banyak pengaduan anonim dari alamat jaringan ini" in html
    assert 'value="Pungutan saat urus KGB"' in html  # nothing typed is lost
    assert web.post_form("/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"}).status_code == 429
    assert last_case().id == before
    # named filings are not anonymous ones: not limited here
    assert web.post_form("/kasus/baru/complaint", COMPLAINT).status_code == 303
    # another address has its own allowance
    other = web.post_form("/aduan-anonim", COMPLAINT, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 303


def test_honeypot_catches_count_against_the_limit(app, web):
    app.config["ANONYMOUS_LIMIT_PER_ADDRESS"] = "2 per hour"
    for _ in range(2):
        assert web.post_form("/aduan-anonim", {**COMPLAINT, "website": "x"}).status_code == 422
    assert web.post_form("/aduan-anonim", COMPLAINT).status_code == 429


# -- whether a NIP exists is not an outsider's to learn ----------------------------------------------

UNKNOWN_NIP = "199001012015031999"


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unknown_nip_answers_like_a_known_one(web, office, signed_in):
    if signed_in:
        web.login(office.colleague)
    url = "/kasus/baru/complaint" if signed_in else "/aduan-anonim"
    extra = {"anonymous": "y"} if signed_in else {}
    answers = []
    for nip in (office.employee.nip, UNKNOWN_NIP):
        response = web.post_form(url, {**COMPLAINT, **extra, "reported_nip": nip})
        answers.append((response.status_code, response.headers.get("Location")))
        shown = web.get("/lacak/kode")
        code = tracking_code_on(text_of(shown))
        track(web, code)
        tracked = text_of(web.get("/lacak/kasus"))
        assert nip in tracked and "tidak terdaftar" not in tracked and office.employee.name not in tracked
    assert answers[0] == answers[1] == (303, "/lacak/kode")
    # a malformed NIP gets the same format error from everyone
    response = web.post_form(url, {**COMPLAINT, **extra, "reported_nip": "12345"})
    assert response.status_code == 422 and "NIP" in text_of(response)


def test_the_desk_sees_whether_the_named_nip_belongs_to_someone(web, login_as, office):
    file_anonymously(web, data={**COMPLAINT, "reported_nip": UNKNOWN_NIP})
    unknown = last_case().id
    file_anonymously(web, data={**COMPLAINT, "reported_nip": office.colleague.nip})
    known = last_case().id
    desk = login_as(office.officer)
    html = text_of(desk.get(f"/kasus/{unknown}"))
    assert f"NIP {UNKNOWN_NIP}" in html and "tidak terdaftar" in html
    html = text_of(desk.get(f"/kasus/{known}"))
    assert office.colleague.name in html and "tidak terdaftar" not in html
