"""Anonymous complaints: filed with or without an account, followed only with the tracking code."""
import re

import pytest
from sqlalchemy import text

from layani_flow.extensions import db

from .helpers import fire, fresh_case, last_case, text_of, version_on

COMPLAINT = {"category": "pengaduan", "subject": "Pungutan saat urus KGB",
             "description": "Diminta uang saat menyerahkan berkas di loket."}


def _code(html: str) -> str:
    match = re.search(r'<output id="kode-pelacakan"[^>]*>([A-Z0-9-]+)</output>', html)
    assert match, "no tracking code on the page"
    return match.group(1)


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
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text_of(response)
    code = _code(html)
    assert "Catat atau simpan kode ini sekarang." in html and 'href="/lacak"' in html
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
        response = web.post_form("/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"})
        web.logout()
    else:
        response = web.post_form("/aduan-anonim", COMPLAINT)
    assert response.status_code == 200
    code = _code(text_of(response))
    case_id = last_case().id

    # the desk asks the filer for more
    web.login(office.officer)
    assert fire(web, case_id, "triage").status_code == 302
    assert fire(web, case_id, "ask_filer", "Kapan dan di loket mana?").status_code == 302
    web.logout()

    # the filer replies with the code, through the message box and the step the workflow offers
    assert web.post_form("/lacak", {"code": code}).status_code == 302
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
    web.post_form("/lacak", {"code": code})
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


def test_filer_closes_and_may_not_act_on_another_case(web, office):
    code = _code(text_of(web.post_form("/aduan-anonim", COMPLAINT)))
    case_id = last_case().id
    web.login(office.officer)
    fire(web, case_id, "triage")
    fire(web, case_id, "answer", "Sudah ditindaklanjuti.")
    web.logout()
    web.post_form("/lacak", {"code": code})
    html = text_of(web.get("/lacak/kasus"))
    assert web.post_form("/lacak/tindakan/close", {"version": version_on(html, "close")}).status_code == 302
    assert fresh_case(case_id).state == "closed"
    # the filer's session opens only this case, never the officer pages
    assert web.get(f"/kasus/{case_id}").status_code == 302
    assert web.get("/antrian").status_code == 302


def test_filer_step_with_stale_version_is_409(web, office):
    code = _code(text_of(web.post_form("/aduan-anonim", COMPLAINT)))
    case_id = last_case().id
    web.login(office.officer)
    fire(web, case_id, "triage")
    fire(web, case_id, "answer", "Sudah ditindaklanjuti.")
    web.logout()
    web.post_form("/lacak", {"code": code})
    response = web.post_form("/lacak/tindakan/close", {"version": "1"})
    assert response.status_code == 409
    assert "baru saja diubah" in text_of(response)


def test_filer_may_not_fire_desk_steps(web, office):
    code = _code(text_of(web.post_form("/aduan-anonim", COMPLAINT)))
    web.post_form("/lacak", {"code": code})
    html = text_of(web.get("/lacak/kasus"))
    assert "/lacak/tindakan/triage" not in html
    response = web.post_form("/lacak/tindakan/triage", {"version": str(fresh_case(last_case().id).version)})
    assert response.status_code == 403


def test_reopen_needs_a_comment(web, office):
    code = _code(text_of(web.post_form("/aduan-anonim", COMPLAINT)))
    case_id = last_case().id
    web.login(office.officer)
    fire(web, case_id, "triage")
    fire(web, case_id, "answer", "Sudah ditindaklanjuti.")
    web.logout()
    web.post_form("/lacak", {"code": code})
    html = text_of(web.get("/lacak/kasus"))
    response = web.post_form("/lacak/tindakan/reopen", {"version": version_on(html, "reopen"), "comment": ""})
    assert response.status_code == 422
    assert 'id="reopen-comment"' in text_of(response)
    assert fresh_case(case_id).state == "answered"
