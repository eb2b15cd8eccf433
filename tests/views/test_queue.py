"""The desk's lists (queue, team) and the workflow pages."""
import datetime as dt
import re

import pytest

from tests.factories import START, CaseClockFactory, CaseFactory, UserFactory
from tests.services.helpers import statements_to_get

from .helpers import text_of


def _refs(html: str) -> list[str]:
    return re.findall(r'>((?:LYN|ADU|MED)-\d{4}-\d{5})</a>', html)


@pytest.mark.parametrize("role, status", [("employee", 403), ("officer", 200), ("supervisor", 200), ("admin", 200)])
def test_queue_is_for_the_desk(login_as, role, status):
    assert login_as(UserFactory(role=role)).get("/antrian").status_code == status


def test_queue_needs_login(web):
    assert web.get("/antrian").status_code == 302


def test_queue_defaults_to_unclaimed_oldest_first(login_as, office):
    old = CaseFactory(title="Lama", created_at=START - dt.timedelta(days=3))
    new = CaseFactory(title="Baru", created_at=START - dt.timedelta(hours=2))
    mine = CaseFactory(title="Punya saya", owner=office.officer, state="in_verification")
    done = CaseFactory(title="Selesai", state="completed")
    web = login_as(office.officer)
    html = text_of(web.get("/antrian"))
    assert _refs(html) == [old.ref, new.ref]
    assert "3 hari" in html and "2 jam" in html and "Belum ada petugas" in html
    assert _refs(text_of(web.get("/antrian?tampilan=saya"))) == [mine.ref]
    assert set(_refs(text_of(web.get("/antrian?tampilan=semua")))) == {old.ref, new.ref, mine.ref}
    # final states only when asked for by name
    assert _refs(text_of(web.get("/antrian?tampilan=semua&status=completed"))) == [done.ref]


def test_queue_filters_by_type_and_hides_what_the_viewer_may_not_see(login_as, office):
    request = CaseFactory()
    complaint = CaseFactory(case_type="complaint", title="Keluhan")
    about_me = CaseFactory(case_type="complaint", other_party=office.officer)  # a complaint about this officer
    mediation = CaseFactory(case_type="mediation", other_party=office.colleague, requester=office.employee)
    web = login_as(office.officer)
    assert _refs(text_of(web.get("/antrian?jenis=complaint"))) == [complaint.ref]
    refs = _refs(text_of(web.get("/antrian?tampilan=semua")))
    assert request.ref in refs and about_me.ref not in refs and mediation.ref not in refs
    assert mediation.ref in _refs(text_of(login_as(office.outsider).get("/antrian")))


def test_queue_paginates(login_as, office):
    cases = [CaseFactory(created_at=START - dt.timedelta(minutes=100 - i)) for i in range(27)]
    web = login_as(office.officer)
    first = text_of(web.get("/antrian"))
    assert _refs(first) == [c.ref for c in cases[:25]] and "Halaman 1 dari 2" in first
    assert _refs(text_of(web.get("/antrian?halaman=2"))) == [c.ref for c in cases[25:]]
    assert _refs(text_of(web.get("/antrian?halaman=abc"))) == [c.ref for c in cases[:25]]


@pytest.mark.parametrize("url", ["/antrian?tampilan=semua", "/tim", "/"])
def test_lists_cost_the_same_queries_for_3_or_30_cases(login_as, office, url):
    def add(n):
        for i in range(n):
            requester = UserFactory(superior=office.kabid) if i % 2 else office.employee
            case = CaseFactory(requester=requester, owner=office.officer if i % 3 else None,
                               case_type="complaint" if i % 4 == 0 else "service_request")
            # Clocks too: the lists show each case's nearest deadline and order by it.
            for name, hours in (("first_response", i - 5), ("resolution", 40 + i)):
                due = START + dt.timedelta(hours=hours)
                CaseClockFactory(case=case, name=name, due_at=due,
                                 stopped_at=START if name == "first_response" and i % 2 else None)

    web = login_as(office.head)  # the head sees the team view, the queue and their own (none)
    if url == "/":
        web = login_as(office.employee)
    add(3)
    few = statements_to_get(web, url)
    add(27)
    many = statements_to_get(web, url)
    assert few == many


def test_team_shows_subordinates_cases_open_first(login_as, office):
    closed = CaseFactory(requester=office.employee, state="completed", created_at=START)
    open_ = CaseFactory(requester=office.employee, created_at=START - dt.timedelta(days=1))
    stranger = CaseFactory()  # someone outside the supervisor's tree
    html = text_of(login_as(office.kabid).get("/tim"))
    assert _refs(html) == [open_.ref, closed.ref]
    assert stranger.ref not in html


@pytest.mark.parametrize("role, status", [("employee", 403), ("officer", 403), ("supervisor", 200), ("admin", 200)])
def test_team_is_for_supervisors_and_admins(login_as, role, status):
    assert login_as(UserFactory(role=role)).get("/tim").status_code == status


def test_navigation_by_role(login_as, office):
    html = text_of(login_as(office.officer).get("/"))
    assert 'href="/antrian"' in html and 'href="/alur"' in html and 'href="/tim"' not in html
    assert "Petugas layanan" in html
    html = text_of(login_as(office.kasubbag).get("/"))
    assert 'href="/tim"' in html and 'href="/antrian"' in html
    html = text_of(login_as(office.employee).get("/"))
    assert 'href="/antrian"' not in html and 'href="/alur"' not in html


def test_home_lists_own_cases_and_involved_mediations(login_as, office):
    own = CaseFactory(requester=office.colleague, title="Kasus sendiri")
    involved = CaseFactory(case_type="mediation", requester=office.employee, other_party=office.colleague,
                           is_other_party_involved=True, title="Mediasi")
    not_yet = CaseFactory(case_type="mediation", requester=office.employee, other_party=office.colleague,
                          title="Mediasi belum")
    html = text_of(login_as(office.colleague).get("/"))
    assert own.ref in html and involved.ref in html and not_yet.ref not in html


def test_workflow_pages(login_as, office, app):
    web = login_as(office.officer)
    html = text_of(web.get("/alur"))
    assert 'href="/alur/complaint"' in html
    html = text_of(web.get("/alur/service_request"))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img"' in html
    assert "Minta perbaikan berkas" in html and "Semua dokumen wajib harus sudah diverifikasi" in html
    assert web.get("/alur/unknown").status_code == 404
    assert login_as(office.employee).get("/alur").status_code == 403
