"""Accounts on the command line: deactivating a person, API tokens that expire or are revoked, and the demo
password the README and scripts/run print."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import ApiToken, User, UserSession
from layani_flow.services.demo import DEMO_PASSWORD, PEOPLE
from layani_flow.services.passwords import password_problems

from ..conftest import WebClient
from ..factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def invoke(runner, *args):
    return runner.invoke(args=["layani", *args], catch_exceptions=False)


def new_token(runner, nip: str, *options: str) -> str:
    result = invoke(runner, "token", "create", "--nip", nip, *options)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]  # the contract: the token is the last line


def works(client, token: str) -> int:
    return client.get("/api/v1/case-types", headers={"Authorization": f"Bearer {token}"}).status_code


def test_deactivate_ends_sessions_and_stops_tokens(app, runner, client, office):
    token = new_token(runner, office.employee.nip)
    web = WebClient(client)
    web.login(office.employee)
    saved = client.get_cookie("session").value
    assert works(client, token) == 200

    result = invoke(runner, "users", "deactivate", "--nip", office.employee.nip)
    assert result.exit_code == 0
    assert result.output.strip() == (f"Pengguna dinonaktifkan: {office.employee.nip} Pegawai Pemohon; "
                                     "sesi diakhiri: 1, token dicabut: 1")
    assert works(client, token) == 401
    other = app.test_client()
    other.set_cookie("session", saved)
    assert other.get("/").status_code == 302  # the saved cookie opens nothing
    assert web.post_form("/masuk", {"nip": office.employee.nip, "password": PASSWORD}).status_code == 401
    db.session.expire_all()
    user = db.session.get(User, office.employee.id)
    assert not user.is_active and user.deactivated_at is not None

    again = invoke(runner, "users", "deactivate", "--nip", office.employee.nip)
    assert again.exit_code == 0 and "sudah nonaktif sebelumnya" in again.output and "token dicabut: 0" in again.output
    assert works(client, token) == 401


def test_deactivate_leaves_other_people_alone(runner, client, office):
    token = new_token(runner, office.colleague.nip)
    assert invoke(runner, "users", "deactivate", "--nip", office.employee.nip).exit_code == 0
    assert works(client, token) == 200
    WebClient(client).login(office.colleague)


def test_deactivate_an_unknown_nip_fails(runner):
    result = invoke(runner, "users", "deactivate", "--nip", "199001012015031999")
    assert result.exit_code == 1 and "Pegawai dengan NIP ini tidak ditemukan." in result.output


def test_a_deactivated_person_gets_no_token_and_no_link(runner, office):
    assert invoke(runner, "users", "deactivate", "--nip", office.employee.nip).exit_code == 0
    token = invoke(runner, "token", "create", "--nip", office.employee.nip)
    assert token.exit_code == 1 and "nonaktif" in token.output
    link = invoke(runner, "users", "send-password-link", "--nip", office.employee.nip)
    assert link.exit_code == 1 and "nonaktif" in link.output


def test_a_token_with_an_expiry_answers_401_once_it_has_passed(runner, client, office, clock):
    result = invoke(runner, "token", "create", "--nip", office.employee.nip, "--expires-days", "30")
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("lyn_")
    forever = new_token(runner, office.employee.nip)
    clock.advance(days=29, hours=23)
    assert works(client, token) == 200
    clock.advance(hours=1)
    response = client.get("/api/v1/case-types", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    assert works(client, forever) == 200  # no expiry: until revoked


@pytest.mark.parametrize("days", ["0", "-1", "3651", "tiga"])
def test_token_expiry_must_be_a_sensible_number_of_days(runner, office, days):
    result = runner.invoke(args=["layani", "token", "create", "--nip", office.employee.nip, "--expires-days", days])
    assert result.exit_code == 2 and "--expires-days" in result.output
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_token_list_shows_ids_and_states_never_the_token(runner, office, clock):
    first = new_token(runner, office.employee.nip, "--label", "integrasi", "--expires-days", "1")
    new_token(runner, office.employee.nip)
    clock.advance(days=2)
    result = invoke(runner, "token", "list", "--nip", office.employee.nip)
    assert result.exit_code == 0 and first not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "2 token"
    assert re.match(r"#\d+\tcli\t2026-11-25T09:00:00\+07:00\t-\taktif$", lines[0])
    assert re.match(r"#\d+\tintegrasi\t2026-11-25T09:00:00\+07:00\t2026-11-26T09:00:00\+07:00\tkedaluwarsa$", lines[1])


def test_token_revoke_by_id(runner, client, office):
    keep = new_token(runner, office.employee.nip)
    gone = new_token(runner, office.employee.nip, "--label", "lama")
    gone_id = db.session.scalar(select(ApiToken.id).where(ApiToken.label == "lama"))
    result = invoke(runner, "token", "revoke", "--id", str(gone_id))
    assert result.exit_code == 0 and result.output.strip() == "Token dicabut: 1"
    assert works(client, gone) == 401 and works(client, keep) == 200
    again = invoke(runner, "token", "revoke", "--id", str(gone_id))
    assert again.exit_code == 0 and again.output.strip() == "Token dicabut: 0"  # already revoked: unchanged


def test_token_revoke_every_token_of_a_person(runner, client, office):
    mine = [new_token(runner, office.employee.nip) for _ in range(3)]
    theirs = new_token(runner, office.colleague.nip)
    result = invoke(runner, "token", "revoke", "--nip", office.employee.nip)
    assert result.exit_code == 0 and result.output.strip() == "Token dicabut: 3"
    assert [works(client, t) for t in mine] == [401, 401, 401]
    assert works(client, theirs) == 200
    assert "dicabut" in invoke(runner, "token", "list", "--nip", office.employee.nip).output


def test_token_revoke_refuses_what_it_cannot_find_and_changes_nothing(runner, client, office):
    token = new_token(runner, office.employee.nip)
    token_id = db.session.scalar(select(ApiToken.id))
    unknown = runner.invoke(args=["layani", "token", "revoke", "--id", str(token_id), "--id", "999"])
    assert unknown.exit_code == 1 and "Token tidak ditemukan: #999." in unknown.output
    nobody = runner.invoke(args=["layani", "token", "revoke", "--nip", "199001012015031999"])
    assert nobody.exit_code == 1 and "Pegawai dengan NIP ini tidak ditemukan." in nobody.output
    nothing = runner.invoke(args=["layani", "token", "revoke"])
    assert nothing.exit_code == 2 and "--id" in nothing.output
    assert works(client, token) == 200


def test_the_demo_password_passes_the_policy_and_is_the_one_the_docs_print(app):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run = (ROOT / "scripts" / "run").read_text(encoding="utf-8")
    assert f"password `{DEMO_PASSWORD}`" in readme and f'DEMO_PASSWORD="{DEMO_PASSWORD}"' in run
    assert "layani123" not in run
    for _key, nip, name, *_ in PEOPLE:
        assert password_problems(DEMO_PASSWORD, nip=nip, name=name) == []


def test_the_demo_seeds_its_people_with_the_demo_password(runner, client):
    result = invoke(runner, "demo")
    assert result.exit_code == 0 and f"Kata sandi semua akun: {DEMO_PASSWORD}" in result.output
    admin = next(p for p in PEOPLE if p[0] == "admin")
    WebClient(client).login(type("Person", (), {"nip": admin[1]}), DEMO_PASSWORD)
    assert db.session.scalar(select(func.count(UserSession.id))) == 1
