"""Issue 8, forms: a NIP as printed on an SK, the error summary that names and links each field, and the
leave rules (no start in the past, end after start, its length in working days) on the page and the API."""
import datetime as dt
import re

import pytest

from layani_flow.leave import END_BEFORE_START, PAST_START, leave_problems
from layani_flow.nip import nip_problem, normalize_nip

from .helpers import case_count, last_case, text_of


def as_printed(nip: str, sep: str = " ") -> str:
    """"19891203 201403 1 002": how an SK prints a NIP."""
    return sep.join((nip[:8], nip[8:14], nip[14], nip[15:]))


# -- NIP --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["19891203 201403 1 002", "19891203.201403.1.002", "19891203-201403-1-002",
                                   " 19891203\u00a0201403\u00a01\u00a0002 ", "19891203 – 201403 – 1 – 002"])
def test_a_nip_as_printed_is_the_nip(typed):
    assert normalize_nip(typed) == "198912032014031002"
    assert nip_problem(typed) is None


@pytest.mark.parametrize("typed", ["19891203 201403 1 00", "1989120x201403 1 002", "19891203/201403/1/002"])
def test_other_characters_still_make_a_bad_nip(typed):
    assert nip_problem(typed) is not None


@pytest.mark.parametrize("sep", [" ", ".", "-"])
def test_sign_in_with_the_nip_as_printed(web, office, sep):
    response = web.post_form("/masuk", {"nip": as_printed(office.employee.nip, sep), "password": "rahasia123"})
    assert response.status_code in (302, 303), text_of(response)[:500]


def test_the_login_throttle_counts_a_nip_however_it_is_spaced(web, office, app, limiter_clock):
    limit = int(str(app.config["LOGIN_LIMIT_PER_NIP"]).split()[0].split("/")[0])
    nip = office.employee.nip
    variants = [nip, as_printed(nip), as_printed(nip, "."), as_printed(nip, "-")]
    for n in range(limit):
        web.post_form("/masuk", {"nip": variants[n % len(variants)], "password": "salah-sekali"})
    # The right password is refused now, whichever way the NIP is written: one allowance per person.
    response = web.post_form("/masuk", {"nip": as_printed(nip), "password": "rahasia123"})
    assert response.status_code == 429


def test_mediation_names_the_other_party_by_nip_as_printed(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/mediation", {
        "other_party_nip": as_printed(office.kabid.nip), "relation": "atasan", "subject": "Pembagian tugas",
        "description": "Tugas lapangan selalu diberikan kepada saya saja.", "discipline_concern": "tidak"})
    assert response.status_code == 303, text_of(response)[:2000]
    case = last_case()
    assert case.other_party_id == office.kabid.id and case.fields["other_party_nip"] == office.kabid.nip


def test_the_api_takes_a_nip_as_printed(api, office):
    r = api(office.employee).post("/api/v1/cases", json={"type": "complaint", "fields": {
        "category": "pengaduan", "subject": "Absensi ganda", "description": "Presensi saya tercatat dua kali.",
        "reported_nip": as_printed(office.colleague.nip, ".")}})
    assert r.status_code == 201, r.get_json()
    assert last_case().fields["reported_nip"] == office.colleague.nip


def test_cli_creates_a_user_from_a_nip_as_printed(runner, db):
    result = runner.invoke(args=["layani", "users", "create", "--nip", "19900101 201501 1 003", "--name", "Baru",
                                 "--email", "baru@dkp.babelprov.go.id", "--role", "employee",
                                 "--password", "kata sandi panjang sekali"])
    assert result.exit_code == 0, result.output
    assert "199001012015011003" in result.output


# -- the error summary -------------------------------------------------------------------------------

def test_error_summary_names_each_field_and_links_to_it(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/complaint", {"category": "masukan", "subject": "", "description": "x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('class="error-summary"'):html.index("</div>", html.index('class="error-summary"'))]
    assert "Ada masalah" in summary
    assert re.search(r'<a href="#subject">Judul singkat: [^<]+</a>', summary)
    assert re.search(r'<a href="#description">Uraian: [^<]+</a>', summary)
    assert 'id="subject"' in html and 'id="description"' in html  # the links land on the fields
    assert "<title>Galat: " in html


def test_login_errors_are_summarised_and_the_title_says_so(web):
    html = text_of(web.post_form("/masuk", {"nip": "", "password": ""}))
    assert "<title>Galat: " in html and '<a href="#nip">NIP: Masukkan NIP Anda.</a>' in html


def test_a_page_without_problems_has_no_galat_title(login_as, office):
    assert "<title>Galat" not in text_of(login_as(office.employee).get("/kasus/baru/complaint"))


# -- leave (cuti) ------------------------------------------------------------------------------------

LEAVE = {"service": "cuti", "jenis_cuti": "tahunan", "alamat_selama_cuti": "Pangkalpinang",
         "alasan": "Urusan keluarga"}


def test_leave_rules_are_pure_functions_of_today():
    today = dt.date(2026, 11, 25)
    assert leave_problems({"jenis_cuti": "tahunan", "tanggal_mulai": "2026-11-24"}, today) == {
        "tanggal_mulai": [PAST_START]}
    assert leave_problems({"jenis_cuti": "tahunan", "tanggal_mulai": "2026-11-25"}, today) == {}
    assert leave_problems({"jenis_cuti": "sakit", "tanggal_mulai": "2026-11-20", "alasan": "Demam"}, today) == {}
    assert "alasan" in leave_problems({"jenis_cuti": "sakit", "tanggal_mulai": "2026-11-20", "alasan": " "}, today)
    assert leave_problems({"tanggal_mulai": "2026-12-02", "tanggal_selesai": "2026-12-01"}, today) == {
        "tanggal_selesai": [END_BEFORE_START]}
    assert "tanggal_selesai" in leave_problems({"tanggal_mulai": "2026-12-02", "tanggal_selesai": "2036-12-01"},
                                               today)


def test_a_leave_cannot_start_in_the_past(login_as, office, clock):
    clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    web = login_as(office.employee)
    before = case_count()
    response = web.post_form("/kasus/baru/service_request", {
        **LEAVE, "tanggal_mulai": "2026-11-24", "tanggal_selesai": "2026-11-26"})
    assert response.status_code == 422 and case_count() == before
    assert PAST_START in text_of(response)


def test_today_is_counted_in_wib(login_as, office, clock):
    # 23:30 UTC on the 24th is already the 25th in Pangkalpinang: a leave from the 24th is in the past.
    clock.set(dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC))
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/service_request", {
        **LEAVE, "tanggal_mulai": "2026-11-24", "tanggal_selesai": "2026-11-26"})
    assert response.status_code == 422


def test_sick_leave_may_start_in_the_past_with_a_reason(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/service_request", {
        **LEAVE, "jenis_cuti": "sakit", "tanggal_mulai": "2026-11-23", "tanggal_selesai": "2026-11-25",
        "alasan": "Demam berdarah, surat dokter menyusul"})
    assert response.status_code == 303, text_of(response)[:1500]


def test_the_end_cannot_precede_the_start(login_as, office):
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/service_request", {
        **LEAVE, "tanggal_mulai": "2026-12-10", "tanggal_selesai": "2026-12-09"})
    assert response.status_code == 422 and END_BEFORE_START in text_of(response)


def test_the_form_counts_working_days_without_javascript(login_as, office):
    web = login_as(office.employee)
    # Mon 30 Nov – Fri 11 Dec 2026: ten working days. Sent without its required document's reason field,
    # so the form comes back and says the count beside the dates.
    response = web.post_form("/kasus/baru/service_request", {
        **LEAVE, "alasan": "", "tanggal_mulai": "2026-11-30", "tanggal_selesai": "2026-12-11"})
    assert response.status_code == 422
    assert "Jumlah hari kerja: <strong>10</strong>" in text_of(response)
    response = web.post_form("/kasus/baru/service_request", {
        **LEAVE, "tanggal_mulai": "2026-11-30", "tanggal_selesai": "2026-12-11"})
    assert response.status_code == 303
    assert "(10 hari kerja)" in text_of(web.get(response.headers["Location"]))


def test_working_days_skip_holidays_and_cuti_bersama(login_as, office):
    web = login_as(office.employee)
    # 21–31 Dec 2026: nine weekdays, less Christmas (25th) and cuti bersama (24th): 7 days.
    body = web.get("/kasus/baru/hari-kerja?mulai=2026-12-21&selesai=2026-12-31").get_json()
    assert body == {"days": 7}


@pytest.mark.parametrize("query", ["mulai=2026-12-10&selesai=2026-12-01", "mulai=x&selesai=2026-12-01",
                                   "mulai=2026-01-01&selesai=2099-01-01", ""])
def test_the_count_endpoint_answers_null_for_no_span(login_as, office, query):
    r = login_as(office.employee).get(f"/kasus/baru/hari-kerja?{query}")
    assert r.status_code == 200 and r.get_json() == {"days": None}


def test_the_count_endpoint_needs_a_session(web):
    assert web.get("/kasus/baru/hari-kerja?mulai=2026-12-01&selesai=2026-12-02").status_code in (302, 401)


@pytest.mark.parametrize(("fields", "field"), [
    ({"tanggal_mulai": "2026-11-20", "tanggal_selesai": "2026-11-26"}, "tanggal_mulai"),
    ({"tanggal_mulai": "2026-12-10", "tanggal_selesai": "2026-12-01"}, "tanggal_selesai"),
])
def test_the_api_gives_the_same_422(api, office, fields, field):
    before = case_count()
    r = api(office.employee).post("/api/v1/cases", json={"type": "service_request", "fields": {**LEAVE, **fields}})
    assert r.status_code == 422 and field in r.get_json()["errors"], r.get_json()
    assert case_count() == before


def test_the_service_refuses_past_leave_even_without_the_form(office, db):
    from layani_flow.services.cases import open_case
    from layani_flow.services.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        open_case("service_request", {**LEAVE, "tanggal_mulai": "2026-11-01", "tanggal_selesai": "2026-11-02"},
                  office.employee)
    assert "tanggal_mulai" in refused.value.errors


def test_a_bad_file_is_named_and_linked_in_the_summary(login_as, office):
    import io
    web = login_as(office.employee)
    response = web.post_form("/kasus/baru/service_request?layanan=kgb", {
        "service": "kgb", "tmt_kgb_terakhir": "2024-10-01", "golongan": "Penata Muda, III/a",
        "doc_sk_kgb_terakhir": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "sk.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert re.search(r'<a href="#doc_sk_kgb_terakhir">SK KGB terakhir: [^<]+</a>', text_of(response))
