"""services.search: each way of finding a case, within what the searcher may see, on either database."""
from __future__ import annotations

import pytest

from layani_flow.extensions import db
from layani_flow.models import Case, CaseSearchText
from layani_flow.services import access, cases, search
from layani_flow.services.errors import InvalidInput

from .helpers import COMPLAINT, CUTI, KGB, mediation_data


def found(actor, text, **filters) -> list[int]:
    return [c.id for c in search.search_cases(actor, search.parse(text), **filters).items]


def printed(nip: str) -> str:
    """A NIP as an SK prints it: 19891203 201403 1 002."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


@pytest.fixture
def filed(desk):
    """A KGB request, a cuti and a named complaint by the employee; an anonymous complaint; a mediation."""
    office = desk
    kgb = cases.open_case("service_request", {**KGB, "keterangan": "Mohon diproses sebelum Januari."},
                          office.employee).case
    cuti = cases.open_case("service_request", CUTI, office.colleague).case
    complaint = cases.open_case("complaint", {**COMPLAINT, "reported_nip": office.officer2.nip},
                                office.employee).case
    anonymous = cases.open_case("complaint", {**COMPLAINT, "subject": "Pungutan liar di loket",
                                              "description": "Ada pungutan liar saat mengurus berkas kenaikan pangkat.",
                                              "anonymous": True}, office.employee, anonymous=True).case
    mediation = cases.open_case("mediation", mediation_data(office.kabid), office.colleague).case
    return {"kgb": kgb.id, "cuti": cuti.id, "complaint": complaint.id, "anonymous": anonymous.id,
            "mediation": mediation.id}


def test_every_case_filed_through_the_services_has_its_search_row(filed):
    for case_id in filed.values():
        row = db.session.get(CaseSearchText, case_id)
        assert row is not None and row.body


def test_by_words_of_the_text_and_by_prefix_as_people_type(desk, filed):
    assert found(desk.officer, "sebelum januari") == [filed["kgb"]]
    assert found(desk.officer, "januar") == [filed["kgb"]]  # the last word is a prefix
    assert found(desk.officer, "Belitung") == [filed["cuti"]]
    assert set(found(desk.officer, "lambat")) == {filed["complaint"]}
    assert found(desk.officer, "januari belitung") == []  # every word must match


def test_accents_and_case_do_not_matter(desk, filed):
    assert found(desk.officer, "BÉLITUNG") == [filed["cuti"]]


def test_by_reference_whole_or_in_part(desk, filed):
    case = db.session.get(Case, filed["kgb"])
    assert found(desk.officer, case.ref) == [case.id]
    assert case.id in found(desk.officer, case.ref.rsplit("-", 1)[1])
    anonymous = db.session.get(Case, filed["anonymous"])
    assert found(desk.officer, anonymous.ref) == [anonymous.id]
    assert found(desk.officer, anonymous.ref.lower()) == [anonymous.id]


def test_an_exact_reference_names_the_case_only_for_who_may_see_it(desk, filed):
    case = db.session.get(Case, filed["kgb"])
    assert search.find_by_reference(desk.officer, search.parse(case.ref)).id == case.id
    assert search.find_by_reference(desk.employee, search.parse(case.ref.lower())).id == case.id
    assert search.find_by_reference(desk.colleague, search.parse(case.ref)) is None
    wrong_prefix = case.ref.replace("LYN", "ADU")
    assert search.find_by_reference(desk.officer, search.parse(wrong_prefix)) is None
    anonymous = db.session.get(Case, filed["anonymous"])
    assert search.find_by_reference(desk.officer, search.parse(anonymous.ref)).id == anonymous.id
    assert search.find_by_reference(desk.officer, search.parse("words only")) is None


def test_by_the_requesters_name_and_by_nip_typed_whole_printed_or_begun(desk, filed):
    employee = desk.employee
    assert set(found(desk.officer, employee.name)) == {filed["kgb"], filed["complaint"]}
    assert set(found(desk.officer, employee.nip)) == {filed["kgb"], filed["complaint"]}
    assert set(found(desk.officer, printed(employee.nip))) == {filed["kgb"], filed["complaint"]}
    assert set(found(desk.officer, printed(employee.nip)[:15])) >= {filed["kgb"], filed["complaint"]}


def test_filters_combine_with_the_words(desk, filed):
    assert found(desk.officer, desk.employee.name, case_type="complaint") == [filed["complaint"]]
    assert found(desk.officer, desk.employee.name, state="closed") == []


def test_an_employee_finds_only_their_own_cases(desk, filed):
    assert set(found(desk.employee, "pegawai")) == {filed["kgb"], filed["complaint"]}
    assert found(desk.colleague, "januari") == []
    assert found(desk.employee, "Belitung") == []


def test_the_requesters_superior_finds_what_they_may_read(desk, filed):
    """The kabid reads his subordinates' service requests, not the complaint nor (as its other party, not yet
    brought in) the mediation."""
    assert set(found(desk.kabid, desk.employee.name)) == {filed["kgb"]}
    assert found(desk.kabid, "SKP") == []


def test_the_nip_and_whom_a_complaint_is_about_are_for_the_desk_only(desk, filed):
    assert found(desk.employee, desk.employee.nip) == []  # the NIP is staff text: not even on one's own case
    assert filed["complaint"] in found(desk.officer, desk.officer2.nip)
    assert filed["complaint"] in found(desk.officer, desk.officer2.name)
    assert filed["complaint"] not in found(desk.employee, desk.officer2.name)


def test_an_anonymous_complaint_is_never_found_by_its_filers_name_or_nip(desk, filed):
    for who in (desk.officer, desk.kasubbag, desk.admin, desk.employee):
        for typed in (desk.employee.name, desk.employee.nip, printed(desk.employee.nip), desk.employee.email):
            assert filed["anonymous"] not in found(who, typed), (who.name, typed)
    assert found(desk.officer, "pungutan liar") == [filed["anonymous"]]
    assert found(desk.employee, "pungutan liar") == []  # the filer follows it by its code, not by search
    row = db.session.get(CaseSearchText, filed["anonymous"])
    for trace in (desk.employee.name.lower(), desk.employee.nip, desk.employee.email):
        assert trace not in f"{row.body} {row.staff_body}"


def test_internal_notes_are_found_only_by_the_desk(desk, filed):
    cases.add_message(filed["kgb"], desk.officer, "Sudah dicek ke BKN lewat telepon", internal=True)
    cases.add_message(filed["kgb"], desk.employee, "Terima kasih atas bantuannya")
    assert found(desk.officer, "dicek BKN") == [filed["kgb"]]
    assert found(desk.kasubbag, "dicek BKN") == [filed["kgb"]]
    assert found(desk.employee, "dicek BKN") == []
    # The kabid is a supervisor: the case page shows him internal notes too (access.acts_for_desk).
    assert found(desk.kabid, "dicek BKN") == [filed["kgb"]]
    assert found(desk.employee, "bantuannya") == [filed["kgb"]]
    assert found(desk.kabid, "bantuannya") == [filed["kgb"]]


def test_desk_staff_who_are_a_party_do_not_find_their_case_by_its_internal_notes(desk):
    own = cases.open_case("service_request", {**KGB, "keterangan": "Untuk petugas sendiri."}, desk.officer2).case
    cases.add_message(own.id, desk.officer, "Catatan rahasia tentang pemohon", internal=True)
    assert found(desk.officer, "rahasia pemohon") == [own.id]
    assert found(desk.officer2, "rahasia pemohon") == []
    assert found(desk.officer2, "petugas sendiri") == [own.id]


def test_a_name_change_reaches_the_index(desk, filed):
    desk.employee.name = "Siti Rahmawati"
    search.reindex_people([desk.employee.id])
    db.session.commit()
    assert set(found(desk.officer, "rahmawati")) == {filed["kgb"], filed["complaint"]}
    assert found(desk.officer, "Pegawai Pemohon") == []


def test_relevance_first_then_newest(desk, clock):
    older = cases.open_case("service_request", {**KGB, "keterangan": "gaji"}, desk.employee).case
    clock.advance(hours=1)
    many = cases.open_case("service_request", {**KGB, "keterangan": "gaji gaji gaji berkala gaji"},
                           desk.employee).case
    clock.advance(hours=1)
    newer = cases.open_case("service_request", {**KGB, "keterangan": "gaji"}, desk.employee).case
    assert found(desk.officer, "gaji") == [many.id, newer.id, older.id]


@pytest.mark.parametrize("typed", ['"', '*', 'NEAR', 'NEAR(a b)', '-', '- - -', 'a OR b', 'a AND NOT b', '"unclosed',
                                   'col:word', 'body : x', '^start', '(((', ')', '{a b}', "'; DROP TABLE cases; --",
                                   '😀', 'a & b | !c', 'x:*', '\\', '%_%', '\x00', 'ǅ', '١٩٨٩'])
def test_what_people_type_is_never_an_operator(desk, filed, typed):
    query = search.parse(typed)
    search.search_cases(desk.officer, query)  # answers, whatever it finds
    assert db.session.scalars(
        db.select(Case.id).where(access.visible_cases(desk.officer), search.matching(query, desk.officer))
    ).all() is not None


def test_only_punctuation_is_an_empty_query(desk, filed):
    assert search.parse(" -*\" ").empty
    assert search.search_cases(desk.officer, search.parse("-*")).total == 0


def test_too_long_or_too_many_words_is_refused_with_the_field_named():
    with pytest.raises(InvalidInput) as too_long:
        search.parse("a" * 201)
    assert "q" in too_long.value.errors
    with pytest.raises(InvalidInput):
        search.parse(" ".join(["kata"] * 11))


def test_a_reference_with_another_year_or_prefix_names_no_case(desk, filed):
    case = db.session.get(Case, filed["kgb"])
    prefix, year, number = case.ref.split("-")
    assert search.find_by_reference(desk.officer, search.parse(f"{prefix}-{year}-{int(number)}")).id == case.id
    assert search.find_by_reference(desk.officer, search.parse(f"{prefix}-{int(year) - 1}-{number}")) is None
    assert search.find_by_reference(desk.officer, search.parse(f"MED-{year}-{number}")) is None
