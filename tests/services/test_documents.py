"""Uploads are judged by their bytes, and a failed unit of work leaves no file behind."""
from __future__ import annotations

import pytest

from layani_flow.extensions import db
from layani_flow.services import cases, documents, file_storage
from layani_flow.services.errors import Forbidden, InvalidInput, TransitionNotAllowed

from ..factories import CaseFactory
from .helpers import KGB, counts, upload
from .samples import ELF, EXE, HTML, JPEG, PDF, PNG


@pytest.fixture(params=["filesystem", "database"])
def app_config(app_config, request):
    """Every test here on both places a file can be kept (services/file_storage.py)."""
    return {**app_config, "MAX_UPLOAD_BYTES": 1024, "FILE_STORAGE": request.param}


def files_in(app) -> list[str]:
    return sorted(file_storage.stored_names())


ACCEPTED = {
    "pdf": ("surat.pdf", PDF, "application/pdf"),
    "png": ("foto.png", PNG, "image/png"),
    "jpeg": ("scan.jpeg", JPEG, "image/jpeg"),
    "jpg upper-case name": ("SCAN.JPG", JPEG, "image/jpeg"),
    "exactly the limit": ("besar.pdf", PDF + b" " * (1024 - len(PDF)), "application/pdf"),
}


@pytest.mark.parametrize("name, content, mime", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_accepted_uploads(app, name, content, mime):
    checked = documents.check_upload("file", "skp", name, content)
    assert (checked.original_name, checked.content_type, checked.content) == (name, mime, content)
    assert len(checked.sha256) == 64


REFUSED = {
    "empty": ("kosong.pdf", b"", "Berkas kosong"),
    "too big": ("besar.pdf", PDF + b" " * 1024, "terlalu besar"),
    "wrong extension": ("dokumen.docx", PDF, "Hanya berkas PDF, JPG atau PNG"),
    "no extension": ("dokumen", PDF, "Hanya berkas PDF, JPG atau PNG"),
    "an executable named .pdf": ("virus.pdf", EXE, "bukan PDF, JPG atau PNG"),
    "an ELF binary named .pdf": ("program.pdf", ELF, "bukan PDF, JPG atau PNG"),
    "HTML named .pdf": ("halaman.pdf", HTML, "bukan PDF, JPG atau PNG"),
    "plain text named .png": ("catatan.png", b"hanya teks biasa", "bukan PDF, JPG atau PNG"),
    "a PDF named .png": ("salah-nama.png", PDF, "tidak sesuai dengan jenis"),
    "a PNG named .pdf": ("salah-nama.pdf", PNG, "tidak sesuai dengan jenis"),
}


@pytest.mark.parametrize("name, content, message", REFUSED.values(), ids=REFUSED.keys())
def test_refused_uploads(app, name, content, message):
    with pytest.raises(InvalidInput) as info:
        documents.check_upload("doc_skp", "skp", name, content)
    assert message in info.value.errors["doc_skp"][0]
    assert info.value.status == 422


def test_the_too_big_message_names_the_limit(app):
    with pytest.raises(InvalidInput) as info:
        documents.check_upload("file", "skp", "besar.pdf", PDF + b" " * 1024)
    assert "1 KB" in info.value.errors["file"][0]


def test_names_are_cleaned_and_stored_names_are_random(app, office):
    checked = documents.check_upload("file", "skp", "C:\\Users\\andi\\..\\skp\x00 2025.pdf", PDF)
    assert checked.original_name == "skp 2025.pdf"
    case = cases.open_case("service_request", KGB, office.employee, uploads=[checked, upload("skp")]).case
    stored = [d.stored_name for d in case.documents]
    assert len(set(stored)) == 2 and all(s.endswith(".pdf") and len(s) == 36 for s in stored)
    assert files_in(app) == sorted(stored)
    assert file_storage.read(stored[0]) == PDF


def test_a_failed_open_case_leaves_no_file_and_no_case(app, office, monkeypatch):
    """The disk fills up on the second file: the first one is removed and nothing is committed."""
    real_write, calls = documents.write, []

    def write_then_fail(checked):
        calls.append(checked.original_name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(checked)

    monkeypatch.setattr(documents, "write", write_then_fail)
    before = counts()
    with pytest.raises(OSError):
        cases.open_case("service_request", KGB, office.employee,
                        uploads=[upload("sk_pangkat_terakhir"), upload("sk_kgb_terakhir"), upload("skp")])
    assert len(calls) == 2
    assert files_in(app) == []
    assert counts() == before


def fail_commits(monkeypatch):
    """The rows flush fine but COMMIT fails (a lost connection, a serialization failure on PostgreSQL)."""
    from sqlalchemy.exc import OperationalError

    def commit():
        db.session.flush()
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "commit", commit)


@pytest.fixture
def failing_commit(monkeypatch):
    fail_commits(monkeypatch)


def test_a_commit_that_fails_after_the_files_were_written_removes_them(app, office, failing_commit):
    before = counts()
    with pytest.raises(Exception, match="database is locked"):
        cases.open_case("service_request", KGB, office.employee, uploads=[upload("skp"), upload("sk_kgb_terakhir")])
    assert files_in(app) == []
    assert counts() == before


def test_a_failed_commit_when_adding_documents_removes_them(app, office, monkeypatch):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="revision_requested")
    before = counts()
    fail_commits(monkeypatch)
    with pytest.raises(Exception, match="database is locked"):
        cases.upload_documents(case.id, office.employee, [upload("skp")])
    assert files_in(app) == []
    monkeypatch.undo()
    assert counts() == before


def test_uploading_to_an_open_case(app, office):
    case = CaseFactory(requester=office.employee, owner=office.officer, state="revision_requested")
    cases.upload_documents(case.id, office.employee, [upload("skp", "skp.png", PNG)])
    cases.upload_documents(case.id, office.officer, [upload("lainnya", "nota.jpg", JPEG)])
    case = cases.get_case(case.id, office.officer)
    assert [(d.requirement, d.uploaded_by_id) for d in case.documents] == [
        ("skp", office.employee.id), ("lainnya", office.officer.id)]
    assert [e.kind for e in case.events] == ["document", "document"]
    assert len(files_in(app)) == 2


@pytest.mark.parametrize("who, state, requirement, error", [
    ("officer2", "in_verification", "skp", Forbidden),          # can see it, is neither requester nor owner
    ("employee", "completed", "skp", TransitionNotAllowed),    # closed
    ("employee", "in_verification", "ijazah", InvalidInput),   # not on this service's list
])
def test_refused_uploads_to_a_case_write_no_file(app, office, who, state, requirement, error):
    case = CaseFactory(requester=office.employee, owner=office.officer, state=state)
    before = counts()
    with pytest.raises(error):
        cases.upload_documents(case.id, getattr(office, who), [upload(requirement)])
    assert files_in(app) == []
    assert counts() == before


def test_reviewing_documents(app, office):
    case = cases.open_case("service_request", KGB, office.employee, uploads=[upload("skp")]).case
    doc_id = 1  # documents are numbered within their case
    with pytest.raises(Forbidden):
        cases.review_document(case.id, doc_id, office.officer, "verified")  # nobody owns it yet
    case = cases.claim_case(case.id, office.officer, case.version)
    with pytest.raises(InvalidInput):
        cases.review_document(case.id, doc_id, office.officer, "rejected")  # a rejection needs a reason
    with pytest.raises(InvalidInput):
        cases.review_document(case.id, doc_id, office.officer, "maybe")
    doc = cases.review_document(case.id, doc_id, office.officer, "rejected", "Buram, mohon pindai ulang.")
    assert (doc.review_status, doc.review_note, doc.reviewed_by_id) == (
        "rejected", "Buram, mohon pindai ulang.", office.officer.id)
    other = CaseFactory(requester=office.colleague, owner=office.officer, state="in_verification")
    with pytest.raises(cases.NotFound):
        cases.review_document(other.id, doc_id, office.officer, "verified")  # not this case's document
    db.session.expire_all()
    assert [e.data["decision"] for e in cases.get_case(case.id, office.officer).events
            if e.kind == "document_review"] == ["rejected"]
