"""Fixtures of the inbox tests: the mail-in listener, as the mail tests have it."""
from __future__ import annotations

import pytest

from ..mail.conftest import dkim_dns, mail_in  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _inbox_count_matches(inbox_count_matches):
    """Every scenario here also holds the header's count equal to the inbox's length."""
