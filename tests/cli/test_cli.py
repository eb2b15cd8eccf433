"""The `layani` command group: users, tokens, the demo seed and the workflow checks."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import ApiToken, Case, CaseEvent, User
from layani_flow.services.demo import PEOPLE
from layani_flow.workflows import REGISTRY
from layani_flow.workflows.base import step

DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflows"
NIP = "198506222010012015"


def invoke(runner, *args):
    return runner.invoke(args=["layani", *args], catch_exceptions=False)


def create(runner, **overrides):
    options = {"nip": NIP, "name": "Siti Nurhaliza", "email": "siti@dkp.babelprov.go.id", "role": "officer",
               "password": "ikan-tenggiri-bangka", **overrides}
    args = ["users", "create"]
    for key, value in options.items():
        if value is not None:
            args += [f"--{key}", value]
    return invoke(runner, *args)


def test_users_create(runner):
    boss = create(runner, nip="197809172003121002", email="agus@dkp.babelprov.go.id", role="supervisor",
                  name="Agus Salim")
    assert boss.exit_code == 0, boss.output
    result = create(runner, superior="197809172003121002", unit="Subbag Umum")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Pengguna dibuat: {NIP} Siti Nurhaliza (officer)"
    user = db.session.scalar(select(User).where(User.nip == NIP))
    assert (user.role, user.unit, user.superior.nip) == ("officer", "Subbag Umum", "197809172003121002")


@pytest.mark.parametrize("overrides, message", [
    ({"nip": "12345"}, "NIP harus terdiri dari 18 angka."),
    ({"nip": "198502302010012015"}, "delapan angka pertama harus tanggal lahir"),
    ({"nip": "198506222010013015"}, "jenis kelamin"),
    ({"email": "bukan-email"}, "Alamat email tidak valid."),
    ({"password": "pendek"}, "Kata sandi minimal 12 karakter."),
    ({"password": NIP + "x"}, "Kata sandi tidak boleh memuat NIP Anda."),
    ({"password": "password1234"}, "Kata sandi ini termasuk yang paling sering dipakai"),
    ({"email": "siti@dkp.babelprov.go.id\nBcc: semua@contoh.id"}, "karakter kontrol"),
    ({"superior": "199001012015031999"}, "Atasan dengan NIP ini tidak ditemukan."),
])
def test_users_create_refuses_bad_input_in_indonesian(runner, overrides, message):
    result = create(runner, **overrides)
    assert result.exit_code == 1
    assert "Error: Data pegawai tidak valid." in result.output and message in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_refuses_a_duplicate(runner):
    assert create(runner).exit_code == 0
    again = create(runner, email="lain@dkp.babelprov.go.id")
    assert again.exit_code == 1 and "NIP sudah terdaftar." in again.output
    same_email = create(runner, nip="199001102015031003", email="SITI@dkp.babelprov.go.id")
    assert same_email.exit_code == 1 and "Email sudah dipakai pegawai lain." in same_email.output
    assert db.session.scalar(select(func.count(User.id))) == 1


@pytest.mark.parametrize("missing", ["nip", "name", "email", "role", "password"])
def test_users_create_needs_every_required_option(runner, missing):
    result = create(runner, **{missing: None})
    assert result.exit_code == 2 and f"--{missing}" in result.output


def test_users_create_offers_only_known_roles(runner):
    result = create(runner, role="boss")
    assert result.exit_code == 2 and "employee" in result.output and "admin" in result.output


def test_token_create_prints_a_working_token_on_the_last_line(runner, client):
    assert create(runner).exit_code == 0
    result = invoke(runner, "token", "create", "--nip", NIP)
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("lyn_")
    assert db.session.scalar(select(ApiToken.token_hash)) != token
    r = client.get("/api/v1/case-types", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    other = invoke(runner, "token", "create", "--nip", NIP).output.strip().splitlines()[-1]
    assert other != token and client.get("/api/v1/cases", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_token_create_for_an_unknown_nip_fails(runner):
    result = invoke(runner, "token", "create", "--nip", NIP)
    assert result.exit_code == 1 and "Pegawai dengan NIP ini tidak ditemukan." in result.output
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def _census():
    return (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Case.id))),
            db.session.scalar(select(func.count(CaseEvent.id))))


def test_demo_seeds_once(runner):
    result = invoke(runner, "demo", "--password", "demo-rahasia")
    assert result.exit_code == 0, result.output
    assert "Data demo dibuat" in result.output and "demo-rahasia" in result.output
    users, case_count, events = _census()
    assert users == len(PEOPLE) and case_count >= 6 and events > case_count
    rows = db.session.execute(select(Case.case_type, Case.state)).all()
    assert {t for t, _ in rows} == set(REGISTRY)
    assert len({s for _, s in rows}) >= 4, rows
    assert any(REGISTRY[t].is_final(s) for t, s in rows) and any(not REGISTRY[t].is_final(s) for t, s in rows)
    assert db.session.scalar(select(func.count(Case.id)).where(Case.is_anonymous)) >= 1
    for _key, nip, *_ in PEOPLE:
        assert nip in result.output

    again = invoke(runner, "demo")
    assert again.exit_code == 0 and "tidak ada yang diubah" in again.output
    assert _census() == (users, case_count, events)


def test_workflows_check(runner):
    result = invoke(runner, "workflows", "check")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"ok: {wf.case_type} ({len(wf.states)} status, {len(wf.steps)} transisi)" for wf in REGISTRY.values()]


def test_workflows_check_fails_on_a_broken_declaration(runner, monkeypatch):
    wf = REGISTRY["complaint"]
    monkeypatch.setattr(wf, "steps", [*wf.steps, step("triage", "closed", "triaged", "Lagi", who={"officer"})])
    result = runner.invoke(args=["layani", "workflows", "check"])
    assert result.exit_code != 0
    assert "trigger 'triage' declared twice" in str(result.exception)
    assert "leaves a final state" in str(result.exception)


@pytest.mark.parametrize("case_type", sorted(REGISTRY))
def test_workflows_diagram_prints_the_committed_document(runner, case_type):
    result = invoke(runner, "workflows", "diagram", case_type)
    assert result.exit_code == 0
    assert result.output == (DOCS / f"{case_type}.md").read_text(encoding="utf-8")


def test_workflows_diagram_writes_every_document(runner, tmp_path):
    result = invoke(runner, "workflows", "diagram", "--write", str(tmp_path / "out"))
    assert result.exit_code == 0
    for case_type in REGISTRY:
        assert (tmp_path / "out" / f"{case_type}.md").read_text(encoding="utf-8") == (
            DOCS / f"{case_type}.md").read_text(encoding="utf-8")
    assert invoke(runner, "workflows", "diagram").output == "".join(
        (DOCS / f"{t}.md").read_text(encoding="utf-8") for t in REGISTRY)


def test_workflows_diagram_refuses_an_unknown_type(runner):
    result = invoke(runner, "workflows", "diagram", "ceramah")
    assert result.exit_code == 1 and "Jenis kasus tidak dikenal: ceramah" in result.output
