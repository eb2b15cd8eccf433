"""A supervisor acts on an escalation from the email itself: links (confirm on GET, act on POST) and
replies, over a real SMTP server on loopback, parsed with the standard email package."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from layani_flow.models import Case, CaseClock

from ..conftest import csrf_token_from
from ..timekit import wib
from ..views.helpers import open_browser
from .helpers import events as _events
from .helpers import links as _links
from .helpers import send_reply


@pytest.fixture
def app_config(mail_config):
    return mail_config


def test_the_email_is_indonesian_html_and_text_with_signed_links_and_reply_address(escalated, office):
    case_id, message = escalated
    assert message["To"] == office.kasubbag.email
    assert message["Subject"].strip().startswith("[LYN-2026-")  # long subjects are folded (legal, RFC 5322)
    assert message["Reply-To"].startswith("balas+")
    assert "Tindakan yang dapat Anda ambil" in message.get_body(("plain",)).get_content()
    assert "Ambil alih dan tangani" in message.get_body(("html",)).get_content()
    assert set(_links(message)) == {"ambil_alih", "alihkan", "perpanjang", "instruksi"}


def test_opening_a_link_changes_nothing_and_confirming_takes_charge_once(escalated, client, db, office):
    case_id, message = escalated
    path = _links(message)["ambil_alih"]
    before = len(_events(db, case_id))

    page = client.get(path)
    assert page.status_code == 200 and "Konfirmasi" in page.get_data(as_text=True)
    assert client.get(path).status_code == 200  # a mail scanner opening it twice: still nothing
    assert len(_events(db, case_id)) == before
    assert db.session.get(Case, case_id).owner_id is None

    token = csrf_token_from(page.get_data(as_text=True))
    done = client.post(path, data={"csrf_token": token, "note": "Saya tangani."})
    assert done.status_code == 200, done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case_id).owner_id == office.kasubbag.id
    last = _events(db, case_id)[-1]
    assert (last.kind, last.actor_id, last.data["via"]) == ("assignment", office.kasubbag.id, "email")

    again = client.post(path, data={"csrf_token": token})
    assert again.status_code == 409


def test_a_link_opened_by_someone_else_signed_in_is_refused(escalated, app, db, office):
    """Forwarded, or opened in a colleague's browser: neither the page nor the POST acts for the addressee."""
    case_id, message = escalated
    path = _links(message)["ambil_alih"]
    web = open_browser(app, office.officer)
    expected = (f"Tautan ini ditujukan kepada {office.kasubbag.name}; Anda masuk sebagai {office.officer.name}. "
                "Keluar dulu atau buka dari email Anda sendiri.")
    for response in (web.get(path), web.post_form(path, {"note": "Saya ambil."})):
        assert response.status_code == 403 and expected in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case_id).owner_id is None

    web.logout()
    web.login(office.kasubbag)  # the addressee, signed in, may use it
    assert web.get(path).status_code == 200
    assert web.post_form(path, {"note": "Saya tangani."}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Case, case_id).owner_id == office.kasubbag.id


def test_a_post_without_csrf_or_with_a_forged_token_changes_nothing(escalated, client, db):
    case_id, message = escalated
    path = _links(message)["ambil_alih"]
    assert client.post(path, data={}).status_code == 400
    forged = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    assert client.get(forged).status_code == 400
    assert db.session.get(Case, case_id).owner_id is None


def test_links_expire(escalated, client, clock, db):
    case_id, message = escalated
    clock.advance(hours=73)
    page = client.get(_links(message)["ambil_alih"])
    assert page.status_code == 400 and "kedaluwarsa" in page.get_data(as_text=True)


def test_extending_the_deadline_needs_a_reason_and_starts_a_new_cycle(escalated, client, db):
    case_id, message = escalated
    path = _links(message)["perpanjang"]
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    refused = client.post(path, data={"csrf_token": token, "days": "3"})
    assert refused.status_code == 422 and "alasan" in refused.get_data(as_text=True).lower()
    ok = client.post(path, data={"csrf_token": token, "days": "3", "note": "Menunggu data SIASN."})
    assert ok.status_code == 200
    db.session.expire_all()
    cycles = db.session.scalars(select(CaseClock).where(CaseClock.case_id == case_id,
                                                        CaseClock.name == "first_response")
                                .order_by(CaseClock.cycle)).all()
    assert [c.cycle for c in cycles] == [1, 2]
    assert cycles[0].stopped_at is not None
    assert cycles[1].due_at == wib(2026, 12, 2, 16, 0)  # Thursday 16:00 has closed: day 0 is Friday, +3


def test_a_reply_with_a_command_reassigns_and_a_stranger_changes_nothing(escalated, mail_in, db, office):
    case_id, message = escalated
    reply_to = message["Reply-To"]

    send_reply(mail_in, "penyusup@contoh.id", reply_to, f"ALIHKAN {office.officer.nip}", "<x1@contoh.id>")
    db.session.expire_all()
    assert db.session.get(Case, case_id).owner_id is None

    quoted = f"ALIHKAN {office.officer.nip}\nTolong segera diproses.\n\nPada Kamis menulis:\n> Eskalasi tingkat 1"
    send_reply(mail_in, office.kasubbag.email, reply_to, quoted, "<r1@dkp.babelprov.go.id>")
    send_reply(mail_in, office.kasubbag.email, reply_to, quoted, "<r1@dkp.babelprov.go.id>")  # delivered twice
    db.session.expire_all()
    assert db.session.get(Case, case_id).owner_id == office.officer.id
    assignments = [e for e in _events(db, case_id) if e.kind == "assignment"]
    assert len(assignments) == 1 and assignments[0].comment == "Tolong segera diproses."

    send_reply(mail_in, office.kasubbag.email, reply_to, "Mohon kabari saya hasilnya.", "<r2@dkp.babelprov.go.id>")
    note = _events(db, case_id)[-1]
    assert (note.kind, note.is_internal, note.comment) == ("note", True, "Mohon kabari saya hasilnya.")


def test_a_reply_to_a_tampered_address_changes_nothing(escalated, mail_in, db, office):
    case_id, message = escalated
    tampered = re.sub(r"-([a-z2-7]{16})@", "-aaaaaaaaaaaaaaaa@", message["Reply-To"])
    before = len(_events(db, case_id))
    send_reply(mail_in, office.kasubbag.email, tampered, "SETUJU", "<t1@dkp.babelprov.go.id>")
    assert len(_events(db, case_id)) == before
