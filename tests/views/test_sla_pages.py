"""The clock on the pages: who has the case, the due instant in WIB and the working time left, on the case
page, the tracking page and the queue; the system's events on the timeline in Indonesian."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from layani_flow.models import CaseEvent
from layani_flow.services import cases as case_service
from layani_flow.services.sweep import sweep_due_cases
from layani_flow.views.cases import describe_event, shows_comment
from layani_flow.views.presenters import working_text
from tests.factories import START, CaseClockFactory, CaseFactory
from tests.services.helpers import COMPLAINT
from tests.timekit import wib

from .anonymous import track
from .helpers import text_of
from .test_markup import assert_accessible


def sla_block(html: str) -> str:
    """The case's head (owner, target, time left) and its clock details, as text."""
    head = html.split('<header class="case-head', 1)[1].split("</header>", 1)[0]
    block = head + html.split('<details class="panel sla-panel"', 1)[1].split("</details>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))


def timeline(html: str) -> str:
    part = html.split('id="judul-riwayat"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


@pytest.mark.parametrize("minutes, text", [
    (0, "0 menit kerja"), (45, "45 menit kerja"), (60, "1 jam kerja"), (195, "3 jam 15 menit kerja"),
    (449, "7 jam 29 menit kerja"), (450, "1 hari kerja"), (630, "1 hari 3 jam kerja"),
    (2 * 450 + 3 * 60 + 59, "2 hari 3 jam kerja"), (-540, "1 hari 1 jam kerja"),
])
def test_working_time_in_indonesian(minutes, text):
    assert working_text(minutes) == text


def test_case_page_shows_owner_due_and_time_left(login_as, clock, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    web = login_as(desk.employee)
    block = sla_block(text_of(web.get(f"/kasus/{case.id}")))
    assert "Ditangani oleh Belum ada petugas" in block
    assert "Target selesai Rabu, 2 Desember 2026 16.00 WIB" in block  # KGB: 5 working days
    assert "sisa 5 hari 6 jam kerja" in block  # 6 h today + 5 × 7.5 h
    assert "Tanggapan pertama : target Kamis, 26 November 2026 16.00 WIB · sisa 1 hari 6 jam kerja" in block
    assert "Terlambat" not in block

    clock.set(wib(2026, 11, 25, 10, 0))
    case = case_service.claim_case(case.id, desk.officer, case.version)
    web = login_as(desk.employee)  # an hour later: the first session has ended (idle)
    block = sla_block(text_of(web.get(f"/kasus/{case.id}")))
    assert "Ditangani oleh Petugas Satu" in block
    assert "Tanggapan pertama : ditanggapi Rabu, 25 November 2026 10.00 WIB (tepat waktu)" in block
    assert "sisa 5 hari 5 jam kerja" in block


def test_a_breach_is_said_in_words_and_the_desk_sees_the_escalation_level(login_as, clock, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    clock.set(wib(2026, 11, 27, 9, 0))  # Friday: first response was due Thursday 16.00
    sweep_due_cases(clock.now())
    html = text_of(login_as(desk.officer).get(f"/kasus/{case.id}"))
    block = sla_block(html)
    assert "Terlambat Tanggapan pertama : target Kamis, 26 November 2026 16.00 WIB · lewat 1 jam 30 menit kerja" in block
    assert "eskalasi tingkat 1" in block
    assert 'class="clock clock-breached"' in html
    assert "Eskalasi tingkat 1 kepada Kasubbag Kepegawaian: tanggapan pertama melewati batas waktu." in timeline(html)
    # The requester reads the same clock, without the escalation's internals.
    html = text_of(login_as(desk.employee).get(f"/kasus/{case.id}"))
    assert "lewat 1 jam 30 menit kerja" in sla_block(html) and "eskalasi tingkat" not in sla_block(html)
    assert "Kasubbag Kepegawaian" not in html
    assert "Kasus dieskalasikan ke atasan (tingkat 1) karena tanggapan pertama melewati batas waktu." in timeline(html)


def test_waiting_on_the_requester_shows_the_clock_paused(login_as, clock, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    case = case_service.transition_case(case.id, "start_verification", desk.officer, case.version)
    clock.set(wib(2026, 11, 25, 11, 0))
    case_service.transition_case(case.id, "request_revision", desk.officer, case.version, "Lengkapi SKP.")
    clock.set(wib(2026, 11, 30, 9, 0))
    block = sla_block(text_of(login_as(desk.employee).get(f"/kasus/{case.id}")))
    assert "Penyelesaian : dijeda (menunggu pemohon) · sisa 5 hari 4 jam kerja saat dijeda" in block
    assert "(dijeda: menunggu pemohon)" in block  # next to the target in the headline


def test_the_external_clock_is_shown_apart(login_as, desk, data_update_forwarded):
    block = sla_block(text_of(login_as(desk.employee).get(f"/kasus/{data_update_forwarded.id}")))
    assert "Menunggu instansi lain : BKPSDMD, target Rabu, 9 Desember 2026 16.00 WIB" in block
    assert "Penyelesaian : dijeda (menunggu instansi lain: BKPSDMD)" in block


def test_the_tracking_page_shows_the_clock_without_internal_names(web, clock, desk):
    clock.set(wib(2026, 11, 25, 9, 0))
    opened = case_service.open_case("complaint", {**COMPLAINT, "anonymous": True}, None, anonymous=True)
    sweep_due_cases(wib(2026, 11, 26, 12, 0))  # warning to the desk's head
    sweep_due_cases(wib(2026, 11, 26, 16, 0))  # first response breached: escalation to the desk's head
    clock.set(wib(2026, 11, 26, 16, 30))
    track(web, opened.tracking_code)
    html = text_of(web.get("/lacak/kasus"))
    block = sla_block(html)
    assert "Ditangani oleh Belum ada petugas" in block and "Target selesai" in block
    assert "Terlambat Tanggapan pertama" in block and "eskalasi tingkat" not in block
    assert "Kasubbag Kepegawaian" not in html
    assert "Pengingat dikirim kepada petugas" in timeline(html)
    assert "Kasus dieskalasikan ke atasan (tingkat 1)" in timeline(html)
    assert_accessible(html)


def test_an_out_of_hours_message_shows_the_automatic_reply(login_as, clock, desk, kgb_filed_wednesday):
    case = kgb_filed_wednesday
    clock.set(wib(2026, 11, 25, 20, 0))
    case_service.add_message(case.id, desk.employee, "Apakah berkas saya sudah lengkap?")
    html = text_of(login_as(desk.employee).get(f"/kasus/{case.id}"))
    text = timeline(html)
    assert ("Sistem LAYANI Otomatis Balasan otomatis: pesan diterima di luar jam kerja. Tanggapan paling lambat "
            "Kamis, 26 November 2026 16.00 WIB.") in text
    assert text.count("Tanggapan paling lambat") == 1  # the stored comment is not repeated under it


def _event(kind: str, data: dict, comment: str = "", internal: bool = False) -> CaseEvent:
    return CaseEvent(kind=kind, data=data, comment=comment, actor_label="Sistem LAYANI", at=START,
                     is_internal=internal)


@pytest.mark.parametrize("kind, data, desk_text, filer_text", [
    ("sla_warning", {"clock": "resolution", "to": "Petugas Satu"},
     "Pengingat dikirim kepada Petugas Satu: batas waktu penyelesaian sudah dekat.",
     "Pengingat dikirim kepada petugas: batas waktu penyelesaian sudah dekat."),
    ("sla_escalation", {"clock": "first_response", "level": 2, "to": "Kepala Dinas"},
     "Eskalasi tingkat 2 kepada Kepala Dinas: tanggapan pertama melewati batas waktu.",
     "Kasus dieskalasikan ke atasan (tingkat 2) karena tanggapan pertama melewati batas waktu."),
    ("sla_chain_end", {"clock": "resolution", "level": 2},
     "Eskalasi penyelesaian sudah sampai pimpinan tertinggi; tidak ada atasan lain untuk diberi tahu.", None),
    ("sla_extension", {"clock": "resolution", "days": 3, "due_at": "2026-12-02T09:00:00+00:00", "via": "email"},
     "Batas waktu penyelesaian diperpanjang 3 hari kerja menjadi Rabu, 2 Desember 2026 16.00 WIB melalui email "
     "eskalasi.", None),
    ("auto_reply", {"answer_due_at": "2026-11-26T16:00:00+07:00"},
     "Balasan otomatis: pesan diterima di luar jam kerja. Tanggapan paling lambat Kamis, 26 November 2026 16.00 WIB.",
     None),
    ("auto_reply", {"answer_due_at": "besok pagi"}, "Balasan otomatis: pesan diterima di luar jam kerja.", None),
    ("note", {"instruction": True, "via": "email", "escalation": 1},
     "Instruksi atasan melalui email (eskalasi tingkat 1).", None),
    ("note", {}, "Catatan internal.", None),
    ("assignment", {"from": None, "to": "Kasubbag Kepegawaian", "via": "email", "escalation": 1},
     "Penanggung jawab: belum ada → Kasubbag Kepegawaian. Dilakukan dari email eskalasi tingkat 1.", None),
])
def test_system_events_in_indonesian(app, kind, data, desk_text, filer_text):
    case = CaseFactory.build(case_type="service_request", service="kgb")
    event = _event(kind, data)
    assert describe_event(case, event, desk=True) == desk_text
    assert describe_event(case, event, desk=False) == (filer_text or desk_text)


def test_system_comments_are_not_repeated_but_people_comments_are():
    assert not shows_comment(_event("sla_escalation", {}, "Eskalasi tingkat 1 kepada X"))
    assert not shows_comment(_event("auto_reply", {}, "Pesan Anda diterima di luar jam kerja."))
    assert shows_comment(_event("sla_extension", {}, "Menunggu tanda tangan kepala dinas."))
    assert shows_comment(_event("note", {"instruction": True}, "Segera proses hari ini."))


def test_an_instruction_from_the_email_reaches_the_desk_only(login_as, clock, desk):
    case = CaseFactory(requester=desk.employee, owner=desk.officer, state="in_verification")
    from layani_flow.extensions import db
    db.session.add(CaseEvent(case_id=case.id, at=START, actor_id=desk.kasubbag.id, actor_label=desk.kasubbag.name,
                             kind="note", comment="Segera proses hari ini.", is_internal=True,
                             data={"instruction": True, "via": "email", "escalation": 1}))
    db.session.commit()
    html = text_of(login_as(desk.officer).get(f"/kasus/{case.id}"))
    assert "Instruksi atasan melalui email (eskalasi tingkat 1)." in timeline(html)
    assert "Segera proses hari ini." in html
    assert "Segera proses hari ini." not in text_of(login_as(desk.employee).get(f"/kasus/{case.id}"))


# -- the queue -------------------------------------------------------------------------------------

def _clock(case, name="resolution", due=None, paused=False, stopped=False, cycle=1):
    CaseClockFactory(case=case, name=name, cycle=cycle, started_at=START - dt.timedelta(days=7), due_at=due,
                     warn_at=due - dt.timedelta(hours=1), paused_at=START - dt.timedelta(days=1) if paused else None,
                     stopped_at=START - dt.timedelta(hours=1) if stopped else None)


def _refs(html: str) -> list[str]:
    return re.findall(r'>((?:LYN|ADU|MED)-\d{4}-\d{5})</a>', html)


def test_queue_puts_what_is_about_to_breach_first(login_as, office, clock):
    now = clock.now()
    no_clock_old = CaseFactory(created_at=START - dt.timedelta(days=9))
    later = CaseFactory(created_at=START - dt.timedelta(days=1))
    soon = CaseFactory(created_at=START - dt.timedelta(hours=1))
    overdue = CaseFactory(created_at=START - dt.timedelta(hours=2))
    only_paused = CaseFactory(created_at=START - dt.timedelta(days=8))  # due earliest, but the clock waits
    stopped_only = CaseFactory(created_at=START - dt.timedelta(days=10))
    _clock(later, due=now + dt.timedelta(days=3))
    _clock(soon, due=now + dt.timedelta(days=3))
    _clock(soon, name="first_response", due=now + dt.timedelta(hours=2))
    _clock(overdue, due=now - dt.timedelta(hours=3))
    _clock(only_paused, due=now - dt.timedelta(days=2), paused=True)
    _clock(stopped_only, due=now - dt.timedelta(days=5), stopped=True)
    web = login_as(office.officer)
    html = text_of(web.get("/antrian"))
    assert _refs(html) == [overdue.ref, soon.ref, later.ref, stopped_only.ref, no_clock_old.ref, only_paused.ref]
    rows = {ref: row for ref, row in re.findall(r'>((?:LYN)-\d{4}-\d{5})</a></td>(.*?)</tr>', html, re.S)}
    assert "Terlambat" in rows[overdue.ref] and "lewat 1 jam 30 menit kerja" in rows[overdue.ref]  # 07.30–09.00
    assert "Tanggapan pertama: Rabu, 25 November 2026 11.00 WIB" in rows[soon.ref]
    assert "sisa 2 jam kerja" in rows[soon.ref]
    assert "dijeda" in rows[only_paused.ref] and "Terlambat" in rows[only_paused.ref]
    assert 'data-label="Batas waktu terdekat"' in rows[no_clock_old.ref] and "–" in rows[no_clock_old.ref]
    assert_accessible(html)


def test_team_view_orders_open_cases_by_due_then_closed(login_as, office, clock):
    now = clock.now()
    closed = CaseFactory(requester=office.employee, state="completed", created_at=START)
    relaxed = CaseFactory(requester=office.employee, created_at=START - dt.timedelta(days=3))
    urgent = CaseFactory(requester=office.colleague, created_at=START - dt.timedelta(hours=1))
    no_clock = CaseFactory(requester=office.colleague, created_at=START - dt.timedelta(days=1))
    _clock(relaxed, due=now + dt.timedelta(days=5))
    _clock(urgent, due=now + dt.timedelta(hours=1))
    html = text_of(login_as(office.kabid).get("/tim"))
    assert _refs(html) == [urgent.ref, relaxed.ref, no_clock.ref, closed.ref]
    assert "Batas waktu terdekat" in html
