"""Fixtures for email in and out: an escalated case whose email was delivered, and the mail-in listener."""
from __future__ import annotations

import pytest

from layani_flow.services import mail_listener, outbox
from layani_flow.services.sweep import sweep_due_cases

from ..conftest import _free_port
from ..scenarios import LEVEL_1


@pytest.fixture
def escalated(clock, desk, kgb_filed_wednesday, smtp_server):
    """The KGB request filed on Wednesday that nobody claimed, escalated to the desk's head by email when its
    first response was due (Thursday 16.00 WIB, the clock's instant afterwards): (case id, the email)."""
    clock.set(LEVEL_1)
    sweep_due_cases()
    outbox.deliver_pending()
    escalations = [m for _, m in smtp_server.messages if "Eskalasi" in m["Subject"]]
    assert len(escalations) == 1
    return kgb_filed_wednesday.id, escalations[0]


@pytest.fixture
def dkim_dns():
    """What the listener asks instead of DNS for DKIM keys; None: DNS itself (a module may override)."""
    return None


@pytest.fixture
def mail_in(app, dkim_dns):
    """The `layani mail-in` listener on a free loopback port; yields the port."""
    port = _free_port()
    controller = mail_listener.start(app, "127.0.0.1", port, dkim_dns=dkim_dns)
    yield port
    controller.stop()
