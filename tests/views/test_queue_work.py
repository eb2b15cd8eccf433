"""The queue as a work list: one line per case with the deadline as a chip in words, a state filter that
names its type, cases waiting on a superior kept out of the unclaimed view, bulk claim and assign with a
report per case, and a CSV export of the current view that a spreadsheet cannot be tricked by."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.services import cases as case_service

from ..factories import START, CaseClockFactory, CaseFactory, UserFactory
from ..services.helpers import statements_to_get
from .helpers import text_of


def _refs(html: str) -> list[str]:
    return re.findall(r'>((?:LYN|ADU|MED)-\d{4}-\d{5})</a>', html)


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _clock(case, hours_left: float, *, warn_hours_before: float = 2, paused=False):
    due = START + dt.timedelta(hours=hours_left)
    CaseClockFactory(case=case, name="resolution", due_at=due, warn_at=due - dt.timedelta(hours=warn_hours_before),
                     paused_at=START if paused else None)


def test_deadline_is_a_chip_in_words(login_as, office):
    late, risky, fine = (CaseFactory(title=t) for t in ("Lewat", "Hampir", "Aman"))
    _clock(late, -1)
    _clock(risky, 1)
    _clock(fine, 30)
    html = text_of(login_as(office.officer).get("/antrian"))
    chips = re.findall(r'class="due-chip due-([\w-]+)"[^>]*>([^<]+)<', html)
    assert chips == [("late", "Terlambat"), ("at-risk", "Hampir jatuh tempo"), ("on-time", "Tepat waktu")]
    assert 'class="ref-cell"' in html  # the reference's cell never wraps (app.css)


def test_cases_waiting_on_a_superior_are_not_unclaimed_work(login_as, office):
    waiting = CaseFactory(state="awaiting_superior", title="Cuti menunggu atasan")
    ready = CaseFactory(state="submitted")
    web = login_as(office.officer)
    assert _refs(text_of(web.get("/antrian"))) == [ready.ref]
    assert waiting.ref in _refs(text_of(web.get("/antrian?tampilan=semua")))


def test_the_state_filter_names_its_type(login_as, office):
    request = CaseFactory(state="submitted")
    complaint = CaseFactory(case_type="complaint", state="submitted")
    web = login_as(office.officer)
    html = text_of(web.get("/antrian?tampilan=semua"))
    values = re.findall(r'<option value="([\w:]+)"', html.split('id="status"', 1)[1].split("</select>", 1)[0])
    assert len(values) == len(set(values)) and "service_request:submitted" in values
    assert "Pengaduan: Diajukan" in html or "complaint:submitted" in values
    assert _refs(text_of(web.get("/antrian?tampilan=semua&status=complaint:submitted"))) == [complaint.ref]
    assert _refs(text_of(web.get("/antrian?tampilan=semua&status=service_request:submitted"))) == [request.ref]
    # A bare state (an old link) still filters; a made-up one is ignored, never a 500.
    assert set(_refs(text_of(web.get("/antrian?tampilan=semua&status=submitted")))) == {request.ref, complaint.ref}
    assert web.get("/antrian?status=complaint:terbang").status_code == 200
    assert web.get("/antrian?status=::").status_code == 200


# -- bulk ----------------------------------------------------------------------------------------------------

def _bulk(web, action, picked, **extra):
    return web.post_form("/antrian/massal", {"aksi": action, "kasus": [f"{c.id}:{c.version}" for c in picked],
                                             "tampilan": "belum_diklaim", **extra})


def _flashes(web) -> str:
    return re.sub(r"\s+", " ", " ".join(re.findall(r'class="flash flash-\w+">(.*?)</p>', text_of(web.get("/antrian")),
                                                    re.S)))


def test_bulk_claim_reports_each_case(login_as, office):
    a, b, c = (CaseFactory() for _ in range(3))
    web = login_as(office.officer)
    shown = {x.id: x.version for x in (a, b, c)}  # the versions the page showed
    case_service.claim_case(b.id, office.officer2, b.version)  # b is taken by someone else meanwhile
    response = web.post_form("/antrian/massal", {"aksi": "klaim", "tampilan": "belum_diklaim",
                                                 "kasus": [f"{i}:{v}" for i, v in shown.items()]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Case, x.id).owner_id for x in (a, b, c)] == [office.officer.id, office.officer2.id,
                                                                        office.officer.id]
    flashes = _flashes(web)
    assert f"2 kasus diklaim: {a.ref}, {c.ref}." in flashes
    assert f"{b.ref} tidak diklaim:" in flashes


def test_bulk_assign_by_the_desk_head_and_refusals(login_as, desk):
    a, b = CaseFactory(), CaseFactory(requester=desk.officer2)  # officer2 filed b: a party, never its handler
    hidden = CaseFactory(case_type="mediation", requester=desk.employee, other_party=desk.officer)
    web = login_as(desk.kasubbag)
    response = _bulk(web, "tugaskan", [a, b, hidden], assignee_nip=desk.officer2.nip)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, a.id).owner_id == desk.officer2.id
    assert db.session.get(Case, b.id).owner_id is None
    flashes = _flashes(web)
    assert f"1 kasus ditugaskan: {a.ref}." in flashes
    assert f"{b.ref} tidak ditugaskan: Pihak dalam kasus tidak dapat menanganinya." in flashes


@pytest.mark.parametrize("who", ["kabid", "head", "admin"])
def test_bulk_assign_to_anyone_off_the_desk_is_refused(login_as, desk, who):
    case = CaseFactory()
    web = login_as(desk.kasubbag)
    assert _bulk(web, "tugaskan", [case], assignee_nip=getattr(desk, who).nip).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).owner_id is None
    assert "Hanya petugas layanan atau kepala layanan kepegawaian yang dapat ditugaskan." in _flashes(web)


@pytest.mark.parametrize("data, field", [
    ({"aksi": "klaim"}, "Centang sedikitnya satu kasus"),
    ({"aksi": "klaim", "kasus": ["abc"]}, "Centang sedikitnya satu kasus"),
    ({"aksi": "hapus", "kasus": ["1:1"]}, "Pilih Klaim atau Tugaskan"),
    ({"aksi": "tugaskan", "kasus": ["1:1"]}, "Pilih petugas yang ditugaskan"),
])
def test_bulk_bad_input_is_422_in_words(login_as, office, data, field):
    CaseFactory()
    response = login_as(office.officer).post_form("/antrian/massal", data)
    assert response.status_code == 422 and field in text_of(response)


@pytest.mark.parametrize("role, status", [("employee", 403), ("officer", 302), ("supervisor", 302), ("admin", 302)])
def test_bulk_is_for_the_desk_roles_and_the_service_decides(login_as, role, status):
    case = CaseFactory()
    person = UserFactory(role=role)
    assert _bulk(login_as(person), "klaim", [case]).status_code == status
    db.session.expire_all()
    # A supervisor who is not the desk head and an admin see the queue, but claim nothing.
    assert db.session.get(Case, case.id).owner_id == (person.id if role == "officer" else None)


def test_bulk_needs_login_and_csrf(web, login_as, office):
    case = CaseFactory()
    assert web.post("/antrian/massal", data={"aksi": "klaim", "kasus": f"{case.id}:{case.version}"}).status_code in (
        302, 400)
    web = login_as(office.officer)
    assert web.get("/antrian/massal").status_code == 405
    assert web.client.post("/antrian/massal", data={"aksi": "klaim", "kasus": f"{case.id}:{case.version}"}
                           ).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(Case, case.id).owner_id is None


# -- CSV -----------------------------------------------------------------------------------------------------

def test_csv_is_the_current_view_with_every_page(login_as, office, app):
    app.config["PAGE_SIZE"] = 2
    cases = [CaseFactory(created_at=START - dt.timedelta(minutes=10 - i)) for i in range(5)]
    CaseFactory(case_type="complaint")  # filtered out below
    rows = _rows(login_as(office.officer).get("/antrian/ekspor.csv?tampilan=semua&jenis=service_request"))
    assert [r["Nomor"] for r in rows] == [c.ref for c in cases]  # all five, across pages, in queue order
    assert rows[0]["Status"] == "Diajukan" and rows[0]["Pemohon"] == cases[0].requester.name
    assert rows[0]["NIP pemohon"] == cases[0].requester.nip


def test_csv_cells_cannot_be_formulas(login_as, office):
    for title in ("=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "Biasa"):
        CaseFactory(title=title)
    rows = _rows(login_as(office.officer).get("/antrian/ekspor.csv"))
    titles = sorted(r["Judul"] for r in rows)
    assert titles == sorted(["'=HYPERLINK(\"http://x\")", "'+1+1", "'-2", "'@SUM(A1)", "Biasa"])


@pytest.mark.parametrize("role, status", [("employee", 403), ("officer", 200), ("supervisor", 200), ("admin", 200)])
def test_csv_is_for_the_desk_roles(login_as, role, status):
    assert login_as(UserFactory(role=role)).get("/antrian/ekspor.csv").status_code == status


def test_csv_hides_what_the_viewer_may_not_see(login_as, office):
    about_me = CaseFactory(case_type="complaint", other_party=office.officer)
    mediation = CaseFactory(case_type="mediation", other_party=office.colleague, requester=office.employee)
    mine = CaseFactory()
    refs = [r["Nomor"] for r in _rows(login_as(office.officer).get("/antrian/ekspor.csv?tampilan=semua"))]
    assert mine.ref in refs and about_me.ref not in refs and mediation.ref not in refs


# -- cost ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/antrian?tampilan=semua", "/antrian?tampilan=belum_diklaim",
                                 "/antrian/ekspor.csv?tampilan=semua"])
def test_queue_and_export_cost_the_same_for_1_or_50_cases(login_as, desk, app, url):
    app.config["PAGE_SIZE"] = 50

    def add(n):
        for i in range(n):
            case = CaseFactory(requester=UserFactory(superior=desk.kabid), owner=desk.officer if i % 3 else None,
                               case_type="complaint" if i % 4 == 0 else "service_request")
            _clock(case, i - 5)
            UserFactory(role="officer", superior=desk.kasubbag)  # more officers to assign to, too

    web = login_as(desk.kasubbag)  # the desk head: bulk controls with everyone's open-case counts
    add(1)
    few = statements_to_get(web, url)
    add(49)
    many = statements_to_get(web, url)
    assert few == many
