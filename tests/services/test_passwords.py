"""The password policy (one rule function for every way a password is chosen) and email addresses as
create_user accepts them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import User
from layani_flow.services import users
from layani_flow.services.errors import InvalidInput
from layani_flow.services.passwords import password_problems

NIP = "198506222010012015"
NAME = "Siti Nurhaliza, S.A.P."
TOO_SHORT = "Kata sandi minimal 12 karakter."
HAS_NIP = "Kata sandi tidak boleh memuat NIP Anda."
IS_NAME = "Kata sandi tidak boleh berupa nama Anda."
COMMON = "Kata sandi ini termasuk yang paling sering dipakai dan mudah ditebak; pilih yang lain."
TOO_LONG = "Kata sandi maksimal 128 karakter."

RULES = [
    # password                                    problems
    ("ikan-tenggiri-bangka", []),
    ("tiga kata saja ya", []),                     # spaces count, no composition rules
    ("kepitingbakau", []),
    ("ïkän tênggírì 🐟🐟", []),                      # any Unicode character counts
    ("a" * 128, []),                               # 64+ allowed, up to 128
    ("a" * 129, [TOO_LONG]),
    ("", [TOO_SHORT]),
    ("pendek", [TOO_SHORT]),
    ("sebelas-kar", [TOO_SHORT]),                   # 11
    ("duabelas-kar", []),                           # 12
    (NIP, [HAS_NIP]),                               # the NIP itself
    (f"x{NIP}x", [HAS_NIP]),                        # containing it
    (f"sandi-{NIP}", [HAS_NIP]),
    ("sitinurhaliza", [IS_NAME]),                   # the name, without spaces
    ("Siti Nurhaliza", [IS_NAME]),                  # as written, any case
    ("SITI.NURHALIZA", [IS_NAME]),
    ("nurhaliza-2026", [IS_NAME]),                  # one of its words, with digits
    ("siti nurhaliza sap", [IS_NAME]),              # with the degree
    ("nurhaliza menulis puisi", []),                # a sentence with the name in it is fine
    ("password1234", [COMMON]),                     # leaked, exactly
    ("PASSWORD1234", [COMMON]),                     # in any case
    ("qwertyuiop12", [COMMON]),
    ("rahasia12345", [COMMON]),                     # a leaked word plus digits
    ("dragon2026!!!!", [COMMON]),                   # … plus digits and symbols
    ("rahasia-browser-123", []),                    # a leaked word inside a longer phrase is fine
    ("123456789012", []),                           # not in the lists at this length
    ("12345", [TOO_SHORT, COMMON]),                 # every reason at once
]


@pytest.mark.parametrize("password, problems", RULES, ids=[repr(p[:24]) for p, _ in RULES])
def test_password_rules(app, password, problems):
    assert password_problems(password, nip=NIP, name=NAME) == problems


def test_the_minimum_length_is_a_setting(app):
    app.config["PASSWORD_MIN_LENGTH"] = 16
    assert password_problems("duabelas-kar", nip=NIP, name=NAME) == ["Kata sandi minimal 16 karakter."]
    assert password_problems("enam-belas-karakter", nip=NIP, name=NAME) == []


def _create(**overrides):
    data = {"nip": NIP, "name": NAME, "email": "siti@dkp.babelprov.go.id", "role": "officer",
            "password": "ikan-tenggiri-bangka", **overrides}
    return users.create_user(**data)


@pytest.mark.parametrize("password, problem", [("pendek", TOO_SHORT), (NIP, HAS_NIP), ("sitinurhaliza", IS_NAME),
                                               ("password1234", COMMON)])
def test_create_user_applies_the_policy(app, password, problem):
    with pytest.raises(InvalidInput) as raised:
        _create(password=password)
    assert problem in raised.value.errors["password"]
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_user_records_when_the_password_was_chosen(app, clock):
    user = _create()
    assert db.session.get(User, user.id).password_changed_at == clock.now()


EMAILS = [
    # given                                        stored
    ("siti@dkp.babelprov.go.id", "siti@dkp.babelprov.go.id"),
    ("  Siti.Nurhaliza@DKP.Babelprov.go.id ", "siti.nurhaliza@dkp.babelprov.go.id"),
    ("siti+layani@gmail.com", "siti+layani@gmail.com"),
    ("x@bücher.de", "x@xn--bcher-kva.de"),        # IDN domain stored in ASCII
]
BAD_EMAILS = [
    ("bukan-email", "Alamat email tidak valid."),
    ("siti@", "Alamat email tidak valid."),
    ("@dkp.babelprov.go.id", "Alamat email tidak valid."),
    ("siti@localhost", "Alamat email tidak valid."),
    ("siti@@dkp.go.id", "Alamat email tidak valid."),
    ("Siti <siti@dkp.babelprov.go.id>", "Alamat email tidak valid."),
    ("sïti@dkp.babelprov.go.id", "Alamat email tidak valid."),   # would need SMTPUTF8
    ("siti@dkp.babelprov.go.id\r\nBcc: semua@contoh.id", "karakter kontrol"),
    ("siti@dkp.babelprov.go.id\nBcc: semua@contoh.id", "karakter kontrol"),
    ("siti\r@dkp.babelprov.go.id", "karakter kontrol"),
    ("si\tti@dkp.babelprov.go.id", "karakter kontrol"),
    ("siti\x00@dkp.babelprov.go.id", "karakter kontrol"),
    ("si\u200bti@dkp.babelprov.go.id", "karakter kontrol"),     # zero-width space
    ("siti@dkp.babelprov\u2028.go.id", "karakter kontrol"),     # line separator
    ("", "wajib diisi"),
    ("   ", "wajib diisi"),
    ("a" * 64 + "@" + ("b" * 60 + ".") * 4 + "id", "Alamat email"),
]


@pytest.mark.parametrize("given, stored", EMAILS)
def test_normalized_email(app, given, stored):
    assert users.normalized_email(given) == stored


@pytest.mark.parametrize("given, message", BAD_EMAILS, ids=[repr(g[:30]) for g, _ in BAD_EMAILS])
def test_normalized_email_refuses(app, given, message):
    with pytest.raises(InvalidInput) as raised:
        users.normalized_email(given)
    assert message in " ".join(raised.value.errors["email"])


@pytest.mark.parametrize("given, message", BAD_EMAILS[:10], ids=[repr(g[:30]) for g, _ in BAD_EMAILS[:10]])
def test_create_user_refuses_a_bad_email_and_writes_nothing(app, given, message):
    with pytest.raises(InvalidInput) as raised:
        _create(email=given)
    assert message in " ".join(raised.value.errors["email"])
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_user_stores_the_normalized_email_and_compares_duplicates_on_it(app):
    assert _create(email=" Siti@DKP.babelprov.go.id").email == "siti@dkp.babelprov.go.id"
    with pytest.raises(InvalidInput) as raised:
        _create(nip="199001102015031003", email="SITI@dkp.babelprov.go.id ")
    assert raised.value.errors["email"] == ["Email sudah dipakai pegawai lain."]
