"""Golongan (grade) and the pangkat (rank) it carries. Pure vocabulary: the user's `grade` holds the code
("III/a"), and everything that shows it says "Penata Muda, III/a". A PPPK golongan (I–XVII) has no pangkat
name (PP 49/2018). A later issue brings full HR data (TMT golongan, history); this is only what the intake
forms need to be prefilled."""
from __future__ import annotations

import re

PNS_PANGKAT: dict[str, str] = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur", "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I", "III/c": "Penata", "III/d": "Penata Tingkat I",
    "IV/a": "Pembina", "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda", "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
PPPK_GRADES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
               "XVI", "XVII")
GRADES: tuple[str, ...] = (*PNS_PANGKAT, *PPPK_GRADES)
_BY_KEY = {g.replace("/", "").lower(): g for g in GRADES}
GRADE_INVALID = "Golongan tidak dikenal; tulis seperti di SK, mis. III/a (PNS) atau IX (PPPK)."


def normalize_grade(value: str | None) -> str | None:
    """The grade's code from what was typed ("iii/a", "III a", "IIIa" → "III/a"); None when empty or unknown."""
    key = re.sub(r"[\s/.\-]+", "", value or "").lower()
    return _BY_KEY.get(key) if key else None


def grade_problem(value: str | None) -> str | None:
    """Why a typed grade is not one; None when it is one or when nothing was typed (the grade is optional)."""
    if not (value or "").strip():
        return None
    return None if normalize_grade(value) else GRADE_INVALID


def pangkat_golongan(grade: str | None) -> str:
    """"Penata Muda, III/a" for a PNS grade, "Golongan IX (PPPK)" for a PPPK one, "" for none."""
    if not grade:
        return ""
    if grade in PNS_PANGKAT:
        return f"{PNS_PANGKAT[grade]}, {grade}"
    return f"Golongan {grade} (PPPK)"


def grade_choices() -> list[tuple[str, str]]:
    return [("", "Belum diisi"), *((g, pangkat_golongan(g)) for g in GRADES)]
