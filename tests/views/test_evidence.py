"""Issue 8, forms: complaints carry evidence files, checked like every document; an anonymous filer's lose
their image metadata and their names, and never record who sent them."""
import io
import struct

from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import CaseDocument
from layani_flow.services import file_storage
from layani_flow.services.metadata import without_metadata

from .anonymous import ANONYMOUS_COMPLAINT, file_anonymously
from .helpers import PDF, case_count, last_case, text_of


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


# A JPEG as a phone writes it: JFIF, then EXIF naming its owner and place, a comment, then the picture.
JPEG = (b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xE1, b"Exif\x00\x00Andi Pratama GPS -2.1291,106.1090")
        + segment(0xFE, b"dibuat oleh Andi") + segment(0xDB, b"\x00" + bytes(64))
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\x56\xff\xd9")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + b"\x00\x00\x00\x00"


PNG_WITH_AUTHOR = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bytes(13)) + chunk(b"tEXt", b"Author\x00Andi Pratama")
                   + chunk(b"IDAT", b"\x78\x9c\x00") + chunk(b"IEND", b""))


def stored_bytes(app, doc: CaseDocument) -> bytes:
    return file_storage.read(doc.stored_name)


def test_metadata_goes_the_picture_stays():
    clean = without_metadata(JPEG, "image/jpeg")
    assert b"Andi" not in clean and b"GPS" not in clean and b"JFIF" in clean
    assert clean.endswith(b"\x12\x34\x56\xff\xd9")
    png = without_metadata(PNG_WITH_AUTHOR, "image/png")
    assert b"Andi" not in png and b"IHDR" in png and b"IDAT" in png and png.endswith(chunk(b"IEND", b""))
    assert without_metadata(PDF, "application/pdf") == PDF


def test_a_named_complaint_carries_its_evidence(app, login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/complaint", {
        **ANONYMOUS_COMPLAINT, "bukti": [(io.BytesIO(JPEG), "loket.jpg"), (io.BytesIO(PDF), "kuitansi.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 303, text_of(response)[:1500]
    docs = db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == last_case().id)
                              .order_by(CaseDocument.id)).all()
    assert [(d.requirement, d.original_name) for d in docs] == [("bukti", "loket.jpg"), ("bukti", "kuitansi.pdf")]
    assert all(d.uploaded_by_id == office.employee.id for d in docs)
    html = text_of(web.get(response.headers["Location"]))
    assert "Bukti pendukung" in html and "loket.jpg" in html


def test_an_anonymous_complaint_keeps_no_trace_in_its_files(app, web):
    before = case_count()
    file_anonymously(web, data={**ANONYMOUS_COMPLAINT, "bukti": [
        (io.BytesIO(JPEG), "IMG_Andi_Pratama.jpg"), (io.BytesIO(PNG_WITH_AUTHOR), "layar Andi.png")]})
    assert case_count() == before + 1
    docs = db.session.scalars(select(CaseDocument).order_by(CaseDocument.id)).all()[-2:]
    assert [d.original_name for d in docs] == ["bukti-1.jpg", "bukti-2.png"]
    assert all(d.uploaded_by_id is None for d in docs)
    for doc in docs:
        assert b"Andi" not in stored_bytes(app, doc)


def test_too_many_files(login_as, office):
    web = login_as(office.employee)
    before = case_count()
    response = web.post_form("/kasus/baru/complaint", {
        **ANONYMOUS_COMPLAINT, "bukti": [(io.BytesIO(PDF), f"{n}.pdf") for n in range(4)]},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "Paling banyak 3 berkas bukti" in text_of(response)
    assert case_count() == before


def test_a_disguised_file_is_refused_and_nothing_is_left(app, login_as, office):
    web = login_as(office.employee)
    before = case_count()
    response = web.post_form("/kasus/baru/complaint", {
        **ANONYMOUS_COMPLAINT, "bukti": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(b"MZ\x90\x00program"), "b.pdf")]},
        content_type="multipart/form-data")
    html = text_of(response)
    assert response.status_code == 422 and "b.pdf:" in html and '<a href="#bukti">Bukti pendukung:' in html
    assert case_count() == before
    assert not file_storage.stored_names()


def test_a_broken_image_on_an_anonymous_complaint_is_a_422(web):
    broken = b"\xff\xd8\xff\xe1\xff\xff" + b"Exif"  # a segment that claims to run past the end
    response = web.post_form("/aduan-anonim", {**ANONYMOUS_COMPLAINT, "bukti": [(io.BytesIO(broken), "x.jpg")]},
                             content_type="multipart/form-data")
    assert response.status_code == 422 and "EXIF" in text_of(response)


def test_evidence_is_read_only_by_who_may_see_the_case(login_as, office, web):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/complaint", {**ANONYMOUS_COMPLAINT, "bukti": [(io.BytesIO(PDF), "k.pdf")]},
                             content_type="multipart/form-data")
    url = f"{response.headers['Location']}/dokumen/1"
    got = web.get(url)
    got.close()  # a file response: its file is open until closed
    assert got.status_code == 200 and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment")
    for who, status in ((office.officer, 200), (office.colleague, 404), (office.outsider, 404)):
        web.logout()
        got = login_as(who).get(url)
        got.close()
        assert got.status_code == status, who.name
