"""Fixtures of the inbox tests: the mail-in listener, as the mail tests have it."""
from __future__ import annotations

from ..mail.conftest import dkim_dns, mail_in  # noqa: F401 (fixtures)
