"""Arbitrary form data at every page that takes a form: never a 5xx, and a refusal writes nothing.

Each test signs in once (the public forms not at all); every example then posts, with a valid CSRF token,
fields drawn from the real form's field names plus random ones, holding any text (control characters, NUL,
right-to-left marks, emoji, 20,000 characters, nothing) or several values at once; uploads carry random bytes
under random names. "Writes nothing" means: the same number of rows in cases, case_events and case_documents,
and the same files in the upload folder.
"""
from __future__ import annotations

import io
import itertools
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from layani_flow import catalogue
from layani_flow.extensions import db
from layani_flow.forms import INTAKE_FORMS, TRIGGER_FORMS
from layani_flow.models import Case, CaseDocument, CaseEvent
from layani_flow.services import cases as case_service
from layani_flow.services import file_storage
from layani_flow.workflows import REGISTRY

from ..factories import PASSWORD, CaseDocumentFactory, CaseFactory, SlaNoticeFactory
from ..scenarios import escalation_token
from ..services.helpers import COMPLAINT, CUTI, KGB
from ..services.samples import ELF, HTML, JPEG, PDF, PNG

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture
def app_config(app_config):
    # Uploads larger than 4 KB are refused, so a "too big" file costs microseconds, not megabytes.
    return {**app_config, "MAX_UPLOAD_BYTES": 4096}


# -- values ----------------------------------------------------------------------------------------

WILD = st.one_of(
    st.text(max_size=30),  # any code point but surrogates (a browser cannot send those)
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=6),
    st.sampled_from(["", " ", "\x00", "\r\n", "0", "-1", "00", "1e999", "9" * 5000, "١٢", "²", "y", "on", "true",
                     "<script>alert(1)</script>", "'; DROP TABLE cases;--", "../../etc/passwd", "%00", "{{ 7*7 }}",
                     "2026-02-30", "2026-12-21", "20261221", "199001012015031001", "198501012010011001",
                     "kgb", "cuti", "pengaduan", "atasan", "tidak", "lainnya", "verified", "rejected", "bkn"]),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "😀", "\u202e", "\x00"]),
              st.sampled_from([201, 2001, 5001, 20_000])),
)
VALUES = WILD | st.lists(WILD, min_size=2, max_size=3)  # a field sent more than once
# What a number field may hold: Unicode digits ("١٢", "²": str.isdigit says yes, int() may not), huge numbers.
NUMBERISH = st.one_of(
    st.integers(-3, 10**30).map(str),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),
    st.sampled_from(["²", "9" * 5000, "1" * 19, "0", "-0", "+1", " 1", "1.0", "1e3", "0x10"]),
    WILD,
)


def _form_fields(form_class) -> set[str]:
    """A form's field names; never the CSRF token, which every example sends valid."""
    return {f.name for f in form_class(formdata=None, meta={"csrf": False})} - {"csrf_token"}


INTAKE_FIELDS = sorted(set().union(*(_form_fields(f) for f in INTAKE_FORMS.values()))
                       | {spec.name for service in catalogue.SERVICES.values() for spec in service.fields}
                       | {"service", "anonymous"})
TRIGGER_FIELDS = sorted(set().union(*(_form_fields(f) for f in TRIGGER_FORMS.values())))
TRIGGERS = sorted({s.trigger for wf in REGISTRY.values() for s in wf.steps})
DOC_FIELDS = sorted({f"doc_{d.key}" for s in catalogue.SERVICES.values() for d in s.documents})
REQUIREMENTS = sorted({d.key for s in catalogue.SERVICES.values() for d in s.documents})
CURRENT = "<the case's version>"
_cycles = itertools.count(1)
VERSIONS = st.sampled_from([CURRENT, CURRENT, CURRENT, "0", "1", "-1", "2"]) | NUMBERISH


class Person(str):
    """Someone of the office, by fixture name; their NIP is looked up in the test."""

    @property
    def name(self) -> str:
        return str(self)


def form_data(names, *, likely: list[dict] | None = None):
    """A form of real and made-up field names with wild values; or a valid form with one field spoiled."""
    names = list(names)
    arbitrary = st.dictionaries(st.sampled_from(names) | st.text(max_size=8), VALUES, max_size=8)
    if not likely:
        return arbitrary
    spoiled = st.builds(lambda base, key, value: {**base, key: value}, st.sampled_from(likely),
                        st.sampled_from(names), VALUES)
    return st.one_of(arbitrary, spoiled, st.sampled_from(likely))


CONTENTS = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda magic, tail: magic + tail, st.sampled_from([PDF, PNG, JPEG, b"%PDF-", b"\x89PNG\r\n\x1a\n",
                                                                b"\xff\xd8\xff"]), st.binary(max_size=64)),
    st.sampled_from([b"", PDF, PNG, JPEG, ELF, HTML, PDF * 60]),  # PDF * 60 is over the 4 KB limit
)
FILENAMES = st.one_of(
    st.text(max_size=40),
    st.builds(lambda stem, ext: stem + ext, st.text(max_size=20),
              st.sampled_from([".pdf", ".PDF", ".png", ".jpg", ".jpeg", ".exe", ".pdf.exe", ".html", ""])),
    st.sampled_from(["../../../etc/passwd.pdf", "..\\..\\win.ini.pdf", "/abs/path.pdf", "a\x00b.pdf",
                     "línea\nnueva.pdf", '"quoted".pdf', "x" * 300 + ".pdf", ".pdf", "😀.png"]),
)
FILES = st.tuples(CONTENTS, FILENAMES)
VALID_FILES = st.sampled_from([(PDF, "surat.pdf"), (PNG, "foto.png"), (JPEG, "scan.jpg")])


def with_files(data: dict, files: dict) -> dict:
    return {**data, **{name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()}}


# -- what is checked -------------------------------------------------------------------------------

def written() -> tuple:
    db.session.expire_all()
    rows = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Case, CaseEvent, CaseDocument))
    return rows + (sorted(file_storage.stored_names()),)


def check(response, before) -> None:
    event(f"HTTP {response.status_code}")
    response.close()  # the test client spools a large body to a temporary file, closed with the response
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert written() == before, f"a refused request ({response.status_code}) wrote something"


# -- set-up ----------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_rate_limit_in_the_way(app):
    """Every example comes from one address: let them all reach the form (the limit has its own tests)."""
    app.config["ANONYMOUS_LIMIT_PER_ADDRESS"] = "100000 per hour"


@pytest.fixture
def signed_in(web, office):
    def _as(user):
        web.login(user)
        return web

    return _as


@pytest.fixture
def targets(office):
    """Open cases the employee filed and the officer handles, one document each."""
    cases = [
        CaseFactory(requester=office.employee, owner=office.officer, state="in_verification"),
        CaseFactory(requester=office.employee, owner=office.officer, state="processing"),
        CaseFactory(case_type="complaint", service=None, requester=office.employee, owner=office.officer,
                    state="triaged"),
        CaseFactory(case_type="mediation", service=None, requester=office.employee, other_party=office.colleague,
                    owner=office.officer, state="mediator_assigned"),
    ]
    for case in cases:
        CaseDocumentFactory(case=case, uploaded_by_id=office.employee.id)
    return cases


def _version(case_id: int, drawn: str) -> str:
    if drawn != CURRENT:
        return drawn
    db.session.expire_all()
    return str(db.session.get(Case, case_id).version)


# -- intake ----------------------------------------------------------------------------------------

@FUZZ
@given(data=form_data(INTAKE_FIELDS + DOC_FIELDS, likely=[KGB, CUTI]),
       files=st.dictionaries(st.sampled_from(DOC_FIELDS), FILES, max_size=3),
       layanan=st.none() | st.sampled_from(sorted(catalogue.SERVICES)) | WILD)
def test_fuzz_service_request_intake(signed_in, office, data, files, layanan):
    web = signed_in(office.employee)
    url = "/kasus/baru/service_request" + (f"?layanan={quote(layanan, safe='')}" if layanan is not None else "")
    before = written()
    check(web.post_form(url, with_files(data, files)), before)


@FUZZ
@given(data=form_data(INTAKE_FIELDS, likely=[COMPLAINT, {**COMPLAINT, "anonymous": "y"}]))
def test_fuzz_complaint_intake(signed_in, office, data):
    web = signed_in(office.employee)
    before = written()
    check(web.post_form("/kasus/baru/complaint", data), before)


@FUZZ
@given(data=form_data(INTAKE_FIELDS, likely=[{"relation": "atasan", "subject": "Perbedaan penilaian SKP",
                                              "description": "Penilaian SKP turun tanpa dialog kinerja.",
                                              "discipline_concern": "tidak"}]),
       nip=st.sampled_from(["colleague", "employee", "kabid", None]))
def test_fuzz_mediation_intake(signed_in, office, data, nip):
    web = signed_in(office.employee)
    if nip is not None and "other_party_nip" not in data:
        data = {**data, "other_party_nip": getattr(office, nip).nip}
    before = written()
    check(web.post_form("/kasus/baru/mediation", data), before)


@FUZZ
@given(data=form_data(INTAKE_FIELDS, likely=[COMPLAINT]))
def test_fuzz_anonymous_complaint_without_an_account(web, office, data):
    before = written()
    check(web.post_form("/aduan-anonim", data), before)


# -- a case's page ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["employee", "officer"])
@FUZZ
@given(target=st.integers(0, 3), trigger=st.sampled_from(TRIGGERS) | WILD,
       version=VERSIONS, comment=WILD,
       data=form_data(TRIGGER_FIELDS + ["comment", "version", "mediator_nip", "external_body"]) | st.just({}))
def test_fuzz_transitions(signed_in, office, targets, who, target, trigger, version, comment, data):
    web = signed_in(getattr(office, who))
    case_id = targets[target].id
    payload = {"version": _version(case_id, version), "comment": comment or "Catatan uji.", **data}
    if not trigger.strip("."):  # "", "." and ".." would name another route, not a trigger
        trigger = f"x{trigger}"
    before = written()
    check(web.post_form(f"/kasus/{case_id}/tindakan/{quote(trigger, safe='')}", payload), before)


@pytest.mark.parametrize("who", ["employee", "officer"])
@FUZZ
@given(target=st.integers(0, 3), data=form_data(["body", "internal"]))
def test_fuzz_messages(signed_in, office, targets, who, target, data):
    web = signed_in(getattr(office, who))
    before = written()
    check(web.post_form(f"/kasus/{targets[target].id}/pesan", data), before)


@FUZZ
@given(target=st.integers(0, 3), version=VERSIONS,
       nip=st.sampled_from(["officer2", "kasubbag", "employee", "colleague", "officer"]).map(Person) | WILD,
       data=form_data(["assignee_nip", "version", "comment"]))
def test_fuzz_assign(signed_in, office, targets, target, version, nip, data):
    web = signed_in(office.officer)
    case_id = targets[target].id
    nip = getattr(office, nip.name).nip if isinstance(nip, Person) else nip
    payload = {"assignee_nip": nip, "version": _version(case_id, version), **data}
    before = written()
    check(web.post_form(f"/kasus/{case_id}/tugaskan", payload), before)
    before = written()
    check(web.post_form(f"/kasus/{case_id}/klaim", {"version": _version(case_id, version), **data}), before)


PLAUSIBLE_FILES = st.builds(lambda kind, stem: (kind[0], stem + kind[1]),
                            st.sampled_from([(PDF, ".pdf"), (PNG, ".png"), (JPEG, ".JPG")]), WILD)


@pytest.mark.parametrize("who", ["employee", "officer"])
@FUZZ
@given(target=st.integers(0, 3), plausible=st.booleans(), plausible_file=PLAUSIBLE_FILES,
       requirement=st.sampled_from(REQUIREMENTS) | WILD, file=st.none() | FILES | VALID_FILES,
       field=st.sampled_from(["file", "file", "berkas", "doc_skp"]), data=form_data(["requirement", "note"]))
def test_fuzz_uploads(signed_in, office, targets, who, target, plausible, plausible_file, requirement, file, field,
                      data):
    """Random bytes under random names; or, half the time, a real PDF/PNG/JPEG under a wild name."""
    web = signed_in(getattr(office, who))
    if plausible:
        payload = with_files({"requirement": "lainnya"}, {"file": plausible_file})
    else:
        payload = {"requirement": requirement, **data}
        if file is not None:
            payload = with_files(payload, {field: file})
    before = written()
    check(web.post_form(f"/kasus/{targets[target].id}/dokumen", payload, content_type="multipart/form-data"),
          before)


@FUZZ
@given(target=st.integers(0, 3), own_doc=st.booleans(), doc=st.integers(-1, 6) | st.just(2**63) | st.just(10**30),
       decision=st.sampled_from(["verified", "rejected"]) | WILD, note=VALUES,
       data=form_data(["decision", "note"]) | st.just({}))
def test_fuzz_document_review(signed_in, office, targets, target, own_doc, doc, decision, note, data):
    web = signed_in(office.officer)
    case = targets[target]
    doc_id = case.documents[0].id if own_doc else doc
    before = written()
    check(web.post_form(f"/kasus/{case.id}/dokumen/{doc_id}/periksa",
                        {"decision": decision, "note": note, **data}), before)


@FUZZ
@given(args=st.fixed_dictionaries({}, optional={
    "tampilan": st.sampled_from(["belum_diklaim", "saya", "semua"]) | WILD,
    "status": st.sampled_from(sorted({s for wf in REGISTRY.values() for s in wf.states})) | WILD,
    "jenis": st.sampled_from(sorted(REGISTRY)) | WILD,
    "halaman": NUMBERISH}), extra=form_data(["tampilan", "status", "jenis", "halaman"]))
def test_fuzz_queue_filters(signed_in, office, targets, args, extra):
    """The queue's filter form (a GET form) and the team list's paging."""
    web = signed_in(office.kasubbag)
    for url in ("/antrian", "/tim"):
        before = written()
        response = web.get(url, query_string={**extra, **args})
        check(response, before)
        assert response.status_code == 200


@FUZZ
@given(action=st.sampled_from(["ambil_alih", "alihkan", "perpanjang", "instruksi"]),
       forged=st.booleans(), forged_token=WILD,
       note=VALUES, days=st.just("") | st.integers(1, 30).map(str) | NUMBERISH, nip=st.sampled_from(["officer2", "kasubbag", "employee"]).map(Person) | WILD,
       data=form_data(["note", "assignee_nip", "days"]) | st.just({}))
def test_fuzz_email_action_form(web, office, targets, action, forged, forged_token, note, days, nip, data):
    """The confirmation form behind an escalation email's link: a fresh link per example, or a forged one."""
    notice = SlaNoticeFactory(case=targets[0], clock="resolution", cycle=next(_cycles), recipient=office.kasubbag)
    token = forged_token if forged else escalation_token(notice, action)
    nip = getattr(office, nip.name).nip if isinstance(nip, Person) else nip
    before = written()
    check(web.post_form(f"/email/aksi/{quote(token, safe='')}",
                        {"note": note, "days": days, "assignee_nip": nip, **data}), before)


# -- tracking and signing in -----------------------------------------------------------------------

@FUZZ
@given(real_code=st.booleans(), code=WILD, data=form_data(["code"]),
       trigger=st.sampled_from(TRIGGERS) | st.text(min_size=1, max_size=10).filter(lambda t: t.strip(".")),
       version=VERSIONS, body=VALUES)
def test_fuzz_tracking(web, office, real_code, code, data, trigger, version, body):
    """The code form, then (when the code opened a case) the filer's message and step forms."""
    tracking_code = case_service.new_tracking_code()
    case = CaseFactory(case_type="complaint", service=None, requester=None, is_anonymous=True, state="waiting_filer",
                       owner=office.officer, tracking_code_hash=case_service.hash_code(tracking_code))
    payload = {"code": tracking_code if real_code else code, **data}
    before = written()
    check(web.post_form("/lacak", payload), before)
    before = written()
    check(web.post_form("/lacak/pesan", {"body": body}), before)
    before = written()
    check(web.post_form(f"/lacak/tindakan/{quote(trigger, safe='')}",
                        {"version": _version(case.id, version), "comment": body}), before)
    web.post_form("/lacak/keluar")


@pytest.fixture
def cheap_dummy_hash(monkeypatch):
    """An unknown NIP is still checked against a dummy hash (equal timing), only a cheap one here."""
    from layani_flow.services import users

    from ..factories import PASSWORD_HASH

    monkeypatch.setattr(users, "_DUMMY_HASH", PASSWORD_HASH)


@FUZZ
@given(nip=st.sampled_from(["employee", "officer", "admin"]).map(Person) | WILD, password=st.just(PASSWORD) | WILD,
       data=form_data(["nip", "password", "next"]), next_url=st.none() | WILD)
def test_fuzz_login(web, office, cheap_dummy_hash, nip, password, data, next_url):
    nip = getattr(office, nip.name).nip if isinstance(nip, Person) else nip
    url = "/masuk" + (f"?next={quote(next_url, safe='')}" if next_url is not None else "")
    before = written()
    response = web.post_form(url, {"nip": nip, "password": password, **data})
    check(response, before)
    if response.status_code == 302:
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        web.logout()  # the next example starts signed out again
