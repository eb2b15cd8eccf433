"""/standar-pelayanan: every service's published standard (PermenPANRB 15/2014), public and the same for
every reader. Its six components come from the declarations: the catalogue's fields, documents and output,
the workflow's steps and diagram, the SLA targets in force (an admin's policy included), and the complaint
channel's own times."""
from __future__ import annotations

import re

import pytest

from layani_flow import catalogue
from layani_flow.services import admin_settings, standards
from layani_flow.workflows import REGISTRY

from ..factories import CaseFactory, UserFactory
from .helpers import text_of

COMPONENTS = ["1. Persyaratan", "2. Sistem, mekanisme dan prosedur", "3. Jangka waktu pelayanan", "4. Biaya/tarif",
              "5. Produk pelayanan", "6. Penanganan pengaduan, saran dan masukan"]
DECLARED = {wf.standard.key: wf for wf in REGISTRY.values() if wf.standard is not None}


def main_of(html: str) -> str:
    """The page's own content (the header carries the signed-in person's name, the content never does)."""
    return html[html.index("<main"):html.index("</main>")]


def words_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html, flags=re.S)))


def _keys_on(html: str) -> list[str]:
    return re.findall(r'href="/standar-pelayanan/([a-z_]+)"', main_of(html))


def test_the_declarations_publish_every_service_once():
    keys = [s.key for s in standards.all_standards()]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(catalogue.SERVICES) | set(DECLARED)
    for s in standards.all_standards():
        assert s.topic in catalogue.TOPICS and s.output and s.summary, s.key
    assert sum(s.takes_complaints for s in standards.all_standards()) == 1  # one channel for every complaint


def test_signed_out_the_index_lists_every_service_with_the_maklumat(web):
    response = web.get("/standar-pelayanan")
    assert response.status_code == 200
    html = text_of(response)
    assert _keys_on(html) == [s.key for s in standards.all_standards()]
    assert "Maklumat Pelayanan" in html and standards.MAKLUMAT in html
    assert "Kepegawaian DKP" in html or "DKP Babel" in html


@pytest.mark.parametrize("key", [s.key for s in standards.all_standards()])
def test_signed_out_each_standard_shows_the_six_public_components_in_order(web, key):
    response = web.get(f"/standar-pelayanan/{key}")
    assert response.status_code == 200
    words = words_of(main_of(text_of(response)))
    positions = [words.index(c) for c in COMPONENTS]
    assert positions == sorted(positions)
    standard = standards.find_standard(key)
    assert standard.output in words and "Gratis / tidak dipungut biaya." in words
    for step in standard.workflow.steps:  # the procedure, in the declaration's order
        assert step.label in words
    labels = [words.index(f"{s.label} — oleh") for s in standard.workflow.steps]
    assert labels == sorted(labels)
    assert 'role="img"' in text_of(response)  # the diagram, drawn on the server


def test_a_service_shows_its_catalogue_fields_and_documents(web):
    words = words_of(main_of(text_of(web.get("/standar-pelayanan/pensiun"))))
    service = catalogue.SERVICES["pensiun"]
    for f in service.fields:
        assert f.label in words
    for d in service.required_documents:
        assert d.label in words
    assert "SK pensiun" in words


def test_the_procedure_is_the_one_a_case_of_that_service_lives(web):
    """A leave request waits on the superior first; a KGB request never does, so its page does not say so."""
    cuti = words_of(main_of(text_of(web.get("/standar-pelayanan/cuti"))))
    kgb = words_of(main_of(text_of(web.get("/standar-pelayanan/kgb"))))
    assert "Setujui sebagai atasan" in cuti and "Persetujuan atasan langsung: paling lambat 2 hari kerja" in cuti
    assert "Setujui sebagai atasan" not in kgb and "Persetujuan atasan" not in kgb
    assert "Menunggu persetujuan atasan" not in kgb


def test_the_time_is_the_sla_in_force_in_working_days_from_a_complete_file(web, office):
    assert "Penyelesaian: paling lambat 5 hari kerja sejak berkas lengkap diterima" in words_of(
        text_of(web.get("/standar-pelayanan/kgb")))
    assert "Penyelesaian: paling lambat 10 hari kerja sejak berkas lengkap" in words_of(
        text_of(web.get("/standar-pelayanan/pensiun")))
    admin_settings.save_policy(office.admin, case_type="service_request", clock_name="resolution", service="kgb",
                               target="7 hari kerja", warn_percent=75, escalate_every="1d")
    words = words_of(text_of(web.get("/standar-pelayanan/kgb")))
    assert "Penyelesaian: paling lambat 7 hari kerja sejak berkas lengkap diterima" in words
    assert "Penyelesaian: 7 hari kerja" in words_of(text_of(web.get("/standar-pelayanan?q=kgb")))
    # The complaint channel's own times, on every page (component 6), follow its policy too.
    admin_settings.save_policy(office.admin, case_type="complaint", clock_name="resolution", service=None,
                               target="3d", warn_percent=75, escalate_every="1d")
    words = words_of(text_of(web.get("/standar-pelayanan/kgb")))
    assert "Penyelesaian: paling lambat 3 hari kerja sejak pengaduan diterima" in words


def test_chat_promises_its_first_reply_in_working_minutes(web, app):
    words = words_of(text_of(web.get("/standar-pelayanan/chat")))
    minutes = int(app.config["CHAT_FIRST_RESPONSE"].rstrip("m"))
    assert f"Tanggapan pertama: paling lambat {minutes} menit kerja sejak diterima" in words


def test_the_pages_carry_no_personal_data_and_read_the_same_signed_in(web, login_as, office):
    CaseFactory(requester=office.employee, owner=office.officer, title="Cuti Pegawai Pemohon")
    admin_settings.save_policy(office.admin, case_type="service_request", clock_name="resolution", service="cuti",
                               target="3d", warn_percent=75, escalate_every="1d")
    people = [office.employee, office.officer, office.admin]  # (the head's factory name is the office's title)
    urls = ["/standar-pelayanan", "/standar-pelayanan/cuti", "/standar-pelayanan/pengaduan"]
    signed_out = {url: main_of(text_of(web.get(url))) for url in urls}
    for url, html in signed_out.items():
        for person in people:
            assert person.name not in html and person.nip not in html, url
        assert office.head.nip not in html
        assert "Cuti Pegawai Pemohon" not in html
    employee = login_as(office.employee)
    for url in urls:
        html = main_of(text_of(employee.get(url)))
        # Only the sign-in hints differ.
        strip = re.compile(r'<span class="hint">Anda diminta masuk[^<]*</span>| \(setelah masuk\)')
        assert strip.sub("", html) == strip.sub("", signed_out[url]), url


def test_the_index_filters_by_topic_and_by_words(web):
    assert _keys_on(text_of(web.get("/standar-pelayanan?topik=pensiun_mutasi"))) == ["pensiun", "mutasi"]
    assert set(_keys_on(text_of(web.get("/standar-pelayanan?topik=pengaduan")))) == {"pengaduan", "mediasi"}
    # Words are looked for in the name, summary, requirements, documents and output, in any case or accent.
    assert _keys_on(text_of(web.get("/standar-pelayanan?q=DPCP"))) == ["pensiun"]
    assert _keys_on(text_of(web.get("/standar-pelayanan?q=surat+pemberitahuan"))) == ["kgb"]
    assert _keys_on(text_of(web.get("/standar-pelayanan?q=P%C3%89NSIUN+bup"))) == ["pensiun"]  # "PÉNSIUN" folds
    assert _keys_on(text_of(web.get("/standar-pelayanan?q=ujian+dinas&topik=gaji_pangkat"))) == ["kenaikan_pangkat"]
    nothing = text_of(web.get("/standar-pelayanan?q=zzzz&topik=cuti"))
    assert _keys_on(nothing) == [] and "Tidak ada layanan yang cocok dengan “zzzz” pada topik Cuti" in nothing
    # An unknown topic is no filter (like /cari's unknown type): the whole list.
    everything = [s.key for s in standards.all_standards()]
    assert _keys_on(text_of(web.get("/standar-pelayanan?topik=%3Cscript%3E"))) == everything


def test_words_too_long_are_refused_with_a_message(web):
    response = web.get("/standar-pelayanan?q=" + "a" * 201)
    assert response.status_code == 400
    html = text_of(response)
    assert "Tulis paling banyak 200 huruf" in html and 'href="#standar-q"' in html and "Galat:" in html


def test_unknown_services_are_not_found_and_nothing_is_posted(web):
    assert web.get("/standar-pelayanan/tidak-ada").status_code == 404
    assert web.get("/standar-pelayanan/service_request").status_code == 404
    assert web.post_form("/standar-pelayanan").status_code == 405


def test_the_forms_footer_and_menu_link_to_the_standards(web, login_as, office):
    signed_out = text_of(web.get("/masuk"))
    assert signed_out.count('href="/standar-pelayanan"') == 2  # the menu and the footer
    assert 'href="/standar-pelayanan/pengaduan"' in text_of(web.get("/aduan-anonim"))
    employee = login_as(office.employee)
    assert 'href="/standar-pelayanan"' in text_of(employee.get("/"))
    assert 'href="/standar-pelayanan/kgb"' in text_of(employee.get("/kasus/baru/service_request?layanan=kgb"))
    catalogue_page = text_of(employee.get("/kasus/baru/service_request"))
    assert all(f'href="/standar-pelayanan/{key}"' in catalogue_page for key in catalogue.SERVICES)
    assert 'href="/standar-pelayanan/pengaduan"' in text_of(employee.get("/kasus/baru/complaint"))
    assert 'href="/standar-pelayanan/mediasi"' in text_of(employee.get("/kasus/baru/mediation"))
    assert 'href="/standar-pelayanan/konsultasi"' in text_of(employee.get("/konsultasi"))
    assert 'href="/standar-pelayanan/chat"' in text_of(employee.get("/chat"))


def test_each_page_applies_where_that_service_is_filed(web, login_as, office):
    html = text_of(web.get("/standar-pelayanan/kgb"))
    assert 'href="/kasus/baru/service_request?layanan=kgb"' in html and "Anda diminta masuk" in html
    assert 'href="/kasus/baru/complaint"' in html and 'href="/aduan-anonim"' in html  # component 6
    assert 'href="/konsultasi"' in text_of(web.get("/standar-pelayanan/konsultasi"))
    employee = login_as(office.employee)
    assert employee.get("/kasus/baru/service_request?layanan=kgb").status_code == 200


def test_a_standard_costs_the_same_queries_whatever_the_office_holds(web, office):
    from ..services.helpers import statements_to_get
    url = "/standar-pelayanan/kgb"
    few = statements_to_get(web, url)
    for _ in range(20):
        CaseFactory(requester=UserFactory())
    admin_settings.save_policy(office.admin, case_type="service_request", clock_name="resolution", service="kgb",
                               target="6d", warn_percent=75, escalate_every="1d")
    assert statements_to_get(web, url) == few
    assert statements_to_get(web, "/standar-pelayanan") <= few
