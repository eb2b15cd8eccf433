"""Replies to escalation emails, end to end: sent with smtplib to the `layani mail-in` listener (aiosmtpd on
loopback), read off the case's timeline, the outbox and the log."""
from __future__ import annotations

import logging

import pytest

from layani_flow.models import Case
from layani_flow.services import outbox, tokens

from .helpers import converse, events, inbound, links, notes, refusal_notices, reply, send


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def reply_to(escalated):
    return escalated[1]["Reply-To"]


def test_a_reply_from_the_addressee_becomes_one_note_however_often_it_is_delivered(
        escalated, reply_to, mail_in, db, office):
    case_id, _ = escalated
    raw = reply(office.kasubbag.email, reply_to, "Mohon dipercepat, pemohon sudah menunggu.", "<n1@dkp.babelprov.go.id>")
    for _ in range(3):  # a mail server that lost our 250 delivers again
        send(mail_in, office.kasubbag.email, reply_to, raw)
    [note] = notes(db, case_id)
    assert (note.actor_id, note.is_internal, note.comment) == (
        office.kasubbag.id, True, "Mohon dipercepat, pemohon sudah menunggu.")
    assert [(m.case_id, m.user_id, m.outcome) for m in inbound(db)] == [(case_id, office.kasubbag.id, "note")]
    assert refusal_notices(db) == []


def test_quoted_history_and_the_signature_are_left_out(escalated, reply_to, mail_in, db, office):
    case_id, _ = escalated
    body = "Sudah saya cek.\nLanjutkan.\n-- \nKasubbag Kepegawaian\n\n> Eskalasi tingkat 1"
    send(mail_in, office.kasubbag.email, reply_to, reply(office.kasubbag.email, reply_to, body, "<q1@x.id>"))
    assert [n.comment for n in notes(db, case_id)] == ["Sudah saya cek.\nLanjutkan."]


def test_a_reply_without_message_id_is_recognised_by_its_bytes(escalated, reply_to, mail_in, db, office):
    case_id, _ = escalated
    raw = reply(office.kasubbag.email, reply_to, "Tanpa Message-ID.")
    assert b"\r\nMessage-ID:" not in raw
    send(mail_in, office.kasubbag.email, reply_to, raw)
    send(mail_in, office.kasubbag.email, reply_to, raw)
    assert [n.comment for n in notes(db, case_id)] == ["Tanpa Message-ID."]
    send(mail_in, office.kasubbag.email, reply_to, reply(office.kasubbag.email, reply_to, "Yang kedua."))
    assert [n.comment for n in notes(db, case_id)] == ["Tanpa Message-ID.", "Yang kedua."]


@pytest.mark.parametrize("envelope, header", [("registered", "forger"), ("forger", "registered")],
                         ids=["From matches, envelope does not", "envelope matches, From does not"])
def test_a_reply_not_sent_from_the_registered_address_changes_nothing_and_the_addressee_is_told(
        escalated, reply_to, mail_in, db, office, smtp_server, envelope, header):
    case_id, _ = escalated
    who = {"registered": office.kasubbag.email, "forger": "penyusup@contoh.id"}
    before = len(events(db, case_id))
    send(mail_in, who[envelope], reply_to, reply(who[header], reply_to, "SETUJU", "<f1@contoh.id>"))
    send(mail_in, who[envelope], reply_to, reply(who[header], reply_to, "Catatan palsu.", "<f2@contoh.id>"))

    assert len(events(db, case_id)) == before
    assert db.session.get(Case, case_id).owner_id is None
    [notice] = refusal_notices(db)  # two refusals, one notice: the second falls in the same hour
    assert notice.to_addr == office.kasubbag.email and notice.case_id == case_id
    assert "tidak diproses" in notice.subject and "bukan alamat email Anda yang terdaftar" in notice.body_text
    assert "penyusup" not in notice.body_text + notice.body_html + notice.subject  # nothing of the forger's
    assert notice.reply_to is None  # answering the notice reaches the office, not the listener

    outbox.deliver_pending()
    delivered = [(to, m) for to, m in smtp_server.messages if "tidak diproses" in m["Subject"]]
    assert [to for to, _ in delivered] == [[office.kasubbag.email]]


def test_refusal_notices_are_at_most_one_per_person_per_window(escalated, reply_to, mail_in, db, office, clock):
    forged = reply("penyusup@contoh.id", reply_to, "SETUJU")
    send(mail_in, "penyusup@contoh.id", reply_to, forged)
    clock.advance(minutes=59)
    send(mail_in, "penyusup@contoh.id", reply_to, forged)
    assert len(refusal_notices(db)) == 1
    clock.advance(minutes=2)  # 61 minutes after the first notice
    send(mail_in, "penyusup@contoh.id", reply_to, forged)
    assert [n.to_addr for n in refusal_notices(db)] == [office.kasubbag.email] * 2


def test_a_party_to_the_case_gets_no_path_around_the_rules(escalated, mail_in, db, office, app):
    """The requester holding a valid reply address of their own case still cannot write an internal note."""
    case_id, _ = escalated
    address = tokens.reply_address(case_id, office.employee.id, outbox.mail_domain())
    before = len(events(db, case_id))
    send(mail_in, office.employee.email, address, reply(office.employee.email, address, "Saya setujui sendiri."))
    send(mail_in, office.employee.email, address, reply(office.employee.email, address, "SETUJU"))
    assert len(events(db, case_id)) == before
    assert db.session.get(Case, case_id).owner_id is None
    [notice] = refusal_notices(db)
    assert notice.to_addr == office.employee.email and "Catatan internal hanya untuk petugas" in notice.body_text


def test_a_long_reply_is_cut_with_a_note_not_dropped(escalated, reply_to, mail_in, db, office):
    case_id, _ = escalated
    long_text = "Mohon ditindaklanjuti segera. " * 300  # 9,000 characters
    send(mail_in, office.kasubbag.email, reply_to, reply(office.kasubbag.email, reply_to, long_text, "<l1@x.id>"))
    [note] = notes(db, case_id)
    assert len(note.comment) <= 5000
    assert note.comment.startswith("Mohon ditindaklanjuti segera. Mohon")
    assert note.comment.endswith("… [dipotong: balasan lebih dari 5.000 karakter]")


def test_a_long_command_reason_is_cut_too(escalated, reply_to, mail_in, db, office):
    case_id, _ = escalated
    text = f"ALIHKAN {office.officer.nip}\n" + "Alasan panjang. " * 400
    send(mail_in, office.kasubbag.email, reply_to, reply(office.kasubbag.email, reply_to, text, "<l2@x.id>"))
    [assignment] = [e for e in events(db, case_id) if e.kind == "assignment"]
    assert assignment.comment.endswith("… [dipotong: balasan lebih dari 5.000 karakter]")
    assert db.session.get(Case, case_id).owner_id == office.officer.id


def test_the_configured_limit_cuts_shorter(escalated, reply_to, mail_in, db, office, app):
    case_id, _ = escalated
    app.config["MAIL_IN_MAX_CHARS"] = 200
    send(mail_in, office.kasubbag.email, reply_to, reply(office.kasubbag.email, reply_to, "x" * 300, "<l3@x.id>"))
    [note] = notes(db, case_id)
    assert len(note.comment) == 200 and note.comment.endswith("[dipotong: balasan lebih dari 200 karakter]")


@pytest.mark.parametrize("hours", [72, 5])
def test_reply_address_and_links_expire_together(escalated, reply_to, mail_in, db, office, client, clock, app, hours):
    case_id, message = escalated
    app.config["EMAIL_LINK_MAX_AGE_HOURS"] = hours
    link = links(message)["instruksi"]
    clock.advance(hours=hours, minutes=-1)  # the email was sent at the clock's current instant
    assert client.get(link).status_code == 200  # the confirmation page; nothing is used up
    send(mail_in, office.kasubbag.email, reply_to, reply(office.kasubbag.email, reply_to, "Masih berlaku.", "<e1@x.id>"))
    assert [n.comment for n in notes(db, case_id)] == ["Masih berlaku."]

    clock.advance(minutes=2)
    page = client.get(link)
    assert page.status_code == 400 and "kedaluwarsa" in page.get_data(as_text=True)
    send(mail_in, office.kasubbag.email, reply_to, reply(office.kasubbag.email, reply_to, "Terlambat.", "<e2@x.id>"))
    assert [n.comment for n in notes(db, case_id)] == ["Masih berlaku."]
    [notice] = refusal_notices(db)
    assert "kedaluwarsa" in notice.body_text and f"berlaku {hours} jam" in notice.body_text


def test_an_address_of_the_earlier_day_number_form_is_expired(escalated, mail_in, db, office, app):
    """Addresses sent before this change carried a day number; read as seconds it is 1970."""
    case_id, _ = escalated
    core = f"{case_id}-{office.kasubbag.id}-{20_000:x}"
    address = f"balas+{core}-{tokens._mac(core)}@{outbox.mail_domain()}"
    with pytest.raises(tokens.ReplyAddressExpired):
        tokens.read_reply_address(address)
    send(mail_in, office.kasubbag.email, address, reply(office.kasubbag.email, address, "Catatan lama."))
    assert notes(db, case_id) == []


def test_the_reply_address_fits_the_64_character_local_part(app, clock):
    clock.advance(days=365 * 200)  # hex seconds grow by one digit only after the year 2106
    address = tokens.reply_address(9_999_999_999, 9_999_999_999, "dkp.babelprov.go.id")
    assert len(address.partition("@")[0]) <= 64
    claim = tokens.read_reply_address(address.upper())  # mail servers may change the case
    assert (claim.case_id, claim.user_id) == (9_999_999_999, 9_999_999_999)


@pytest.mark.parametrize("spoil", [
    lambda a: a.replace("balas+", "balas+0"),  # a leading zero: another spelling of the same numbers
    lambda a: a.replace("balas+", "balas+\u0661"),  # an Arabic-Indic digit, which int() would read
    lambda a: a.replace("-", "_", 1),
])
def test_a_reply_address_has_one_spelling(app, spoil):
    address = tokens.reply_address(12, 34, "x.id")
    with pytest.raises(tokens.InvalidLink):
        tokens.read_reply_address(spoil(address))


def test_an_automatic_reply_is_neither_acted_on_nor_answered(escalated, reply_to, mail_in, db, office):
    case_id, _ = escalated
    out_of_office = reply(office.kasubbag.email, reply_to, "Saya sedang cuti sampai Senin.", "<a1@x.id>",
                          Auto_Submitted="auto-replied")
    send(mail_in, office.kasubbag.email, reply_to, out_of_office)
    assert notes(db, case_id) == [] and refusal_notices(db) == []


def test_logs_never_carry_a_reply_address_a_sender_or_the_text(escalated, reply_to, mail_in, db, office, caplog,
                                                               clock):
    """Every path: accepted, delivered again, forged, tampered, not ours, refused by the rules, expired."""
    case_id, _ = escalated
    caplog.set_level(logging.DEBUG)
    me, forger = office.kasubbag.email, "penyusup@contoh.id"
    tampered = reply_to.split("-")
    tampered = "-".join(tampered[:-1] + ["a" * 16 + "@" + tampered[-1].partition("@")[2]])
    requester_address = tokens.reply_address(case_id, office.employee.id, outbox.mail_domain())
    sends = [
        (me, reply_to, reply(me, reply_to, "Catatan rahasia satu.", "<g1@x.id>")),
        (me, reply_to, reply(me, reply_to, "Catatan rahasia satu.", "<g1@x.id>")),
        (forger, reply_to, reply(forger, reply_to, "Catatan rahasia dua.", "<g2@x.id>")),
        (me, tampered, reply(me, tampered, "Catatan rahasia tiga.", "<g3@x.id>")),
        (me, "balas+bukan-alamat@x.id", reply(me, "balas+bukan-alamat@x.id", "Catatan rahasia empat.")),
        (office.employee.email, requester_address,
         reply(office.employee.email, requester_address, "Catatan rahasia lima.", "<g5@x.id>")),
        (me, reply_to, reply(me, reply_to, "PERPANJANG 99\nCatatan rahasia enam.", "<g6@x.id>")),
        (me, reply_to, reply(me, reply_to, "", "<g7@x.id>")),
    ]
    for envelope_from, to, raw in sends:
        assert converse(mail_in, envelope_from, [to], raw) == (250, b"OK")
    clock.advance(hours=100)
    assert converse(mail_in, me, [reply_to], reply(me, reply_to, "Catatan rahasia tujuh.", "<g8@x.id>")) == (250, b"OK")

    assert len(notes(db, case_id)) == 1
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "Reply accepted on case" in logged and "refused" in logged  # the paths ran and were logged
    for secret in ("balas+", "balas%2b", me, forger, office.employee.email, "rahasia", "contoh.id"):
        assert secret.lower() not in logged.lower(), secret
