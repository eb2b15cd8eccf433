"""The search box, the results page (/cari), `q` on the queue and team pages and on GET /api/v1/cases."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.services import access, cases, search

from ..scenarios import build_cast
from ..services.helpers import COMPLAINT, CUTI, KGB, mediation_data, statements_to_get
from .helpers import text_of

REF = r"(?:LYN|ADU|MED)-\d{4}-[0-9A-Z]{5,6}"


def refs(html: str) -> list[str]:
    return re.findall(rf'>({REF})</a>', html)


def kgb(who, words: str = "Mohon segera diproses") -> Case:
    return cases.open_case("service_request", {**KGB, "keterangan": words}, who).case


def test_every_signed_in_page_has_the_search_box_and_anonymous_pages_do_not(login_as, web, office):
    assert 'role="search"' not in text_of(web.get("/masuk"))
    signed_in = login_as(office.employee)
    for url in ("/", "/kasus/baru", "/lacak"):
        html = text_of(signed_in.get(url))
        if url == "/lacak":  # an anonymous filer's page looks the same whoever is signed in
            assert 'action="/cari"' not in html
        else:
            assert '<label for="cari-kasus"' in html and 'action="/cari"' in html, url


def test_the_results_page_needs_signing_in(web):
    response = web.get("/cari?q=cuti")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_an_exact_reference_goes_straight_to_the_case_when_the_searcher_may_see_it(login_as, office):
    case = kgb(office.employee)
    response = login_as(office.officer).get(f"/cari?q={case.ref.lower()}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/kasus/{case.id}")
    html = text_of(login_as(office.colleague).get(f"/cari?q={case.ref}"))  # may not see it: no hint it exists
    assert "Tidak ada kasus yang cocok" in html and case.title not in html


def test_results_list_what_the_searcher_may_see_most_relevant_first(login_as, office):
    mine = kgb(office.employee, "berkas SK pangkat terakhir")
    theirs = kgb(office.colleague, "berkas SK pangkat terakhir juga")
    officer_html = text_of(login_as(office.officer).get("/cari?q=berkas pangkat"))
    assert set(refs(officer_html)) == {mine.ref, theirs.ref} and "2 kasus cocok" in officer_html
    assert refs(text_of(login_as(office.employee).get("/cari?q=berkas pangkat"))) == [mine.ref]
    assert refs(text_of(login_as(office.officer).get("/cari?q=berkas&jenis=complaint"))) == []


def test_a_nip_typed_as_printed_on_an_sk_finds_the_requesters_cases(login_as, office):
    case = kgb(office.employee)
    nip = office.employee.nip
    html = text_of(login_as(office.officer).get(f"/cari?q={nip[:8]}+{nip[8:14]}+{nip[14]}+{nip[15:]}"))
    assert refs(html) == [case.ref]


@pytest.mark.parametrize("typed, status, says", [
    ("", 200, "Ketik nomor kasus"),
    ('"*" - ( ) :', 200, "Ketik nomor kasus"),
    ('"*" NEAR', 200, "Tidak ada kasus yang cocok"),  # NEAR is only a word here
    ("x" * 201, 400, "terlalu panjang"),
    (" ".join(["kata"] * 11), 400, "Terlalu banyak kata"),
])
def test_what_cannot_be_searched_for_says_why(login_as, office, typed, status, says):
    response = login_as(office.officer).get("/cari", query_string={"q": typed})
    assert response.status_code == status and says in text_of(response)


def test_queue_and_team_narrow_by_words_and_keep_their_other_filters(login_as, office):
    pension = kgb(office.employee, "pensiun dini")
    other = kgb(office.colleague, "lembur malam")
    web = login_as(office.officer)
    assert refs(text_of(web.get("/antrian?q=pensiun"))) == [pension.ref]
    assert refs(text_of(web.get("/antrian?q=pensiun&jenis=complaint"))) == []
    assert set(refs(text_of(web.get("/antrian")))) == {pension.ref, other.ref}
    assert login_as(office.officer).get("/antrian?q=" + "x" * 300).status_code == 400
    lead = login_as(office.kabid)
    assert refs(text_of(lead.get("/tim?q=lembur"))) == [other.ref]
    assert "Terlalu banyak kata" in text_of(lead.get("/tim?q=" + "+".join(["a"] * 12)))


@pytest.mark.parametrize("url", ["/cari?q=segera", "/antrian?q=segera&tampilan=semua"])
def test_the_results_cost_the_same_queries_for_one_case_or_fifty(login_as, office, url):
    web = login_as(office.officer)
    kgb(office.employee)
    one = statements_to_get(web, url)
    for _ in range(49):
        kgb(office.employee)
    assert statements_to_get(web, url) == one


# -- who finds what: every person of the permission matrices' cast, every kind of case ---------------------


@pytest.fixture
def cast(app):
    people = build_cast()
    app.config["DESK_HEAD_NIP"] = people["head"].nip
    return people


# Each way the search may start (services.search._started): from few matches; from many, walking every case
# (who reads the desk) or the cases within reach read first as a list or left as a subquery.
PLANS = {"few matches": {}, "many matches": {"RANKED_UP_TO": 0},
         "many matches, reach as a subquery": {"RANKED_UP_TO": 0, "REACH_LISTED_UP_TO": 0}}


@pytest.mark.parametrize("plan", PLANS)
def test_nobody_ever_finds_a_case_they_may_not_see_nor_an_internal_note_they_may_not_read(cast, login_as, api, plan,
                                                                                         monkeypatch):
    """Every case carries the word "zamrud"; each has an internal note with "safir". For everyone, /cari finds
    exactly the cases access.can_view lets them see, and by the note's word only where they act for the desk;
    so do the queue, the team page and the API, whichever way the search starts."""
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(search, name, value)
    word = {"keterangan": "zamrud"}
    filed = [
        cases.open_case("service_request", {**KGB, **word}, cast["requester"]).case,
        cases.open_case("service_request", {**CUTI, "alasan": "zamrud"}, cast["colleague"]).case,
        cases.open_case("service_request", {**KGB, **word}, cast["desk_filer"]).case,
        cases.open_case("complaint", {**COMPLAINT, "description": "Ada masalah zamrud di loket.",
                                      "reported_nip": cast["party"].nip}, cast["requester"]).case,
        cases.open_case("complaint", {**COMPLAINT, "description": "Ada masalah zamrud di loket.", "anonymous": True},
                        cast["requester"], anonymous=True).case,
        cases.open_case("mediation", {**mediation_data(cast["party"]), "description": "Soal zamrud dan SKP."},
                        cast["requester"]).case,
    ]
    for case in filed:
        cases.add_message(case.id, cast["admin"], "safir", internal=True)
    filed = [db.session.get(Case, c.id) for c in filed]
    for name, person in cast.items():
        web = login_as(person)
        expected = {c.ref for c in filed if access.can_view(c, person)}
        assert set(refs(text_of(web.get("/cari?q=zamrud")))) == expected, name
        notes = {c.ref for c in filed if access.can_view(c, person) and access.acts_for_desk(c, person)}
        assert set(refs(text_of(web.get("/cari?q=safir")))) == notes, name
        listed = {case.ref for case in filed if case.id in {
            item["id"] for item in api(person).get("/api/v1/cases?q=zamrud&limit=100").get_json()["items"]}}
        assert listed == expected, name
        if person.role in ("officer", "supervisor", "admin"):
            queue = {c.ref for c in filed if access.can_view(c, person) and not access.is_party(c, person.id)}
            assert set(refs(text_of(web.get("/antrian?q=zamrud&tampilan=semua")))) == queue, name
        # …and by the anonymous filer's name, nobody finds the anonymous complaint
        assert filed[4].ref not in refs(text_of(web.get("/cari", query_string={"q": cast["requester"].name}))), name


# -- the API --------------------------------------------------------------------------------------------------


def test_api_q_combines_with_type_state_and_the_cursor(api, office, clock):
    made = []
    for i in range(5):
        clock.advance(minutes=1)
        made.append(kgb(office.employee, f"lembur nomor {i}"))
    complaint = cases.open_case("complaint", {**COMPLAINT, "description": "Uang lembur belum dibayar."},
                                office.employee).case
    officer = api(office.officer)
    body = officer.get("/api/v1/cases?q=lembur").get_json()
    assert [item["ref"] for item in body["items"]] == [complaint.ref] + [c.ref for c in reversed(made)]
    assert [i["ref"] for i in officer.get("/api/v1/cases?q=lembur&type=complaint").get_json()["items"]] == [
        complaint.ref]
    assert officer.get("/api/v1/cases?q=lembur&state=completed").get_json()["items"] == []
    first = officer.get("/api/v1/cases?q=lembur&type=service_request&limit=2").get_json()
    second = officer.get(f"/api/v1/cases?q=lembur&type=service_request&limit=2&cursor={first['next']}").get_json()
    assert [i["ref"] for i in first["items"] + second["items"]] == [c.ref for c in reversed(made)][:4]
    assert [i["ref"] for i in api(office.colleague).get("/api/v1/cases?q=lembur").get_json()["items"]] == []


@pytest.mark.parametrize("typed", ["x" * 201, "* - \"", " ".join(["a"] * 11)])
def test_api_q_that_cannot_be_searched_is_a_422_naming_q(api, office, typed):
    response = api(office.officer).get("/api/v1/cases", query_string={"q": typed})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid" and "q" in body["errors"]


FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NASTY = st.one_of(
    st.text(max_size=250),
    st.lists(st.sampled_from(['"', "*", "NEAR", "NEAR(", "-", "OR", "AND", "NOT", ":", "^", "(", ")", "{", "}",
                              "&", "|", "!", "'", "\\", "%", "_", "\x00", "19891203", "201403", "LYN-2026-00001",
                              "ADU-2026-", "zamrud", "😀", "\u202e"]), max_size=14).map(" ".join),
)


@pytest.fixture
def searcher(login_as, api, office):
    """The kasubbag (on the desk and a lead: /cari, /antrian and /tim all answer him), on the web and the API."""
    kgb(office.employee, "zamrud")
    return login_as(office.kasubbag), api(office.kasubbag)


@FUZZ
@given(typed=NASTY)
def test_fuzz_what_is_typed_never_breaks_a_page_or_the_api(searcher, typed):
    web, client = searcher
    for url in ("/cari", "/antrian", "/tim"):
        status = web.get(url, query_string={"q": typed}).status_code
        assert status in (200, 303, 400), (url, typed, status)
    assert client.get("/api/v1/cases", query_string={"q": typed}).status_code in (200, 422)


def test_beyond_the_counted_matches_the_page_asks_for_more_words(login_as, office, monkeypatch):
    for _ in range(3):
        kgb(office.employee, "mutasi")
    monkeypatch.setattr(search, "COUNTED_UP_TO", 2)
    monkeypatch.setattr(search, "RANKED_UP_TO", 1)
    html = text_of(login_as(office.officer).get("/cari?q=mutasi"))
    assert "Lebih dari 2 kasus cocok" in html and "Tambahkan kata" in html
    assert len(refs(html)) == 3


def test_many_matches_the_searcher_may_not_all_see_are_counted_exactly(login_as, office, monkeypatch):
    """The count starts from the first matches the index gives when they are all on the searcher's list; a
    mediation the officer may not see among them sends it back to counting the list itself."""
    monkeypatch.setattr(search, "COUNTED_UP_TO", 2)
    monkeypatch.setattr(search, "RANKED_UP_TO", 1)
    mediation = cases.open_case("mediation", {**mediation_data(office.colleague), "description": "Soal mutasi."},
                                office.employee).case
    filed = [kgb(office.employee, "mutasi"), kgb(office.colleague, "mutasi")]
    html = text_of(login_as(office.officer).get("/cari?q=mutasi"))
    assert "2 kasus cocok" in html and "Lebih dari" not in html
    assert set(refs(html)) == {c.ref for c in filed} and mediation.ref not in html
