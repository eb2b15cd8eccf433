"""A cuti reaches its approver: the email, received by a real SMTP server on loopback, with links that
confirm on GET and act on POST (once; expired or forged ones refused), and SETUJU / TOLAK replies."""
from __future__ import annotations

import re

import pytest

from layani_flow.models import Case
from layani_flow.services import cases as case_service
from layani_flow.services import outbox

from ..conftest import csrf_token_from
from ..mail.helpers import events, send_reply
from ..scenarios import FILED_WEDNESDAY
from ..services.helpers import CUTI

LINK = re.compile(r"http://localhost(/email/aksi/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def app_config(mail_config):
    return mail_config


def approval_links(message) -> dict[str, str]:
    text = message.get_body(("plain",)).get_content()
    found = {}
    for label, key in (("Setujui permohonan", "setujui"), ("Tolak permohonan", "tolak")):
        line = next(line for line in text.splitlines() if line.startswith(f"- {label}"))
        found[key] = LINK.search(line).group(1)
    return found


@pytest.fixture
def asked(clock, desk, smtp_server):
    """office.employee files a cuti; the email to their superior (the kabid) is delivered: (case id, email)."""
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", CUTI, desk.employee).case
    outbox.deliver_pending()
    mails = [m for rcpt, m in smtp_server.messages if desk.kabid.email in rcpt]
    assert len(mails) == 1
    return case.id, mails[0]


def test_the_superior_is_emailed_in_indonesian_with_links_a_case_link_and_a_reply_address(asked, desk):
    case_id, message = asked
    assert message["To"] == desk.kabid.email
    assert "Mohon persetujuan Anda" in message["Subject"] and desk.employee.name in message["Subject"]
    assert message["Reply-To"].startswith("balas+")
    text = message.get_body(("plain",)).get_content()
    assert f"Lihat kasus: http://localhost/kasus/{case_id}" in text
    assert "SETUJU" in text and "TOLAK <alasan>" in text
    assert "Setujui permohonan" in message.get_body(("html",)).get_content()
    assert set(approval_links(message)) == {"setujui", "tolak"}


def test_opening_the_link_changes_nothing_and_confirming_approves_once(asked, client, db, desk):
    case_id, message = asked
    path = approval_links(message)["setujui"]
    before = len(events(db, case_id))
    page = client.get(path)
    assert page.status_code == 200 and "Konfirmasi: Setujui permohonan" in page.get_data(as_text=True)
    assert client.get(path).status_code == 200
    db.session.expire_all()
    assert len(events(db, case_id)) == before
    assert db.session.get(Case, case_id).state == "awaiting_superior"

    token = csrf_token_from(page.get_data(as_text=True))
    done = client.post(path, data={"csrf_token": token})
    assert done.status_code == 200, done.get_data(as_text=True)
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.state == "submitted"
    last = [e for e in events(db, case_id) if e.kind == "transition"][-1]
    assert (last.trigger, last.actor_id) == ("superior_approve", desk.kabid.id)
    assert client.post(path, data={"csrf_token": token}).status_code == 409  # single use
    decline = approval_links(message)["tolak"]
    assert client.get(decline).status_code == 409  # no longer waiting on the superior


def test_declining_needs_a_reason(asked, client, db):
    case_id, message = asked
    path = approval_links(message)["tolak"]
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    refused = client.post(path, data={"csrf_token": token})
    assert refused.status_code == 422 and "alasan" in refused.get_data(as_text=True).lower()
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "awaiting_superior"
    done = client.post(path, data={"csrf_token": token, "note": "Bertepatan dengan audit."})
    assert done.status_code == 200
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.state == "rejected"
    assert events(db, case_id)[-1].comment == "Bertepatan dengan audit." or any(
        e.comment == "Bertepatan dengan audit." for e in events(db, case_id))


def test_forged_expired_and_csrf_less_posts_change_nothing(asked, client, clock, db):
    case_id, message = asked
    path = approval_links(message)["setujui"]
    assert client.post(path, data={}).status_code == 400  # no CSRF token
    forged = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    assert client.get(forged).status_code == 400
    clock.advance(hours=73)
    page = client.get(path)
    assert page.status_code == 400 and "kedaluwarsa" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "awaiting_superior"


def test_a_link_opened_by_someone_else_signed_in_is_refused(asked, app, db, desk):
    from ..views.helpers import open_browser

    case_id, message = asked
    web = open_browser(app, desk.employee)  # the requester cannot approve their own leave through the link
    path = approval_links(message)["setujui"]
    assert web.get(path).status_code == 403
    assert web.post_form(path, {}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "awaiting_superior"


def test_a_reply_setuju_approves_and_tolak_declines_with_its_reason(clock, desk, smtp_server, mail_in, db):
    clock.set(FILED_WEDNESDAY)
    first = case_service.open_case("service_request", CUTI, desk.employee).case
    second = case_service.open_case("service_request", CUTI, desk.colleague).case
    outbox.deliver_pending()
    by_case = {}
    for rcpt, message in smtp_server.messages:
        if desk.kabid.email in rcpt:
            by_case[first.id if first.ref in message["Subject"] else second.id] = message
    send_reply(mail_in, "penyusup@contoh.id", by_case[first.id]["Reply-To"], "SETUJU", "<f1@contoh.id>")
    db.session.expire_all()
    assert db.session.get(Case, first.id).state == "awaiting_superior"

    send_reply(mail_in, desk.kabid.email, by_case[first.id]["Reply-To"], "SETUJU\n\n> Mohon persetujuan",
               "<a1@dkp.babelprov.go.id>")
    send_reply(mail_in, desk.kabid.email, by_case[second.id]["Reply-To"], "TOLAK sedang ada tugas lapangan",
               "<a2@dkp.babelprov.go.id>")
    db.session.expire_all()
    assert db.session.get(Case, first.id).state == "submitted"
    declined = db.session.get(Case, second.id)
    assert declined.state == "rejected"
    last = [e for e in events(db, second.id) if e.kind == "transition"][-1]
    assert (last.trigger, last.actor_id, last.comment) == ("superior_decline", desk.kabid.id,
                                                            "sedang ada tugas lapangan")
