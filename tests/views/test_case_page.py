"""Working a case through its page: every step a POST, every step on the timeline."""
import io
import re

import pytest

from layani_flow.services.errors import STALE_MESSAGE

from .helpers import case_id_of, file_kgb_with_two_documents, fire, fresh_case, pdf, text_of, version_on


def _timeline(html: str) -> str:
    return html.split('id="judul-riwayat"', 1)[1]


def _doc_ids(html: str, case_id: int) -> dict[str, int]:
    """Original file name → document number (its place in the case), from the download links on the page."""
    return {name: int(doc_id) for doc_id, name in
            re.findall(rf'href="/kasus/{case_id}/dokumen/(\d+)">([^<]+)</a>', html)}


@pytest.fixture
def kgb_case(login_as, office):
    """A KGB request filed through the form with two of its three required documents."""
    return case_id_of(file_kgb_with_two_documents(login_as(office.employee)))


def test_officer_walks_a_service_request_to_completion(web, office, kgb_case):
    case_id = kgb_case
    web.login(office.officer)
    html = text_of(web.get(f"/kasus/{case_id}"))
    assert "Klaim kasus" in html and "Mulai verifikasi" in html

    assert fire(web, case_id, "start_verification").status_code == 302
    case = fresh_case(case_id)
    assert (case.state, case.owner_id) == ("in_verification", office.officer.id)

    html = text_of(web.get(f"/kasus/{case_id}"))
    # Processing waits for the documents: the button is there, disabled, with the reason.
    assert re.search(r'disabled aria-describedby="start_processing-blocked"', html)
    assert "Semua dokumen wajib harus sudah diverifikasi terlebih dahulu." in html
    docs = _doc_ids(html, case_id)
    for name in ("sk-pangkat.pdf", "skp-2025.pdf"):
        r = web.post_form(f"/kasus/{case_id}/dokumen/{docs[name]}/periksa", {"decision": "verified", "note": ""})
        assert r.status_code == 302

    assert fire(web, case_id, "request_revision", "Lampirkan SK KGB terakhir.").status_code == 302
    assert fresh_case(case_id).state == "revision_requested"

    # The requester sees what to fix, adds the missing document and sends the revision back.
    web.logout()
    web.login(office.employee)
    html = text_of(web.get(f"/kasus/{case_id}"))
    assert "Menunggu perbaikan pemohon" in html and "Lampirkan SK KGB terakhir." in html
    r = web.post_form(f"/kasus/{case_id}/dokumen", {"requirement": "sk_kgb_terakhir", "file": pdf("sk-kgb.pdf")})
    assert r.status_code == 302
    assert fire(web, case_id, "resubmit").status_code == 302
    assert fresh_case(case_id).state == "in_verification"

    web.logout()
    web.login(office.officer)
    docs = _doc_ids(text_of(web.get(f"/kasus/{case_id}")), case_id)
    r = web.post_form(f"/kasus/{case_id}/dokumen/{docs['sk-kgb.pdf']}/periksa", {"decision": "verified"})
    assert r.status_code == 302
    assert fire(web, case_id, "start_processing").status_code == 302
    assert fire(web, case_id, "forward", "Usul ke BKPSDMD.", external_body="BKPSDMD").status_code == 302
    assert fresh_case(case_id).external_body == "BKPSDMD"
    assert fire(web, case_id, "external_returned", "SK KGB terbit.").status_code == 302
    assert fire(web, case_id, "complete", "SK KGB dapat diambil di subbag kepegawaian.").status_code == 302
    case = fresh_case(case_id)
    assert case.state == "completed" and case.closed_at is not None

    web.logout()
    web.login(office.employee)
    timeline = _timeline(text_of(web.get(f"/kasus/{case_id}")))
    expected = [
        "Kasus diajukan",
        "Mulai verifikasi: Diajukan → Verifikasi berkas. Penanggung jawab: Petugas Satu.",
        "Dokumen SK pangkat terakhir (sk-pangkat.pdf) diverifikasi.",
        "Minta perbaikan berkas: Verifikasi berkas → Menunggu perbaikan pemohon.",
        "Mengunggah dokumen SK KGB terakhir.",
        "Kirim perbaikan: Menunggu perbaikan pemohon → Verifikasi berkas.",
        "Berkas lengkap, proses: Verifikasi berkas → Diproses.",
        "Teruskan ke instansi lain: Diproses → Diteruskan ke instansi lain. Instansi: BKPSDMD.",
        "Jawaban instansi lain diterima: Diteruskan ke instansi lain → Diproses.",
        "Selesaikan: Diproses → Selesai.",
        "SK KGB dapat diambil di subbag kepegawaian.",
    ]
    positions = [timeline.find(text) for text in expected]
    assert -1 not in positions, [t for t, p in zip(expected, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert "Mengirim pesan" not in timeline
    # a closed case offers nothing more
    html = text_of(web.get(f"/kasus/{case_id}"))
    assert "/tindakan/" not in html and 'id="comment"' not in html


def test_comment_required_step_without_comment_re_renders_with_422(login_as, office, kgb_case):
    web = login_as(office.officer)
    fire(web, kgb_case, "start_verification")
    response = fire(web, kgb_case, "request_revision", "")
    assert response.status_code == 422
    html = text_of(response)
    assert "Tuliskan alasan atau catatan untuk" in html
    # the panel's one comment box carries the error, and the summary links to it
    assert 'id="comment-error"' in html and 'href="#comment"' in html
    assert fresh_case(kgb_case).state == "in_verification"


def test_the_comment_is_marked_required_where_the_step_needs_one(login_as, office, kgb_case):
    web = login_as(office.officer)
    fire(web, kgb_case, "start_verification")
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    # One comment box for every step; its hint names the steps that need it.
    assert len(re.findall(r"<textarea", html)) == 1
    hint = re.search(r'id="comment-hint">(.*?)</p>', html, re.S).group(1)
    assert "Wajib diisi untuk: Minta perbaikan berkas" in hint and "Berkas lengkap, proses" not in hint


def test_stale_version_is_409_with_the_indonesian_message(web, office, kgb_case):
    web.login(office.officer)
    page = text_of(web.get(f"/kasus/{kgb_case}"))
    stale = version_on(page, "start_verification")
    # someone else moves the case first
    r = web.post_form(f"/kasus/{kgb_case}/klaim", {"version": version_on(page)})
    assert r.status_code == 302
    response = web.post_form(f"/kasus/{kgb_case}/tindakan/start_verification", {"version": stale, "comment": ""})
    assert response.status_code == 409
    html = text_of(response)
    assert STALE_MESSAGE in html
    assert f'href="/kasus/{kgb_case}"' in html  # a way back to the fresh page
    assert fresh_case(kgb_case).state == "submitted"


def test_a_step_the_viewer_may_not_take_is_403(login_as, office, kgb_case):
    web = login_as(office.employee)  # the requester is not an officer
    version = str(fresh_case(kgb_case).version)
    response = web.post_form(f"/kasus/{kgb_case}/tindakan/start_verification", {"version": version})
    assert response.status_code == 403
    assert "tidak berwenang" in text_of(response)
    assert fresh_case(kgb_case).state == "submitted"


def test_a_step_not_possible_now_is_409(login_as, office, kgb_case):
    web = login_as(office.officer)
    version = str(fresh_case(kgb_case).version)
    response = web.post_form(f"/kasus/{kgb_case}/tindakan/start_processing", {"version": version})
    assert response.status_code in (403, 409)  # not the owner yet, and not from this state either


def test_get_never_changes_state(login_as, office, kgb_case):
    web = login_as(office.officer)
    version_before = fresh_case(kgb_case).version
    for url in (f"/kasus/{kgb_case}/tindakan/start_verification", f"/kasus/{kgb_case}/klaim",
                f"/kasus/{kgb_case}/tugaskan", f"/kasus/{kgb_case}/pesan", f"/kasus/{kgb_case}/dokumen",
                "/lacak/pesan", "/lacak/tindakan/close", "/lacak/keluar", "/keluar"):
        assert web.get(url).status_code == 405, url
    case = fresh_case(kgb_case)
    assert (case.state, case.owner_id, case.version) == ("submitted", None, version_before)


def test_someone_else_cannot_see_the_case(login_as, office, kgb_case):
    web = login_as(office.colleague)
    assert web.get(f"/kasus/{kgb_case}").status_code == 404
    response = web.post_form(f"/kasus/{kgb_case}/pesan", {"body": "Halo"})
    assert response.status_code == 404


def test_claim_then_assign(web, office, kgb_case):
    web.login(office.officer)
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    assert web.post_form(f"/kasus/{kgb_case}/klaim", {"version": version_on(html)}).status_code == 302
    assert fresh_case(kgb_case).owner_id == office.officer.id
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    assert "Klaim kasus" not in html and 'name="assignee_nip"' in html
    response = web.post_form(f"/kasus/{kgb_case}/tugaskan",
                             {"assignee_nip": office.officer2.nip, "version": version_on(html)})
    assert response.status_code == 302
    assert fresh_case(kgb_case).owner_id == office.officer2.id
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    assert "Penanggung jawab: Petugas Satu → Petugas Dua." in html
    # no longer the owner: an officer may not hand someone else's case around
    response = web.post_form(f"/kasus/{kgb_case}/tugaskan",
                             {"assignee_nip": office.admin.nip, "version": version_on(html)})
    assert response.status_code == 403
    assert 'name="assignee_nip"' not in html  # and the page does not offer it


def test_assigning_an_employee_is_a_field_error(login_as, desk, kgb_case):
    web = login_as(desk.kasubbag)  # the desk head: admins do not hand cases around
    version = str(fresh_case(kgb_case).version)
    response = web.post_form(f"/kasus/{kgb_case}/tugaskan", {"assignee_nip": desk.colleague.nip, "version": version})
    assert response.status_code == 422
    assert "Hanya petugas layanan atau kepala layanan kepegawaian yang dapat ditugaskan." in text_of(response)


def test_internal_notes_stay_on_the_desk(web, office, kgb_case):
    web.login(office.officer)
    assert web.post_form(f"/kasus/{kgb_case}/pesan", {"body": "Cek ke BKPSDMD dulu.", "internal": "y"}).status_code == 302
    assert web.post_form(f"/kasus/{kgb_case}/pesan", {"body": "Berkas sedang kami periksa."}).status_code == 302
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    assert "Cek ke BKPSDMD dulu." in html and "Catatan internal</span>" in html
    web.logout()
    web.login(office.employee)
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    assert "Berkas sedang kami periksa." in html
    assert "Cek ke BKPSDMD dulu." not in html and 'name="internal"' not in html
    # an employee cannot write an internal note by adding the field
    assert web.post_form(f"/kasus/{kgb_case}/pesan", {"body": "Rahasia", "internal": "y"}).status_code == 403


def test_empty_message_re_renders_with_422(login_as, office, kgb_case):
    response = login_as(office.employee).post_form(f"/kasus/{kgb_case}/pesan", {"body": "   "})
    assert response.status_code == 422
    assert 'id="comment-error"' in text_of(response)


def test_document_download_is_private_and_safe(web, office, kgb_case):
    web.login(office.employee)
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    doc_id = _doc_ids(html, kgb_case)["sk-pangkat.pdf"]
    response = web.get(f"/kasus/{kgb_case}/dokumen/{doc_id}")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-1.4")
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert "sk-pangkat.pdf" in response.headers["Content-Disposition"]
    response.close()
    assert web.get(f"/kasus/{kgb_case}/dokumen/999999").status_code == 404
    web.logout()
    web.login(office.colleague)
    assert web.get(f"/kasus/{kgb_case}/dokumen/{doc_id}").status_code == 404


def test_a_document_of_another_case_is_not_served_through_this_one(login_as, office, kgb_case):
    web = login_as(office.employee)
    other = web.post_form("/kasus/baru/complaint", {
        "category": "kritik", "subject": "Antrean panjang", "description": "Antrean loket terlalu panjang."})
    other_id = case_id_of(other)
    doc_id = _doc_ids(text_of(web.get(f"/kasus/{kgb_case}")), kgb_case)["skp-2025.pdf"]
    assert web.get(f"/kasus/{other_id}/dokumen/{doc_id}").status_code == 404


def test_rejecting_a_document_needs_a_note(login_as, office, kgb_case):
    web = login_as(office.officer)
    fire(web, kgb_case, "start_verification")
    doc_id = _doc_ids(text_of(web.get(f"/kasus/{kgb_case}")), kgb_case)["skp-2025.pdf"]
    response = web.post_form(f"/kasus/{kgb_case}/dokumen/{doc_id}/periksa", {"decision": "rejected", "note": ""})
    assert response.status_code == 422
    assert f'id="doc{doc_id}_note-error"' in text_of(response)
    response = web.post_form(f"/kasus/{kgb_case}/dokumen/{doc_id}/periksa",
                             {"decision": "rejected", "note": "SKP tahun 2024, bukan 2025."})
    assert response.status_code == 302
    html = text_of(web.get(f"/kasus/{kgb_case}"))
    assert "SKP tahun 2024, bukan 2025." in html and "review-rejected" in html


def test_only_the_owner_reviews_documents(login_as, office, kgb_case):
    web = login_as(office.officer2)
    doc_id = _doc_ids(text_of(web.get(f"/kasus/{kgb_case}")), kgb_case)["skp-2025.pdf"]
    assert "Simpan pemeriksaan" not in text_of(web.get(f"/kasus/{kgb_case}"))
    response = web.post_form(f"/kasus/{kgb_case}/dokumen/{doc_id}/periksa", {"decision": "verified"})
    assert response.status_code == 403


def test_a_bad_upload_on_the_case_page_is_422(login_as, office, kgb_case):
    web = login_as(office.employee)
    response = web.post_form(f"/kasus/{kgb_case}/dokumen",
                             {"requirement": "skp", "file": (io.BytesIO(b"MZ\x90\x00" * 40), "skp.pdf")})
    assert response.status_code == 422
    assert 'id="file-error"' in text_of(response)
    response = web.post_form(f"/kasus/{kgb_case}/dokumen", {"requirement": "skp"})
    assert response.status_code == 422
