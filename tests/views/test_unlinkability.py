"""Unlinkability, end to end: employee X does named things and, in the same hour, files an anonymous
complaint. Whether the complaint came before, between or after X's named actions, everything the desk can
see (the officer's, the desk head's and the admin's pages and API answers) is the same, but for the
complaint's random id and reference. So no id, number or instant in it orders the complaint among X's
actions beyond ANONYMOUS_TIME_GRANULARITY_MINUTES (docs/anonymity.md)."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.services import anonymity
from layani_flow.services import cases as case_service
from layani_flow.services.users import create_token
from layani_flow.views import presenters

from ..conftest import FreshContextClient, module_app
from ..factories import UserFactory
from ..timekit import wednesday
from .anonymous import file_anonymously, track
from .helpers import KGB_FORM, PDF, case_id_of, fire, open_browser, text_of, version_on

ANONYMOUS_AT = {"before": (9, 2, 7), "between": (9, 23, 41), "after": (9, 51, 19)}
COMPLAINT = {"category": "pengaduan", "subject": "Pungutan saat urus KGB",
             "description": "Diminta uang saat menyerahkan berkas di loket 2."}
NAMED_COMPLAINT = {"category": "masukan", "subject": "Ruang tunggu panas",
                   "description": "Pendingin ruangan di ruang tunggu rusak sejak Senin."}
CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")|(value=")[^"]*("\s+name="csrf_token")')


def _office():
    """The same people, with the same ids, NIPs and names, in every world."""
    head = UserFactory(nip="197001012000031001", name="Kepala Dinas", email="kadis@dkp.test", role="supervisor")
    kasubbag = UserFactory(nip="197501012001031002", name="Kasubbag Kepegawaian", email="kasubbag@dkp.test",
                           role="supervisor", superior=head)
    kabid = UserFactory(nip="197801012002031003", name="Kabid Tangkap", email="kabid@dkp.test", role="supervisor",
                        superior=head)
    return {
        "head": kasubbag,
        "officer": UserFactory(nip="198501012010011004", name="Petugas Satu", email="petugas@dkp.test",
                               role="officer", superior=kasubbag),
        "admin": UserFactory(nip="198801012012011005", name="Admin Sistem", email="admin@dkp.test", role="admin",
                             superior=kasubbag),
        "x": UserFactory(nip="199001012015031006", name="Pegawai X", email="x@dkp.test", superior=kabid),
    }


def _world(app, order: str) -> dict[str, str]:
    """Play the morning with the anonymous complaint filed `order` X's named actions; answer the desk's view."""
    app.test_client_class = FreshContextClient
    clock = app.extensions["clock"]
    people = _office()
    app.config["DESK_HEAD_NIP"] = people["head"].nip
    x = open_browser(app, people["x"])
    anonymous = {}

    def file_the_complaint():
        hour, minute, second = ANONYMOUS_AT[order]
        clock.set(wednesday(hour, minute, second))
        anonymous["code"] = file_anonymously(x, "/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"})
        db.session.expire_all()
        case = db.session.scalars(select(Case).where(Case.is_anonymous)).one()
        anonymous["id"], anonymous["ref"] = case.id, case.ref
        # …with evidence attached a minute later (still in the same hour in every world)
        clock.set(wednesday(hour, minute + 1, second))
        case_service.upload_documents(case.id, case_service.TrackedFiler(case.id),
                                      [case_service.documents.check_upload("file", "lainnya", "bukti.pdf", PDF)])

    if order == "before":
        file_the_complaint()
    clock.set(wednesday(9, 5, 10))
    kgb = x.post_form("/kasus/baru/service_request", {**KGB_FORM, "doc_sk_kgb_terakhir": (io.BytesIO(PDF), "sk.pdf")})
    named_request = case_id_of(kgb)
    if order == "between":
        file_the_complaint()
    clock.set(wednesday(9, 30, 55))
    complaint = x.post_form("/kasus/baru/complaint", NAMED_COMPLAINT)
    named_complaint = case_id_of(complaint)
    clock.set(wednesday(9, 40, 3))
    assert x.post_form(f"/kasus/{named_request}/pesan", {"body": "Mohon segera."}).status_code == 302
    if order == "after":
        file_the_complaint()

    # The desk works all three; the filer answers through /lacak.
    clock.set(wednesday(10, 12, 30))
    desk = open_browser(app, people["officer"])  # signed in now: a session idle since the morning has ended
    assert fire(desk, anonymous["id"], "triage").status_code == 302
    assert fire(desk, named_request, "start_verification").status_code == 302
    assert fire(desk, named_complaint, "triage").status_code == 302
    clock.set(wednesday(10, 20, 0))
    assert fire(desk, anonymous["id"], "ask_filer", "Kapan tepatnya?").status_code == 302
    tracker = open_browser(app)
    clock.set(wednesday(10, 47, 13))
    track(tracker, anonymous["code"])
    page = text_of(tracker.get("/lacak/kasus"))
    assert tracker.post_form("/lacak/pesan", {"body": "Senin pagi."}).status_code == 302
    assert tracker.post_form("/lacak/tindakan/filer_replied", {
        "version": version_on(page, "filer_replied"), "comment": "Ada saksi."}).status_code == 302

    # What the desk sees, an hour later.
    clock.set(wednesday(11, 30, 0))
    cases = (anonymous["id"], named_request, named_complaint)
    views = {}
    for role in ("officer", "head", "admin"):
        web = open_browser(app, people[role])
        api = app.test_client()
        headers = {"Authorization": f"Bearer {create_token(people[role].nip)}"}
        pages = ["/", "/antrian?tampilan=semua", "/antrian?tampilan=belum_diklaim", "/antrian?tampilan=saya",
                 "/antrian?jenis=complaint", "/tim", *(f"/kasus/{c}" for c in cases)]
        for url in pages:
            response = web.get(url)
            views[f"{role} {url}"] = f"{response.status_code}\n{text_of(response)}"
        cursor, page_number = None, 0
        while True:  # two to a page: the cursors are part of what the desk sees
            r = api.get("/api/v1/cases", headers=headers, query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
            views[f"{role} api list page {page_number}"] = text_of(r)
            cursor, page_number = r.get_json()["next"], page_number + 1
            if cursor is None:
                break
        for c in cases:
            views[f"{role} api case {c}"] = text_of(api.get(f"/api/v1/cases/{c}", headers=headers))
    return {_normalized(key, anonymous): _normalized(value, anonymous) for key, value in views.items()}


def _normalized(text: str, anonymous: dict) -> str:
    """Without what is random by design: the complaint's id and reference, and each form's CSRF token."""
    key = "ANON"
    text = text.replace(anonymous["ref"], "ADU-…").replace(str(anonymous["id"]), key).replace(
        f"/kasus/{key}", "/kasus/ANON")
    return CSRF.sub(lambda m: (m.group(1) or m.group(3)) + "…" + (m.group(2) or m.group(4)), text)


def test_the_desk_cannot_tell_where_an_anonymous_complaint_stands_among_its_filers_actions(
        database_template, tmp_path_factory):
    worlds = {}
    for order in ANONYMOUS_AT:
        with module_app(database_template, tmp_path_factory.mktemp(f"world-{order}")) as app:
            worlds[order] = _world(app, order)
            ids = db.session.scalars(select(Case.id).order_by(Case.id)).all()
            assert ids[0] < 0 and ids[1:] == [1, 2]  # X's named cases: no gap where the complaint was filed
    before, between, after = worlds["before"], worlds["between"], worlds["after"]
    assert set(before) == set(between) == set(after)
    for key in before:
        assert before[key] == between[key] == after[key], key
    # The view was worth comparing: the desk does see the complaint, its filer's named cases, and X's name.
    officer_queue = before["officer /antrian?tampilan=semua"]
    assert "ADU-…" in officer_queue and "Pegawai X" in officer_queue
    assert "Pelapor anonim" in before["officer /kasus/ANON"]


def _disable_anonymous_ids(monkeypatch):
    monkeypatch.setattr(anonymity, "new_case_id", lambda: None)  # the sequence's next number instead


def _disable_coarse_times(monkeypatch):
    monkeypatch.setattr(anonymity, "filer_instant", lambda now, earlier=(): max([now, *earlier]))


def _disable_event_numbers(monkeypatch):
    monkeypatch.setattr(presenters, "numbered_events",
                        lambda case, viewer: [(e.id, e) for e in presenters.visible_events(case, viewer)])


def _disable_document_numbers(monkeypatch):
    original = presenters.document_dict
    monkeypatch.setattr(presenters, "document_dict", lambda case, doc, number: original(case, doc, doc.id))


@pytest.mark.parametrize("disable", [_disable_anonymous_ids, _disable_coarse_times, _disable_event_numbers,
                                     _disable_document_numbers])
def test_each_control_is_needed(database_template, tmp_path_factory, monkeypatch, disable):
    """The comparison above is not vacuous: without any one of the controls, the desk's view tells a
    complaint filed before X's named actions from one filed between them."""
    disable(monkeypatch)
    worlds = []
    for order in ("before", "between"):
        with module_app(database_template, tmp_path_factory.mktemp(f"world-{order}")) as app:
            worlds.append(_world(app, order))
    assert worlds[0] != worlds[1]
