"""Passwords a person chooses: the policy, one rule function for every path that sets a password.

The policy applies when a password is chosen (creating a user, the change page, the link), never at
sign-in: an account keeps working with the password it has until that person or an admin changes it.
"""
from __future__ import annotations

import functools
import re

from flask import current_app

from .errors import InvalidInput

# ASVS 2.1.2: at least 64 characters allowed, at most 128; nothing is ever cut off (2.1.3) and every
# character counts, spaces and emoji included (2.1.4). No composition rules (2.1.9).
MAX_LENGTH = 128


# -- the policy ------------------------------------------------------------------------------------

@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords of zxcvbn's frequency lists (leaks), lowercased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


_TRAILING = re.compile(r"[\W\d_]+$")
_LETTERS = re.compile(r"[^a-z]+")


def _is_common(password: str) -> bool:
    """A leaked password, as is or with digits and symbols added at its end ("dragon2026!!")."""
    lowered = password.lower()
    common = _common_passwords()
    core = _TRAILING.sub("", lowered)
    return lowered in common or (len(core) >= 4 and core in common)


def _name_forms(name: str) -> set[str]:
    """The person's name as letters only: whole, without the degrees after the comma, and each word of
    three letters or more ("Siti Nurhaliza, S.A.P." → sitinurhalizasap, sitinurhaliza, siti, nurhaliza)."""
    forms = set()
    for text in (name, name.split(",")[0]):
        words = [_LETTERS.sub("", w) for w in text.lower().split()]
        forms.add("".join(words))
        forms.update(w for w in words if len(w) >= 3)
    forms.discard("")
    return forms


def password_problems(password: str, *, nip: str = "", name: str = "") -> list[str]:
    """Why `password` may not be chosen by the person with this NIP and name; empty when it may."""
    password = password or ""
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    problems = []
    if len(password) < minimum:
        problems.append(f"Kata sandi minimal {minimum} karakter.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Kata sandi maksimal {MAX_LENGTH} karakter.")
    nip = (nip or "").strip()
    if nip and nip in password:
        problems.append("Kata sandi tidak boleh memuat NIP Anda.")
    if name and _LETTERS.sub("", password.lower()) in _name_forms(name):
        problems.append("Kata sandi tidak boleh berupa nama Anda.")
    if _is_common(password):
        problems.append("Kata sandi ini termasuk yang paling sering dipakai dan mudah ditebak; pilih yang lain.")
    return problems


def check_new_password(password: str, *, nip: str, name: str, field: str = "password") -> None:
    """InvalidInput (422) with the policy's reasons under `field`."""
    if problems := password_problems(password, nip=nip, name=name):
        raise InvalidInput("Kata sandi baru belum memenuhi ketentuan.", {field: problems})
