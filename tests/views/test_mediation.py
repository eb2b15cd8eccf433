"""A mediation through its page: confidential, and no party ever mediates it."""
import pytest

from .helpers import case_id_of, fire, fresh_case, text_of

MEDIATION = {"relation": "atasan", "subject": "Pembagian tugas lapangan",
             "description": "Tugas lapangan selalu diberikan kepada saya saja.", "discipline_concern": "tidak"}


@pytest.fixture
def mediation_id(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/mediation", {**MEDIATION, "other_party_nip": office.kabid.nip})
    assert response.status_code == 303
    return case_id_of(response)


def test_mediator_brings_in_the_other_party(web, office, mediation_id):
    web.login(office.outsider)  # an uninvolved supervisor
    html = text_of(web.get(f"/kasus/{mediation_id}"))
    assert 'id="assign_mediator-mediator_nip"' in html and "Klaim kasus" not in html
    response = fire(web, mediation_id, "assign_mediator", mediator_nip=office.officer.nip)
    assert response.status_code == 302, text_of(response)[:1500]
    web.logout()

    web.login(office.officer)
    assert fire(web, mediation_id, "bring_in_other_party", "Pertemuan Senin 09.00 di ruang rapat.").status_code == 302
    web.logout()

    web.login(office.kabid)
    html = text_of(web.get(f"/kasus/{mediation_id}"))
    assert "Mediasi berlangsung" in html and "sudah dilibatkan" in html
    assert "Mediator: Petugas Satu." in html
    assert "/tindakan/" not in html  # the other party reads, the mediator acts


def test_a_party_cannot_be_the_mediator(login_as, office, mediation_id):
    web = login_as(office.head)
    response = fire(web, mediation_id, "assign_mediator", mediator_nip=office.kabid.nip)
    assert response.status_code == 409
    assert "tidak boleh menjadi mediator" in text_of(response)
    assert fresh_case(mediation_id).owner_id is None


def test_a_bad_mediator_nip_keeps_the_form(login_as, office, mediation_id):
    web = login_as(office.head)
    response = fire(web, mediation_id, "assign_mediator", mediator_nip="123")
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="assign_mediator-mediator_nip-error"' in html and 'value="123"' in html


def test_mediation_is_hidden_from_the_desk_and_from_colleagues(login_as, office, mediation_id):
    assert login_as(office.officer).get(f"/kasus/{mediation_id}").status_code == 404
    assert login_as(office.colleague).get(f"/kasus/{mediation_id}").status_code == 404
