"""Issue 8, forms: the other party of a mediation is chosen by name (a search, with a no-JavaScript
fallback), and a NIP still works."""
import pytest

from .helpers import case_count, last_case, text_of

MEDIATION = {"relation": "atasan", "subject": "Pembagian tugas",
             "description": "Tugas lapangan selalu diberikan kepada saya saja.", "discipline_concern": "tidak"}


def test_a_name_gives_a_list_then_the_choice_files_the_case(login_as, office):
    web = login_as(office.employee)
    before = case_count()
    response = web.post_form("/kasus/baru/mediation", {**MEDIATION, "other_party_nip": "kabid tang"})
    assert response.status_code == 422 and case_count() == before
    html = text_of(response)
    assert f'name="other_party_nip_pilihan" value="{office.kabid.id}"' in html
    assert "Kabid Tangkap" in html and office.kabid.nip not in html  # the NIP is masked
    assert f"•••••••• •••••• {office.kabid.nip[14]} {office.kabid.nip[15:]}" in html
    assert "Pembagian tugas" in html  # what was typed stays
    response = web.post_form("/kasus/baru/mediation", {**MEDIATION, "other_party_nip": "kabid tang",
                                                       "other_party_nip_pilihan": str(office.kabid.id)})
    assert response.status_code == 303, text_of(response)[:2000]
    assert last_case().other_party_id == office.kabid.id
    assert last_case().fields["other_party_nip"] == office.kabid.nip


def test_nobody_by_that_name(login_as, office):
    response = login_as(office.employee).post_form("/kasus/baru/mediation",
                                                   {**MEDIATION, "other_party_nip": "Tidak Ada Orangnya"})
    assert response.status_code == 422 and "Tidak ada pegawai aktif dengan nama itu" in text_of(response)


def test_the_filer_is_never_offered_nor_accepted(login_as, office):
    web = login_as(office.employee)
    assert "other_party_nip_pilihan" not in text_of(
        web.post_form("/kasus/baru/mediation", {**MEDIATION, "other_party_nip": "Pegawai Pemohon"}))
    response = web.post_form("/kasus/baru/mediation", {**MEDIATION, "other_party_nip": "Pegawai Pemohon",
                                                       "other_party_nip_pilihan": str(office.employee.id)})
    assert response.status_code == 422
    assert web.get("/kasus/baru/pihak?q=Pemohon").get_json() == {"items": []}


def test_a_nip_still_works(login_as, office):
    response = login_as(office.employee).post_form("/kasus/baru/mediation",
                                                   {**MEDIATION, "other_party_nip": office.kabid.nip})
    assert response.status_code == 303


def test_the_search_endpoint(login_as, office):
    web = login_as(office.employee)
    items = web.get("/kasus/baru/pihak?q=kabid").get_json()["items"]
    assert {i["name"] for i in items} == {"Kabid Tangkap", "Kabid Lain"}
    assert all(set(i) == {"id", "name", "unit", "nip"} and i["nip"].startswith("••••") for i in items)
    assert web.get("/kasus/baru/pihak?q=ka").get_json() == {"items": []}  # at least three letters
    assert web.get("/kasus/baru/pihak?q=%25%25%25").get_json() == {"items": []}  # wildcards are text


def test_no_nip_prefix_search(login_as, office):
    # A NIP starts with a birth date: a prefix search would read it out digit by digit.
    assert login_as(office.employee).get(f"/kasus/baru/pihak?q={office.kabid.nip[:6]}").get_json() == {"items": []}


def test_deactivated_people_are_not_found(login_as, office, db):
    office.outsider.is_active_account = False
    db.session.commit()
    items = login_as(office.employee).get("/kasus/baru/pihak?q=kabid").get_json()["items"]
    assert [i["name"] for i in items] == ["Kabid Tangkap"]


def test_the_search_needs_a_session(web):
    assert web.get("/kasus/baru/pihak?q=kabid").status_code == 302


def test_the_search_is_throttled(app, login_as, office, limiter_clock):
    web = login_as(office.employee)
    limit = int(app.config["PEOPLE_SEARCH_LIMIT"].split()[0])
    for _ in range(limit):
        assert web.get("/kasus/baru/pihak?q=kabid").status_code == 200
    assert web.get("/kasus/baru/pihak?q=kabid").status_code == 429
    # per person: someone else is not held back
    web.logout()
    assert login_as(office.colleague).get("/kasus/baru/pihak?q=kabid").status_code == 200


@pytest.mark.parametrize("choice", ["abc", "999999", ""])
def test_a_bad_choice_is_a_422_not_a_500(login_as, office, choice):
    response = login_as(office.employee).post_form("/kasus/baru/mediation", {
        **MEDIATION, "other_party_nip": "kabid", "other_party_nip_pilihan": choice})
    assert response.status_code == 422
