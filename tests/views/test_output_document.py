"""Issue 8, forms: the desk attaches the output document (the issued SK) when completing a request; the
requester, and only those who may see the case, download it. On the page and through the API."""
import io

from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import CaseDocument
from layani_flow.services import file_storage

from .helpers import PDF, fresh_case, text_of, version_on


def output_documents(case_id: int) -> list[CaseDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case_id,
                                                              CaseDocument.requirement == "keluaran")))


def complete(web, case_id: int, files: dict | None = None):
    page = text_of(web.get(f"/kasus/{case_id}"))
    return web.post_form(f"/kasus/{case_id}/tindakan/complete", {
        "version": version_on(page, "complete"), "comment": "SK sudah terbit.", **(files or {})},
        content_type="multipart/form-data")


def test_the_complete_step_draws_its_file_input(login_as, office, data_update_forwarded):
    html = text_of(login_as(office.officer).get(f"/kasus/{data_update_forwarded.id}"))
    # The action panel is one form: its steps' inputs, the file among them, post with every button.
    button = html.index('tindakan/complete"')
    form = html[html.rindex("<form", 0, button):html.index("</form>", button)]
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file"' in form and 'name="doc_keluaran"' in form and "Dokumen hasil" in form


def test_the_desk_attaches_the_sk_and_the_requester_downloads_it(login_as, office, data_update_forwarded):
    case_id = data_update_forwarded.id
    web = login_as(office.officer)
    response = complete(web, case_id, {"doc_keluaran": (io.BytesIO(PDF), "SK-pemutakhiran.pdf")})
    assert response.status_code == 302, text_of(response)[:1500]
    assert fresh_case(case_id).state == "completed"
    [doc] = output_documents(case_id)
    assert doc.review_status == "verified" and doc.uploaded_by_id == office.officer.id
    number = len(fresh_case(case_id).documents)
    web.logout()
    web = login_as(office.employee)
    html = text_of(web.get(f"/kasus/{case_id}"))
    assert "SK-pemutakhiran.pdf" in html and "Dokumen hasil layanan" in html
    got = web.get(f"/kasus/{case_id}/dokumen/{number}")
    got.close()
    assert got.status_code == 200 and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment")
    for who, status in ((office.colleague, 404), (office.outsider, 404), (office.kasubbag, 200)):
        web.logout()
        got = login_as(who).get(f"/kasus/{case_id}/dokumen/{number}")
        got.close()
        assert got.status_code == status, who.name


def test_completing_without_a_document_still_works(login_as, office, data_update_forwarded):
    response = complete(login_as(office.officer), data_update_forwarded.id)
    assert response.status_code == 302 and fresh_case(data_update_forwarded.id).state == "completed"
    assert output_documents(data_update_forwarded.id) == []


def test_a_bad_file_is_a_422_and_nothing_changes(app, login_as, office, data_update_forwarded):
    before = file_storage.stored_names()
    response = complete(login_as(office.officer), data_update_forwarded.id,
                        {"doc_keluaran": (io.BytesIO(b"MZ\x90\x00program"), "sk.pdf")})
    assert response.status_code == 422 and "bukan PDF" in text_of(response)
    assert fresh_case(data_update_forwarded.id).state == "forwarded"
    assert output_documents(data_update_forwarded.id) == []
    assert file_storage.stored_names() == before


def test_the_api_completes_with_a_multipart_body(api, office, data_update_forwarded):
    client = api(office.officer)
    case_id = data_update_forwarded.id
    version = client.get(f"/api/v1/cases/{case_id}").get_json()["version"]
    r = client.post(f"/api/v1/cases/{case_id}/transitions", data={
        "trigger": "complete", "version": str(version), "comment": "SK terbit.",
        "doc_keluaran": (io.BytesIO(PDF), "sk.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "completed"
    assert [d.original_name for d in output_documents(case_id)] == ["sk.pdf"]


def test_the_api_refuses_a_file_a_step_does_not_take(api, office, data_update_forwarded):
    client = api(office.officer)
    case_id = data_update_forwarded.id
    version = client.get(f"/api/v1/cases/{case_id}").get_json()["version"]
    r = client.post(f"/api/v1/cases/{case_id}/transitions", data={
        "trigger": "external_returned", "version": str(version), "comment": "Kembali.",
        "doc_keluaran": (io.BytesIO(PDF), "sk.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 422 and r.get_json()["errors"] == {"doc_keluaran": ["Tindakan ini tidak menerima berkas."]}
    assert fresh_case(case_id).state == "forwarded"


def test_the_requester_cannot_attach_an_output_document(api, office, data_update_forwarded):
    client = api(office.employee)
    case_id = data_update_forwarded.id
    version = client.get(f"/api/v1/cases/{case_id}").get_json()["version"]
    r = client.post(f"/api/v1/cases/{case_id}/transitions", data={
        "trigger": "complete", "version": str(version), "comment": "x",
        "doc_keluaran": (io.BytesIO(PDF), "sk.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 403
    assert output_documents(case_id) == []
