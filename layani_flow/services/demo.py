"""A believable demo office (DKP Provinsi Kepulauan Bangka Belitung) with cases in several states."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import func, select

from .. import clock as wall
from ..clock import FrozenClock
from ..extensions import db
from ..models import Case, User
from ..personnel import birth_date_from_nip, position_kind_from_title
from ..reminder_rules import next_kp_period
from . import announcements, cases, consultations, documents, feedback
from .db import unit_of_work
from .users import create_user

# Every demo account's password (README, scripts/run). It passes the password policy like any other: the
# demo seeds its people through create_user.
DEMO_PASSWORD = "layani-demo-2026"

# (key, NIP, name, role, unit, position, superior key)
PEOPLE = [
    ("kadis", "196805121994031003", "Ir. Hendra Saputra, M.Si.", "supervisor", "Pimpinan", "Kepala Dinas", None),
    ("sekdis", "197201081998032004", "Dra. Rina Marlina", "supervisor", "Sekretariat", "Sekretaris Dinas", "kadis"),
    ("kasubbag", "197809172003121002", "Agus Salim, S.E.", "supervisor", "Subbag Umum dan Kepegawaian",
     "Kepala Sub Bagian Umum dan Kepegawaian", "sekdis"),
    ("petugas1", "198506222010012015", "Siti Nurhaliza, S.A.P.", "officer", "Subbag Umum dan Kepegawaian",
     "Analis SDM Aparatur", "kasubbag"),
    ("petugas2", "199001102015031003", "Rudi Hartono, S.Kom.", "officer", "Subbag Umum dan Kepegawaian",
     "Pengelola Kepegawaian", "kasubbag"),
    ("admin", "198803052012121001", "Bambang Wijaya", "admin", "Subbag Umum dan Kepegawaian",
     "Pranata Komputer", "kasubbag"),
    ("kabid_tangkap", "197405301999031005", "Yusuf Effendi, S.Pi.", "supervisor", "Bidang Perikanan Tangkap",
     "Kepala Bidang Perikanan Tangkap", "kadis"),
    ("kabid_budidaya", "197611112001122003", "Dewi Lestari, S.Pi., M.Si.", "supervisor",
     "Bidang Perikanan Budidaya", "Kepala Bidang Perikanan Budidaya", "kadis"),
    ("kabid_kelautan", "197702142002121004", "Hasan Basri, S.T.", "supervisor", "Bidang Kelautan",
     "Kepala Bidang Kelautan", "kadis"),
    ("andi", "198912032014031002", "Andi Pratama, S.Pi.", "employee", "Bidang Perikanan Tangkap",
     "Penyuluh Perikanan Ahli Pertama", "kabid_tangkap"),
    ("rahmawati", "199203152019032011", "Rahmawati, A.Md.", "employee", "Bidang Perikanan Tangkap",
     "Pengelola Data", "kabid_tangkap"),
    ("fajar", "198707082011011003", "Fajar Nugroho", "employee", "Bidang Perikanan Tangkap",
     "Pengawas Perikanan", "kabid_tangkap"),
    ("nurul", "199406202020122012", "Nurul Hidayah, S.Si.", "employee", "Bidang Perikanan Budidaya",
     "Pengendali Hama dan Penyakit Ikan", "kabid_budidaya"),
    ("bayu", "198511252009031004", "Bayu Setiawan", "employee", "Bidang Perikanan Budidaya",
     "Teknisi Budidaya", "kabid_budidaya"),
    ("maya", "199108172015032007", "Maya Sari, S.E.", "employee", "Bidang Perikanan Budidaya",
     "Analis Usaha Perikanan", "kabid_budidaya"),
    ("rizki", "199512012022031001", "Rizki Ramadhan, S.T.", "employee", "Bidang Kelautan",
     "Penata Ruang Laut Ahli Pertama", "kabid_kelautan"),
    ("lestari", "198302142008012009", "Lestari Handayani", "employee", "Bidang Kelautan",
     "Pengelola Konservasi", "kabid_kelautan"),
    ("joko", "196603101990031002", "Joko Susilo", "employee", "Bidang Kelautan", "Pengadministrasi Umum",
     "kabid_kelautan"),
    ("indah", "199309092018012003", "Indah Permata, S.H.", "employee", "Sekretariat", "Analis Hukum", "sekdis"),
    ("taufik", "198804182012121002", "Taufik Hidayat", "employee", "Subbag Keuangan", "Bendahara", "sekdis"),
    ("wulan", "199711302023212001", "Wulan Sari, S.Ak.", "employee", "Subbag Keuangan",
     "Penata Laporan Keuangan (PPPK)", "sekdis"),
]

# The smallest file each checker accepts as a real PDF (demo uploads only).
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@contextmanager
def _clock_at(instant: dt.datetime):
    """File something as if it happened at `instant` (demo history only)."""
    # current_app is typed as Flask but is the proxy; Flask's own code reads it the same way.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    real = app.extensions["clock"]
    app.extensions["clock"] = FrozenClock(instant)
    try:
        yield
    finally:
        app.extensions["clock"] = real


def _pdf(requirement: str, name: str) -> documents.CheckedUpload:
    return documents.check_upload("demo", requirement, name, DEMO_PDF)


def _people(password: str) -> dict[str, User]:
    people: dict[str, User] = {}
    for key, nip, name, role, unit, position, superior in PEOPLE:
        email = f"{key}@dkp.babelprov.go.id"
        people[key] = create_user(nip=nip, name=name, email=email, role=role, password=password,
                                  superior_nip=people[superior].nip if superior else None,
                                  unit=unit, position=position)
    return people


# (key, golongan, months from this month's first day to the next KGB, to the promotion period, or None)
# Chosen so that, whenever the demo is seeded, a few reminders fall due at once (`layani remind`): Andi's
# KGB (T−4 months), Fajar's promotion (E−6 or E−4), Bayu's KGB a month ahead with nothing filed (the desk is
# told); Maya's KGB and Nurul's promotion fall within the planning list's 12 months without a reminder yet.
PERSONNEL = [
    ("andi", "III/a", 4, None), ("fajar", "III/b", None, 5), ("bayu", "II/d", 1, None), ("maya", "III/a", 10, None),
    ("nurul", "III/a", None, 11), ("rahmawati", "II/c", 20, None), ("rizki", "III/a", 14, None),
    ("petugas1", "III/c", 16, None), ("petugas2", "III/a", 7, None), ("lestari", "III/b", 18, None),
    ("indah", "III/a", 22, None), ("taufik", "III/b", 13, None), ("wulan", "IX", 15, None),
    ("kadis", "IV/c", 12, None), ("sekdis", "IV/b", 9, None), ("kasubbag", "III/d", 19, None),
]
# Birth dates from the NIP (its first eight digits), except Joko's (past his BUP in the demo's NIP: unknown).
NO_BIRTH_DATE = {"joko"}


def _personnel(people: dict[str, User]) -> None:
    """Personnel data for the demo's people, relative to today (reminder_rules.py reads it)."""
    first = wall.now().astimezone(consultations.WIB).date().replace(day=1)
    with unit_of_work():
        for key, person in people.items():
            person.position_kind = position_kind_from_title(person.position)
            if key not in NO_BIRTH_DATE:
                person.birth_date = birth_date_from_nip(person.nip)
        for key, grade, kgb_in, kp_in in PERSONNEL:
            person = people[key]
            person.grade = grade
            if kgb_in is not None:
                person.kgb_tmt = first + relativedelta(months=kgb_in, years=-2)
                person.grade_tmt = first - relativedelta(years=1, months=kgb_in)  # promotion still years away
            if kp_in is not None:
                person.grade_tmt = next_kp_period(first + relativedelta(months=kp_in)) - relativedelta(years=4)
                person.kgb_tmt = first - relativedelta(months=9)


def _walk(case: Case, actor: User, *triggers: tuple[str, str] | str, fields: dict | None = None) -> Case:
    for item in triggers:
        trigger, comment = item if isinstance(item, tuple) else (item, "")
        case = cases.transition_case(case.id, trigger, actor, case.version, comment, fields or {})
    return case


def _seed_cases(p: dict[str, User]) -> int:
    # A leave request waiting for the atasan's endorsement: andi's superior (kabid_tangkap, in the README's
    # table) is emailed and finds it in their inbox, with approve and decline at hand.
    cases.open_case("service_request", {
        "service": "cuti", "jenis_cuti": "tahunan", "tanggal_mulai": "2026-12-21", "tanggal_selesai": "2026-12-23",
        "alamat_selama_cuti": "Jl. Merdeka 12, Pangkalpinang", "alasan": "Acara keluarga di Belitung."},
        p["andi"], uploads=[_pdf("formulir_cuti", "formulir-cuti-andi.pdf")])
    # A KGB request nobody has claimed for a week: overdue, so the worker escalates it by email at once.
    with _clock_at(wall.now() - dt.timedelta(days=7)):
        cases.open_case("service_request", {"service": "kgb", "tmt_kgb_terakhir": "2024-10-01",
                                            "golongan": "Penata Muda, III/a"}, p["rahmawati"],
                        uploads=[_pdf("sk_pangkat_terakhir", "sk-pangkat-rahmawati.pdf")])
    # A KGB request nobody has claimed yet.
    cases.open_case("service_request", {"service": "kgb", "tmt_kgb_terakhir": "2024-12-01", "golongan": "Penata, III/c"},
                    p["fajar"], uploads=[_pdf("sk_pangkat_terakhir", "sk-pangkat.pdf"), _pdf("sk_kgb_terakhir", "sk-kgb.pdf")])
    # A promotion under verification, then sent back for a missing document.
    kp = cases.open_case("service_request", {"service": "kenaikan_pangkat", "jenis_kp": "reguler", "periode": "04",
                                             "golongan_sekarang": "Penata Muda Tk. I, III/b"}, p["nurul"],
                         uploads=[_pdf("sk_kp_terakhir", "sk-kp-terakhir.pdf"), _pdf("skp_2_tahun", "skp-2024-2025.pdf")]).case
    kp = _walk(kp, p["petugas1"], "start_verification")
    kp = _walk(kp, p["petugas1"], ("request_revision", "Mohon unggah ijazah dan transkrip terakhir."))
    # A data update completed end to end.
    upd = cases.open_case("service_request", {"service": "pemutakhiran_data", "jenis_data": "alamat",
                                              "keterangan": "Pindah rumah ke Sungailiat."}, p["bayu"],
                          uploads=[_pdf("bukti_perubahan", "kk-baru.pdf")]).case
    upd = _walk(upd, p["petugas2"], "start_verification")
    cases.review_document(upd.id, 1, p["petugas2"], "verified")  # its first (and only) document
    upd = cases.get_case(upd.id, p["petugas2"])
    _walk(upd, p["petugas2"], "start_processing", ("complete", "Data alamat sudah diperbarui di SIASN."))
    # A pension file forwarded to BKPSDMD.
    pen = cases.open_case("service_request", {"service": "pensiun", "jenis_pensiun": "bup", "tmt_pensiun": "2027-04-01"},
                          p["joko"], uploads=[_pdf(k, f"{k}.pdf") for k in ("permohonan", "dpcp", "sk_cpns_pns",
                                                                            "sk_pangkat_terakhir", "kartu_keluarga")]).case
    pen = _walk(pen, p["petugas1"], "start_verification")
    for number in range(1, len(pen.documents) + 1):
        cases.review_document(pen.id, number, p["petugas1"], "verified")
    pen = cases.get_case(pen.id, p["petugas1"])
    _walk(pen, p["petugas1"], "start_processing", ("forward", "Berkas pensiun BUP dikirim ke BKPSDMD."),
          fields={"external_body": "BKPSDMD"})
    # Complaints: one named and answered, one anonymous and new.
    c1 = cases.open_case("complaint", {"category": "masukan", "subject": "Jam layanan konsultasi kepegawaian",
                                       "description": "Mohon meja konsultasi juga buka saat jam istirahat Jumat."},
                         p["rahmawati"]).case
    _walk(c1, p["petugas2"], "triage", ("answer", "Terima kasih, mulai bulan depan ConsDesk buka 11.30–13.00 setiap Jumat."))
    cases.open_case("complaint", {"category": "pengaduan", "subject": "Berkas kenaikan pangkat lama diproses",
                                  "description": "Berkas saya sudah lengkap sejak bulan lalu tetapi belum ada kabar.",
                                  "anonymous": True}, None, anonymous=True)
    # Another leave, for another field's head to approve.
    cases.open_case("service_request", {
        "service": "cuti", "jenis_cuti": "tahunan", "tanggal_mulai": "2026-12-28", "tanggal_selesai": "2026-12-30",
        "alamat_selama_cuti": "Jl. Sudirman 5, Tanjung Pandan", "alasan": "Pulang kampung akhir tahun."}, p["rizki"],
        uploads=[_pdf("formulir_cuti", "formulir-cuti-rizki.pdf")])
    # A KGB request an officer took on two weeks ago and left: late in their inbox, and in their head's (team).
    with _clock_at(wall.now() - dt.timedelta(days=14)):
        late = cases.open_case("service_request", {"service": "kgb", "tmt_kgb_terakhir": "2024-11-01",
                                                   "golongan": "Pengatur, II/c"}, p["lestari"],
                               uploads=[_pdf("sk_pangkat_terakhir", "sk-pangkat-lestari.pdf")]).case
        _walk(late, p["petugas2"], "start_verification")
    # A mediation with a mediator named.
    med = cases.open_case("mediation", {"other_party_nip": p["kabid_budidaya"].nip, "relation": "atasan",
                                        "subject": "Perbedaan penilaian SKP",
                                        "description": "Penilaian SKP saya turun tanpa dialog kinerja sebelumnya.",
                                        "discipline_concern": "tidak"}, p["maya"]).case
    _walk(med, p["sekdis"], ("assign_mediator", "Kasubbag kepegawaian menjadi mediator."),
          fields={"mediator_nip": p["kasubbag"].nip})
    _seed_consultations(p)
    # ChatCanal: one chat waiting for the desk, one answered and still going, one closed with a rating.
    cases.open_case("chat", {"body": "Selamat pagi, apakah SK KGB saya yang terbit bulan lalu sudah bisa diambil?"},
                    p["lestari"])
    talk = cases.open_case("chat", {"body": "Bagaimana cara mengajukan cuti besar? Saya sudah 6 tahun bekerja."},
                           p["rizki"]).case
    talk = _walk(talk, p["petugas2"], "serve")
    cases.add_message(talk.id, p["petugas2"], "Selamat siang. Cuti besar bisa diajukan setelah 5 tahun bekerja "
                                              "terus-menerus; silakan ajukan lewat menu Ajukan → Cuti.")
    cases.add_message(talk.id, p["rizki"], "Baik, terima kasih. Apakah perlu surat dari atasan?")
    done = cases.open_case("chat", {"body": "Mohon info jadwal pemutakhiran data SIASN."}, p["wulan"]).case
    done = _walk(done, p["petugas1"], "serve")
    cases.add_message(done.id, p["petugas1"], "Pemutakhiran dibuka sampai 31 Desember; isi melalui menu Ajukan.")
    _walk(done, p["petugas1"], ("close", "Pertanyaan terjawab."))
    feedback.answer_feedback(done.id, p["wulan"].id, 5, "Cepat dan jelas.")
    return db.session.execute(select(func.count(Case.id))).scalar_one()


def _pattern(officer: User, first_day: dt.date, weeks: int, days: list[int], start: str, end: str, mode: str,
             location: str) -> list:
    return consultations.publish_pattern(officer, weekdays=days, start_time=start, end_time=end, minutes=30, mode=mode,
                                         location=location, first_day=first_day, weeks=weeks).created


def _seed_consultations(p: dict[str, User]) -> None:
    """ConsDesk: slots for the coming four weeks, two bookings ahead and one meeting already held."""
    today = wall.now().astimezone(consultations.WIB).date()
    # A meeting held last week, with its notes (published, booked and held at the instants they happened).
    last_week = today - dt.timedelta(days=7)
    with _clock_at(dt.datetime.combine(last_week - dt.timedelta(days=3), dt.time(8), consultations.WIB)):
        past = _pattern(p["petugas1"], last_week, 2, [0, 1, 2, 3, 4], "09:00", "09:30", "tatap_muka",
                        "Ruang Kepegawaian, lantai 2")
        held = cases.open_case("consultation", {"slot_id": past[0].id, "topic": "Syarat kenaikan pangkat pilihan",
                                                "description": "Apakah ijazah S2 saya dapat dipakai?"}, p["rizki"]).case
        held = _walk(held, p["petugas1"], "confirm")
    with _clock_at(past[0].end_at):
        _walk(held, p["petugas1"], ("hold", "Ijazah S2 linier dengan jabatan; dapat diajukan pada periode Oktober."),
              fields={"next_steps": "Siapkan PAK dan ijazah yang dilegalisasi."})
    # Slots for the coming four weeks: Tuesdays and Thursdays face to face, Mondays and Wednesdays by video.
    ahead = _pattern(p["petugas1"], today, 4, [1, 3], "09:00", "11:00", "tatap_muka", "Ruang Kepegawaian, lantai 2")
    _pattern(p["petugas2"], today, 4, [0, 2], "13:00", "15:00", "daring", "https://meet.jit.si/layani-dkp-babel")
    _pattern(p["petugas2"], today, 4, [4], "08:00", "10:00", "telepon", "(0717) 439 012")
    # Two bookings ahead: one confirmed by the desk, one still waiting for confirmation.
    booked = cases.open_case("consultation", {"slot_id": ahead[0].id, "topic": "Perhitungan masa kerja golongan"},
                             p["andi"]).case
    _walk(booked, p["petugas1"], "confirm")
    cases.open_case("consultation", {"slot_id": ahead[2].id, "topic": "Cuti besar dan tunjangan"}, p["indah"])


def _seed_announcements(p: dict[str, User]) -> None:
    """Informasi: cuti bersama for everyone (read by some), a policy that asks for acknowledgement (acknowledged by
    some, so the readers page has both lists), and a socialisation with BKPSDMD next week with ten seats."""
    today = wall.now().astimezone(consultations.WIB).date()
    with _clock_at(dt.datetime.combine(today - dt.timedelta(days=6), dt.time(9), consultations.WIB)):
        cuti = announcements.publish(
            p["admin"], title="Cuti bersama tahun 2027", topic="cuti_bersama", audience={"all": True},
            body="Berdasarkan SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB, cuti bersama ASN tahun "
                 "2027 jatuh pada 24 Desember 2027 (Natal). Cuti bersama mengurangi hak cuti tahunan.")
    with _clock_at(dt.datetime.combine(today - dt.timedelta(days=2), dt.time(10), consultations.WIB)):
        pakta = announcements.publish(
            p["petugas1"], title="Pakta integritas dan kode etik pegawai", topic="kebijakan", requires_ack=True,
            audience={"units": ["Bidang Perikanan Tangkap", "Bidang Perikanan Budidaya"]},
            body="Setiap pegawai wajib membaca kode etik dan pedoman perilaku ASN DKP yang baru (terlampir) dan "
                 "menyatakan sudah memahaminya paling lambat akhir bulan ini.",
            uploads=[_pdf("materi", "kode-etik-pegawai-dkp.pdf")])
        for key in ("rahmawati", "fajar", "kabid_tangkap"):
            announcements.acknowledge(pakta.id, p[key])
        for key in ("andi", "rizki", "indah"):
            announcements.open_announcement(cuti.id, p[key])
    start = dt.datetime.combine(today + dt.timedelta(days=7), dt.time(9), consultations.WIB)
    announcements.publish(
        p["petugas2"], title="Sosialisasi pemutakhiran data SIASN bersama BKPSDMD", topic="sosialisasi",
        audience={"all": True},
        body="BKPSDMD Provinsi Kepulauan Bangka Belitung memandu pemutakhiran data mandiri di MyASN/SIASN. Bawa "
             "SK pangkat terakhir dan ijazah. Dapat diikuti di aula atau secara daring.",
        event={"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2, minutes=30)).isoformat(),
               "place": "Aula DKP lantai 2", "meeting_link": "https://meet.jit.si/layani-sosialisasi-siasn",
               "capacity": 10})


def seed_demo(password: str) -> str:
    if db.session.scalar(select(func.count(User.id))):
        return "Data demo sudah ada; tidak ada yang diubah."
    people = _people(password)
    _personnel(people)
    total = _seed_cases(people)
    _seed_announcements(people)
    lines = [f"Data demo dibuat: {len(people)} pengguna, {total} kasus. Kata sandi semua akun: {password}", ""]
    for _key, nip, name, role, *_ in PEOPLE:
        lines.append(f"  {role:<10} {nip}  {name}")
    return "\n".join(lines)
