"""Fixtures of the page tests: scenarios a filer and the desk play through the pages."""
from __future__ import annotations

import pytest

from .anonymous import file_anonymously, track
from .helpers import fire, last_case


@pytest.fixture
def filer_tracking_answered_complaint(web, office) -> int:
    """An anonymous complaint filed through /aduan-anonim, which office.officer triages and answers on its
    page; then `web` is its filer's browser again, signed out and following the complaint by its tracking
    code alone. Answers the case id."""
    code = file_anonymously(web)
    case_id = last_case().id
    web.login(office.officer)
    fire(web, case_id, "triage")
    fire(web, case_id, "answer", "Sudah ditindaklanjuti.")
    web.logout()
    track(web, code)
    return case_id
