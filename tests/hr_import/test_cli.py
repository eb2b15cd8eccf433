"""`layani import employees FILE [--dry-run]`: JSON on the last stdout line, exit 1 on a bad file, progress
on stderr, --dry-run writes nothing, a rerun is all "unchanged"."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from layani_flow.models import User

from .samples import csv_text, office


def invoke(runner, path, *args):
    result = runner.invoke(args=["layani", "import", "employees", str(path), *args])
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def people(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_good_file_then_a_rerun(db, runner, tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_text(csv_text(office(30)), encoding="utf-8")
    result, report = invoke(runner, path)
    assert result.exit_code == 0, result.output
    assert report == {"created": 30, "updated": 0, "unchanged": 0, "errors": []}
    assert "memeriksa 30/30" in result.stderr  # not a terminal: plain lines
    result, report = invoke(runner, path)
    assert result.exit_code == 0 and report == {"created": 0, "updated": 0, "unchanged": 30, "errors": []}


def test_dry_run_writes_nothing(db, runner, tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_text(csv_text(office(12)), encoding="utf-8")
    result, report = invoke(runner, path, "--dry-run")
    assert result.exit_code == 0 and report["created"] == 12
    assert people(db) == 0


def test_a_bad_file_exits_1_with_every_error_and_writes_nothing(db, runner, tmp_path):
    rows = office(12)
    rows[3]["tanggal_lahir"] = "1900-01-01"
    rows[7]["nip_atasan"] = "199901012020011999"
    path = tmp_path / "pegawai.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    result, report = invoke(runner, path)
    assert result.exit_code == 1
    assert [e["line"] for e in report["errors"]] == [5, 9]
    assert report["created"] == 0 and people(db) == 0
    assert "kesalahan" in result.stderr


def test_a_file_that_is_not_utf8_exits_1_with_json(db, runner, tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_bytes(b"nip,nama,email\n\xff\xfe\n")
    result, report = invoke(runner, path)
    assert result.exit_code == 1 and report["errors"][0]["line"] == 2
