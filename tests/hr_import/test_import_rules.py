"""The import's rules: every bad row reported by its line, nothing written when any is bad, superiors after
their staff, cycles across file and database, SIASN headings and dates, updates and reruns."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from layani_flow.models import OutboxMessage, User
from layani_flow.services import search
from layani_flow.services.employee_import import read_rows, run_import
from layani_flow.services.search import parse, search_cases

from ..factories import CaseFactory, UserFactory
from .samples import csv_text, nip_for, person


def count(model=User) -> int:
    from layani_flow.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def messages(report) -> dict[int, str]:
    out: dict[int, str] = {}
    for e in report["errors"]:
        out[e["line"]] = (out.get(e["line"], "") + " " + e["message"]).strip()
    return out


def test_a_new_office_is_created_with_superiors_after_their_staff(db, clock):
    boss = person(1, role="atasan", jabatan="Kepala Bidang Perikanan Tangkap")
    staff = person(2, superior=boss["nip"], jabatan="Analis Kepegawaian Ahli Madya", bup="")
    report = run_import(csv_text([staff, boss]))
    assert report == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    s = db.session.scalar(select(User).where(User.nip == staff["nip"]))
    b = db.session.scalar(select(User).where(User.nip == boss["nip"]))
    assert s.superior_id == b.id and b.superior_id is None
    assert (b.role, s.role) == ("supervisor", "employee")
    assert s.position_kind == "jf_ahli_madya" and s.retirement_age == 60
    assert s.grade == "III/a" and s.grade_tmt == dt.date(2020, 4, 1) and s.kgb_tmt == dt.date(2024, 1, 1)
    assert s.birth_date == dt.date(1985, 6, 1) and s.retirement_age_override is None
    assert not s.password_hash.startswith(("scrypt", "pbkdf2"))  # nothing signs in before the invitation


def test_new_people_get_a_single_use_invitation_and_nobody_else_does(db, client, clock):
    known = UserFactory(nip=nip_for(5), email="lama@dkp.babelprov.go.id")
    rows = [person(5, nama="Nama Baru", email="lama@dkp.babelprov.go.id"), person(6)]
    assert run_import(csv_text(rows))["created"] == 1
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert [m.to_addr for m in mails] == ["impor6@dkp.babelprov.go.id"]
    assert "Undangan LAYANI" in mails[0].subject and known.email not in [m.to_addr for m in mails]
    link = mails[0].body_text.split("Atur kata sandi: ")[1].split()[0].replace("http://localhost", "")
    assert client.get(link).status_code == 200
    page = client.get(link).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    answer = client.post(link, data={"csrf_token": token, "new_password": "Laut-biru-Bangka-2026",
                                     "confirm_password": "Laut-biru-Bangka-2026"})
    assert answer.status_code in (302, 303)
    assert client.post(link, data={"csrf_token": token, "new_password": "Laut-biru-Bangka-2027",
                                   "confirm_password": "Laut-biru-Bangka-2027"}).status_code >= 400  # used once


def test_an_invitation_outlives_the_admins_link_but_not_forever(db, client, clock):
    run_import(csv_text([person(7)]))
    mail = db.session.scalars(select(OutboxMessage)).one()
    link = mail.body_text.split("Atur kata sandi: ")[1].split()[0].replace("http://localhost", "")
    clock.advance(hours=100)  # past SET_PASSWORD_LINK_HOURS (48), within INVITATION_LINK_HOURS (168)
    assert client.get(link).status_code == 200
    clock.advance(hours=70)
    assert "kedaluwarsa" in client.get(link).get_data(as_text=True)


@pytest.mark.parametrize("field, value, expected", [
    ("nip", "19850601201001100", "NIP harus terdiri dari 18 angka"),
    ("nip", "198513012010011001", "delapan angka pertama harus tanggal lahir"),
    ("tanggal_lahir", "1985-06-02", "tidak sama dengan tanggal lahir dalam NIP (1985-06-01)"),
    ("tanggal_lahir", "1985-02-30", "bukan tanggal"),
    ("tmt_golongan", "kemarin", "bukan tanggal"),
    ("tmt_kgb", "2024/13/01", "bukan tanggal"),
    ("peran", "direktur", "Kolom peran: \"direktur\" tidak dikenal"),
    ("golongan", "V/a", "Golongan tidak dikenal"),
    ("nip_atasan", "197001012000011009", "atasan dengan NIP 197001012000011009 tidak ada"),
    ("nip_atasan", "12345", "Kolom nip_atasan: NIP harus terdiri dari 18 angka"),
    ("email", "bukan-email", "Kolom email: Alamat email tidak valid"),
    ("nama", "", "Kolom nama kosong"),
    ("bup", "99", "Kolom bup: \"99\" bukan usia pensiun"),
])
def test_each_bad_value_is_reported_on_its_line_and_nothing_is_written(db, field, value, expected):
    rows = [person(1), person(2), person(3)]
    rows[1][field] = value
    report = run_import(csv_text(rows))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 0)
    assert list(messages(report)) == [3] and expected in messages(report)[3]
    assert count() == 0 and count(OutboxMessage) == 0


def test_every_bad_line_is_reported_not_only_the_first(db):
    rows = [person(i) for i in range(1, 7)]
    rows[0]["golongan"] = "X/z"
    rows[2]["tanggal_lahir"] = "31-02-1985"
    rows[5]["peran"] = "bos"
    rows[5]["email"] = "@"
    report = run_import(csv_text(rows))
    assert sorted(messages(report)) == [2, 4, 7]
    assert "peran" in messages(report)[7] and "email" in messages(report)[7]
    assert count() == 0


def test_duplicate_nips_and_emails_in_the_file_and_emails_of_someone_else(db):
    UserFactory(email="dipakai@dkp.babelprov.go.id")
    rows = [person(1), person(1, nama="Orang Kedua"), person(2, email="impor1@dkp.babelprov.go.id"),
            person(3, email="Dipakai@dkp.babelprov.go.id")]
    errors = messages(run_import(csv_text(rows)))
    assert "sudah ada di baris 2" in errors[3]
    assert "sudah dipakai di baris 2" in errors[4]
    assert "sudah dipakai pegawai lain" in errors[5]
    assert count() == 1


def test_a_cycle_in_the_file_is_refused_on_each_of_its_lines(db):
    a, b, c = person(1), person(2), person(3)
    a["nip_atasan"], b["nip_atasan"], c["nip_atasan"] = b["nip"], c["nip"], a["nip"]
    errors = messages(run_import(csv_text([a, b, c, person(4, superior=a["nip"])])))
    assert sorted(errors) == [2, 3, 4]
    assert all("Rantai atasan berputar" in m for m in errors.values())
    assert count() == 0


def test_a_cycle_through_the_database_is_refused_too(db):
    boss = UserFactory(nip=nip_for(10))
    UserFactory(nip=nip_for(11), superior=boss)  # 11 → 10 in the database
    # The file puts 10 under 11: 10 → 11 → 10.
    errors = messages(run_import(csv_text([person(10, superior=nip_for(11))])))
    assert "Rantai atasan berputar" in errors[2]


def test_one_cannot_be_ones_own_superior(db):
    row = person(1)
    row["nip_atasan"] = row["nip"]
    assert "atasan dirinya sendiri" in messages(run_import(csv_text([row])))[2]


def test_a_deactivated_superior_is_refused(db):
    gone = UserFactory(nip=nip_for(20), is_active_account=False)
    assert "nonaktif" in messages(run_import(csv_text([person(1, superior=gone.nip)])))[2]


def test_an_update_changes_only_what_differs_and_a_rerun_changes_nothing(db, clock):
    boss = UserFactory(nip=nip_for(30))
    rows = [person(31, superior=boss.nip), person(32, superior=boss.nip)]
    assert run_import(csv_text(rows))["created"] == 2
    mails = count(OutboxMessage)
    assert run_import(csv_text(rows)) == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}
    rows[1].update(nama="Pegawai Impor Tiga Dua", golongan="III/b", nip_atasan="", bup="60")
    assert run_import(csv_text(rows)) == {"created": 0, "updated": 1, "unchanged": 1, "errors": []}
    p = db.session.scalar(select(User).where(User.nip == rows[1]["nip"]))
    db.session.refresh(p)
    assert (p.name, p.grade, p.superior_id, p.retirement_age) == ("Pegawai Impor Tiga Dua", "III/b", None, 60)
    assert count(OutboxMessage) == mails  # no new invitation for an update


def test_a_column_the_file_lacks_leaves_that_field_alone(db):
    known = UserFactory(nip=nip_for(40), role="officer", grade="IV/a", unit="Sekretariat")
    text = "nip,nama,email\n" + f"{known.nip},Nama Dari SIASN,{known.email}\n"
    assert run_import(text)["updated"] == 1
    db.session.refresh(known)
    assert (known.name, known.role, known.grade, known.unit) == ("Nama Dari SIASN", "officer", "IV/a", "Sekretariat")


def test_siasn_headings_semicolons_bom_and_day_first_dates(db):
    text = ("\ufeffNIP BARU;NAMA;EMAIL GOV;JABATAN NAMA;GOL AKHIR NAMA;TMT GOLONGAN;TGL LAHIR;UNOR NAMA;AGAMA\n"
            f"{nip_for(50)};Ahmad Fauzi;ahmad@dkp.babelprov.go.id;Pengelola Data Ahli Pertama;Penata (III/c);"
            "01-04-2022;01-06-1985;Sekretariat;Islam\n")
    assert run_import(text.encode("utf-8"))["created"] == 1
    p = db.session.scalar(select(User).where(User.nip == nip_for(50)))
    assert (p.grade, p.grade_tmt, p.birth_date, p.unit) == ("III/c", dt.date(2022, 4, 1), dt.date(1985, 6, 1), "Sekretariat")
    assert p.position_kind == "jf_ahli_pertama" and p.role == "employee"


def test_roles_in_either_language(db):
    rows = [person(1, role="petugas"), person(2, role="supervisor"), person(3, role="Admin"), person(4, role="")]
    run_import(csv_text(rows))
    roles = dict(db.session.execute(select(User.nip, User.role)).tuples().all())
    assert [roles[r["nip"]] for r in rows] == ["officer", "supervisor", "admin", "employee"]


def test_an_empty_birth_date_comes_from_the_nip(db):
    run_import(csv_text([person(1, tanggal_lahir="")]))
    assert db.session.scalar(select(User.birth_date)) == dt.date(1985, 6, 1)


def test_line_numbers_are_physical_lines_with_quoted_newlines_and_blank_lines(db):
    good, bad = person(1), person(2, golongan="Z")
    good["unit"] = '"Bidang\nPerikanan"'
    text = csv_text([good]) + "\n" + csv_text([bad]).split("\n", 1)[1]
    # header 1, the good row on 2–3, a blank line 4, the bad row on 5
    assert list(messages(run_import(text))) == [5]


def test_a_file_that_is_not_utf8_or_lacks_columns(db):
    assert run_import("nama,email\nBudi,budi@x.id\n")["errors"][0]["line"] == 1
    report = run_import(("nip,nama,email\n" + f"{nip_for(1)},Budi,budi@x.id\n" + f"{nip_for(2)},J\xe9r\xf4me,j@x.id\n")
                        .encode("latin-1"))
    assert report["errors"][0]["line"] == 3 and "UTF-8" in report["errors"][0]["message"]
    assert run_import("")["errors"][0]["line"] == 1
    assert "tidak berisi satu baris data" in run_import(csv_text([]))["errors"][0]["message"]


def test_a_dry_run_writes_nothing(db):
    report = run_import(csv_text([person(1), person(2)]), dry_run=True)
    assert report == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    assert count() == 0 and count(OutboxMessage) == 0


def test_the_search_index_follows_a_changed_name(db, clock, office):
    employee = office.employee
    case = CaseFactory(requester=employee, title="Usul KGB")
    search._upsert(case.id, *search.texts_for(case, case.events))
    db.session.commit()
    row = {**person(1, nip=employee.nip, email=employee.email, nama="Sulaiman Baharuddin"),
           "tanggal_lahir": "", "peran": "", "nip_atasan": employee.superior.nip if employee.superior else ""}
    assert run_import(csv_text([row]))["updated"] == 1
    found = search_cases(office.officer, parse("Baharuddin"))  # the requester's new name finds the case
    assert [c.id for c in found.items] == [case.id]


def test_heading_variants_map_and_unknown_ones_are_ignored():
    source = read_rows("Nip Baru,Nama Lengkap,E-mail,Kolom Lain\n")
    assert source.columns == ("nip", "nama", "email") and source.ignored_headings == ["Kolom Lain"]
