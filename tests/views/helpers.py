"""Small helpers for page tests: browsers, read a case's version off its page, post a trigger's form, load rows.
No fixtures here (tests/views/conftest.py has the scenarios; tests/views/anonymous.py the anonymous filings)."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case, CaseEvent

from ..conftest import FreshContextClient, WebClient

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
# A KGB request as the intake form takes it (its documents are separate fields: doc_<requirement>).
KGB_FORM = {"service": "kgb", "tmt_kgb_terakhir": "2024-04-01", "golongan": "Penata Muda, III/a"}


def pdf(name: str = "berkas.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(PDF), name


def case_id_of(response) -> int:
    """The case a response redirects to (/kasus/<id>), as after filing one."""
    return int(response.headers["Location"].rsplit("/", 1)[1])


def file_kgb_with_two_documents(web):
    """The person signed in to `web` files a KGB request through the form with two of its three required
    documents (sk-pangkat.pdf and skp-2025.pdf; the SK KGB is missing). Answers the 303 to the new case."""
    response = web.post_form("/kasus/baru/service_request", {
        **KGB_FORM, "doc_sk_pangkat_terakhir": pdf("sk-pangkat.pdf"), "doc_skp": pdf("skp-2025.pdf")})
    assert response.status_code == 303, text_of(response)[:1000]
    return response


def text_of(response) -> str:
    return response.get_data(as_text=True)


def version_on(html: str, trigger: str | None = None) -> str:
    """The case's version as the page's forms carry it, after checking that the page offers `trigger` (a
    button of the action panel, or the link to a step's confirmation page)."""
    if trigger is not None:
        assert re.search(rf'tindakan/{trigger}(/konfirmasi)?"', html), f"no {trigger!r} on the page"
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field on the page"
    return match.group(1)


def fresh_case(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def last_case() -> Case:
    """The case filed last. Not the highest id: an anonymous complaint's id is random (and negative), so
    the timeline's global event ids, which the pages never show, tell which case was opened last."""
    db.session.expire_all()
    case_id = db.session.scalar(select(CaseEvent.case_id).where(CaseEvent.kind == "created")
                                .order_by(CaseEvent.id.desc()).limit(1))
    return db.session.get(Case, case_id) if case_id is not None else None


def case_count() -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(Case.id)).all())


def fire(web, case_id: int, trigger: str, comment: str = "", **fields):
    """Post a trigger's form with the version the case page shows, as a person would."""
    page = text_of(web.get(f"/kasus/{case_id}"))
    data = {"version": version_on(page, trigger), "comment": comment, **fields}
    return web.post_form(f"/kasus/{case_id}/tindakan/{trigger}", data)


def open_browser(app, user=None) -> WebClient:
    """Another browser on `app` (each request in an app context of its own, as in production), signed in as
    `user` when one is given."""
    app.test_client_class = FreshContextClient
    web = WebClient(app.test_client())
    if user is not None:
        web.login(user)
    return web

