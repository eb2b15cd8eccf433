"""Filing each case type through the pages."""
import io

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import CaseDocument
from layani_flow.services import file_storage

from .helpers import KGB_FORM, PDF, PNG, case_count, last_case, pdf, text_of


def test_choose_lists_the_three_case_types(login_as, office):
    html = text_of(login_as(office.employee).get("/kasus/baru"))
    for path in ("/kasus/baru/service_request", "/kasus/baru/complaint", "/kasus/baru/mediation"):
        assert path in html


def test_unknown_case_type_is_404(login_as, office):
    assert login_as(office.employee).get("/kasus/baru/ceramah").status_code == 404


def test_intake_needs_login(web):
    response = web.get("/kasus/baru/complaint")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_catalogue_lists_services_and_their_documents(login_as, office):
    html = text_of(login_as(office.employee).get("/kasus/baru/service_request"))
    assert "Kenaikan gaji berkala (KGB)" in html and "SK KGB terakhir" in html
    assert "/kasus/baru/service_request?layanan=kgb" in html


def test_service_form_has_catalogue_fields_and_file_inputs(login_as, office):
    html = text_of(login_as(office.employee).get("/kasus/baru/service_request?layanan=kgb"))
    assert '<input type="hidden" name="service" value="kgb">' in html
    assert '<label for="tmt_kgb_terakhir">TMT KGB terakhir' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="doc_sk_kgb_terakhir" accept=".pdf,.jpg,.jpeg,.png"' in html


def test_file_a_service_request_with_a_pdf(login_as, office, clock):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/service_request?layanan=kgb",
                             {**KGB_FORM, "doc_sk_kgb_terakhir": pdf("sk-kgb.pdf")})
    case = last_case()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/kasus/{case.id}"
    assert case.service == "kgb" and case.requester_id == office.employee.id and case.state == "submitted"
    assert case.fields["golongan"] == "Penata Muda, III/a"
    [doc] = case.documents
    assert (doc.requirement, doc.original_name, doc.content_type) == ("sk_kgb_terakhir", "sk-kgb.pdf", "application/pdf")
    page = text_of(web.get(response.headers["Location"]))
    assert f"Kasus {case.ref} berhasil diajukan." in page
    assert "sk-kgb.pdf" in page and "SK KGB terakhir" in page and "Menunggu pemeriksaan" in page
    assert "Rabu, 25 November 2026 09.00 WIB" in page  # the frozen clock, shown in WIB
    assert "Belum ada petugas" in page


@pytest.mark.parametrize("name, content", [
    ("program.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows executable renamed .pdf
    ("foto.pdf", PNG),  # a PNG pretending to be a PDF
    ("surat.pdf", b"ini bukan pdf sama sekali"),
    ("surat.docx", PDF),
    ("kosong.pdf", b""),
])
def test_a_bad_file_refuses_the_whole_filing(login_as, office, name, content, app):
    web = login_as(office.employee)
    before = case_count()
    response = web.post_form("/kasus/baru/service_request?layanan=kgb",
                             {**KGB_FORM, "doc_skp": pdf(), "doc_sk_kgb_terakhir": (io.BytesIO(content), name)})
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="doc_sk_kgb_terakhir-error"' in html
    assert 'value="Penata Muda, III/a"' in html  # what was typed is kept
    assert case_count() == before
    assert db.session.scalar(select(func.count(CaseDocument.id))) == 0
    assert not file_storage.stored_names()


def test_missing_required_field_keeps_the_form(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/service_request?layanan=kgb", {"service": "kgb", "golongan": "III/a"})
    assert response.status_code == 422
    html = text_of(response)
    assert "Wajib diisi." in html and 'aria-invalid="true"' in html
    assert case_count() == 0


def test_unknown_service_shows_the_catalogue_again(login_as, office):
    response = login_as(office.employee).post_form("/kasus/baru/service_request", {"service": "gaji_ke_13"})
    assert response.status_code == 422
    assert "Pilih layanan kepegawaian" in text_of(response)


def test_leave_starts_with_the_superior(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/service_request", {
        "service": "cuti", "jenis_cuti": "tahunan", "tanggal_mulai": "2026-12-01", "tanggal_selesai": "2026-12-05",
        "alamat_selama_cuti": "Pangkalpinang", "alasan": "Urusan keluarga"})
    assert response.status_code == 303
    assert last_case().state == "awaiting_superior"
    superior = login_as(office.kabid)
    html = text_of(superior.get(response.headers["Location"]))
    assert "Setujui sebagai atasan" in html
    assert "Cuti tahunan" in html and "1 Desember 2026" in html  # choice and date shown readably


def test_file_a_named_complaint(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/complaint", {
        "category": "masukan", "subject": "Ruang tunggu panas", "description": "Pendingin ruangan rusak sejak Senin."})
    assert response.status_code == 303
    case = last_case()
    assert case.case_type == "complaint" and case.requester_id == office.employee.id and not case.is_anonymous
    html = text_of(web.get(response.headers["Location"]))
    assert "Ruang tunggu panas" in html and "Masukan" in html and "Diterima" in html


def test_file_a_mediation(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/mediation", {
        "other_party_nip": office.kabid.nip, "relation": "atasan", "subject": "Pembagian tugas",
        "description": "Tugas lapangan selalu diberikan kepada saya saja.", "discipline_concern": "tidak"})
    assert response.status_code == 303, text_of(response)[:2000]
    case = last_case()
    assert case.case_type == "mediation" and case.other_party_id == office.kabid.id
    html = text_of(web.get(response.headers["Location"]))
    assert "Kabid Tangkap" in html and "belum dilibatkan" in html
    # the other party cannot read it before the mediator brings them in
    assert login_as(office.kabid).get(response.headers["Location"]).status_code == 404


def test_mediation_with_an_unknown_nip_is_a_field_error(login_as, office):
    response = login_as(office.employee).post_form("/kasus/baru/mediation", {
        "other_party_nip": "199001012015031999", "relation": "atasan", "subject": "Pembagian tugas",
        "description": "Tugas lapangan selalu diberikan kepada saya saja.", "discipline_concern": "tidak"})
    assert response.status_code == 422
    assert "Tidak ada pegawai aktif dengan NIP ini." in text_of(response)
    assert case_count() == 0
