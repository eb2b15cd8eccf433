"""People and credentials: NIP rules, uniqueness, passwords and hashed API tokens."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from layani_flow.extensions import db
from layani_flow.models import ApiToken, User
from layani_flow.services import users
from layani_flow.services.errors import InvalidInput, NotFound

from ..factories import UserFactory

GOOD_NIP = "198506222010012015"  # born 1985-06-22, TMT 2010-01, woman, no. 015


def make(**overrides):
    data = dict(nip=GOOD_NIP, name="Siti Nurhaliza", email="siti@dkp.babelprov.go.id", role="officer",
                password="rahasia-sekali")
    data.update(overrides)
    return users.create_user(**data)


def test_create_user(app):
    user = make(nip=f" {GOOD_NIP} ", name="  Siti Nurhaliza ", email=" Siti@DKP.babelprov.go.id ", unit="Umum")
    stored = db.session.get(User, user.id)
    assert (stored.nip, stored.name, stored.email, stored.role, stored.unit) == (
        GOOD_NIP, "Siti Nurhaliza", "siti@dkp.babelprov.go.id", "officer", "Umum")
    assert "rahasia-sekali" not in stored.password_hash
    assert stored.superior_id is None and stored.is_active


@pytest.mark.parametrize("nip", [
    "199203152019032011",  # PNS, TMT March
    "199711302023212001",  # PPPK: 21 in the TMT month position
    "196603101990121002",  # TMT December
])
def test_valid_nips(app, nip):
    assert make(nip=nip).nip == nip


BAD_NIPS = {
    "too short": ("19850622201001201", "18 angka"),
    "too long": ("1985062220100120155", "18 angka"),
    "letters": ("19850622201001201X", "18 angka"),
    "empty": ("", "18 angka"),
    "unicode digits": ("١٩٨٥٠٦٢٢٢٠١٠٠١٢٠١٥", "18 angka"),
    "unicode digits with an ASCII tail": ("١٩٨٥٠٦٢٢٢٠١٠٠١2015", "18 angka"),
    "superscripts": ("¹⁹⁸⁵⁰⁶²²²⁰¹⁰⁰¹²⁰¹⁵", "18 angka"),
    "no such birth date": ("198502302010012015", "tanggal lahir"),
    "birth month 13": ("198513222010012015", "tanggal lahir"),
    "TMT month 00": ("198506222010002015", "TMT"),
    "TMT month 13": ("198506222010132015", "TMT"),
    "TMT month 20": ("198506222010202015", "TMT"),
    "gender 0": ("198506222010010015", "jenis kelamin"),
    "gender 3": ("198506222010013015", "jenis kelamin"),
}


@pytest.mark.parametrize("nip, message", BAD_NIPS.values(), ids=BAD_NIPS.keys())
def test_invalid_nips_are_refused_with_a_reason(app, nip, message):
    with pytest.raises(InvalidInput) as info:
        make(nip=nip)
    assert message in info.value.errors["nip"][0]
    assert db.session.scalar(select(User.id)) is None


@pytest.mark.parametrize("field, value", [
    ("role", "boss"), ("role", ""), ("name", "   "), ("email", "bukan-email"), ("email", "a@" + "b" * 260),
    ("password", "pendek"),
])
def test_other_fields_are_checked(app, field, value):
    with pytest.raises(InvalidInput) as info:
        make(**{field: value})
    assert list(info.value.errors) == [field]


def test_all_problems_are_reported_at_once(app):
    with pytest.raises(InvalidInput) as info:
        make(nip="123", role="boss", name="", email="x", password="")
    assert set(info.value.errors) == {"nip", "role", "name", "email", "password"}


def test_duplicates_and_unknown_superior(app):
    make()
    with pytest.raises(InvalidInput) as info:
        make(email="lain@dkp.babelprov.go.id")
    assert info.value.errors == {"nip": ["NIP sudah terdaftar."]}
    with pytest.raises(InvalidInput) as info:
        make(nip="199001102015031003", email="SITI@dkp.babelprov.go.id")
    assert info.value.errors == {"email": ["Email sudah dipakai pegawai lain."]}
    with pytest.raises(InvalidInput) as info:
        make(nip="199001102015031003", email="rudi@dkp.babelprov.go.id", superior_nip="199001012015031999")
    assert list(info.value.errors) == ["superior"]
    assert db.session.scalars(select(User.nip)).all() == [GOOD_NIP]


def test_superior_is_linked(app):
    boss = make(role="supervisor")
    user = make(nip="199001102015031003", email="rudi@dkp.babelprov.go.id", superior_nip=boss.nip)
    assert db.session.get(User, user.id).superior_id == boss.id


def test_authenticate(app):
    user = make()
    assert users.authenticate(GOOD_NIP, "rahasia-sekali").id == user.id
    assert users.authenticate(f" {GOOD_NIP}\n", "rahasia-sekali").id == user.id
    assert users.authenticate(GOOD_NIP, "salah") is None
    assert users.authenticate(GOOD_NIP, "") is None
    assert users.authenticate("199001012015031999", "rahasia-sekali") is None
    assert users.authenticate(None, None) is None
    user.is_active_account = False
    db.session.commit()
    assert users.authenticate(GOOD_NIP, "rahasia-sekali") is None


def test_tokens_are_stored_hashed_and_resolve_to_their_user(app):
    user = UserFactory()
    token = users.create_token(user.nip, "skrip")
    second = users.create_token(user.nip)
    assert token != second and token.startswith(users.TOKEN_PREFIX) and len(token) > 40
    rows = db.session.scalars(select(ApiToken)).all()
    assert len(rows) == 2
    for row in rows:
        assert token not in row.token_hash and second not in row.token_hash
        assert len(row.token_hash) == 64 and row.user_id == user.id
        for column in ApiToken.__table__.columns:
            assert getattr(row, column.key) not in (token, second)
    assert users.user_for_token(token).id == user.id
    assert users.user_for_token(second).id == user.id


def test_revoked_unknown_and_malformed_tokens_fail(app, clock):
    user = UserFactory()
    token = users.create_token(user.nip)
    for bad in ("", None, "lyn_bukan-token", token[:-1], token + "x", token.removeprefix("lyn_"), "x" * 300,
                users.TOKEN_PREFIX + "a" * 300):
        assert users.user_for_token(bad) is None, bad
    row = db.session.scalars(select(ApiToken)).one()
    row.revoked_at = clock.now()
    db.session.commit()
    assert users.user_for_token(token) is None


def test_a_deactivated_users_token_fails(app):
    user = UserFactory()
    token = users.create_token(user.nip)
    user.is_active_account = False
    db.session.commit()
    assert users.user_for_token(token) is None


def test_a_token_for_an_unknown_nip_is_refused(app):
    with pytest.raises(NotFound):
        users.create_token("199001012015031999")
    assert db.session.scalar(select(ApiToken.id)) is None
