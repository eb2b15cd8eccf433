"""Whatever arrives over SMTP, the listener answers a fixed text: "250 OK", or "451 4.3.0 Coba lagi nanti"
when the database is down. No exception text goes back, the listener keeps serving, and the log holds no
address and no text of the reply. Real messages over smtplib to the aiosmtpd listener."""
from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from layani_flow import create_app
from layani_flow.clock import FrozenClock
from layani_flow.services import mail_listener, tokens

from ..conftest import _free_port
from .helpers import converse, events, notes, reply

OK = (250, b"OK")
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def sender(escalated, office):
    """Envelope sender, From and address of the addressee: every odd message gets past the sender check and
    into the parsing that has to survive it."""
    return office.kasubbag.email, escalated[1]["Reply-To"]


def mime(sender: str, to: str, head: bytes, body: bytes) -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: Re: eskalasi\r\n".encode() + head + b"\r\n" + body)


def odd_messages(sender: str, to: str) -> dict[str, bytes]:
    return {
        "unknown charset": mime(sender, to, b'Content-Type: text/plain; charset="x-tidak-ada"\r\n', b"Halo\r\n"),
        "codec that is not for text": mime(sender, to, b"Content-Type: text/plain; charset=zlib\r\n", b"Halo\r\n"),
        "rot13": mime(sender, to, b"Content-Type: text/plain; charset=rot13\r\n", b"Unyb\r\n"),
        "utf-7 lone surrogate": mime(sender, to, b"Content-Type: text/plain; charset=utf-7\r\n", b"+2AA- halo\r\n"),
        "charset with NUL": mime(sender, to, b'Content-Type: text/plain; charset="utf\x008"\r\n', b"Halo\r\n"),
        "non-UTF-8 bytes": mime(sender, to, b"Content-Type: text/plain; charset=utf-8\r\nX-Aneh: \xff\xfe\xc0\r\n",
                                b"Halo \xff\xfe\xc0\xc1 dunia\r\n\x00\x01\x1b[31m\r\n"),
        "broken base64": mime(sender, to, b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n",
                              b"!!!! bukan base64 ====\r\n"),
        "multipart without boundary": mime(sender, to, b"Content-Type: multipart/alternative\r\n", b"--x\r\nHalo\r\n"),
        "multipart never closed": mime(
            sender, to, b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
            b"--b\r\nContent-Type: text/plain\r\n\r\nHalo\r\n--b\r\nContent-Type: text/plain\r\n"),
        "nested too deep": mime(
            sender, to, b'Content-Type: multipart/mixed; boundary="b0"\r\n',
            b"".join(f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n'.encode()
                     for i in range(300))),
        "huge folded header": mime(sender, to, b"X-Besar: " + b"\r\n ".join([b"a" * 900] * 300) + b"\r\n",
                                   b"Halo\r\n"),
        "huge From": (b"From: " + b"\r\n ".join([f"<{sender}>,".encode()] * 2000) + b" " + sender.encode()
                      + f"\r\nTo: {to}\r\n\r\nHalo\r\n".encode()),
        "no body at all": f"From: {sender}\r\nTo: {to}\r\nSubject: kosong\r\n".encode(),
        "no headers at all": b"\r\nHalo\r\n",
        "attachment only": mime(
            sender, to, b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
            b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"sk.pdf\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"),
        "bare LF line endings": mime(sender, to, b"", b"Halo\nDunia\n").replace(b"\r\n", b"\n"),
        "line longer than SMTP allows": mime(sender, to, b"", b"x" * 5000 + b"\r\n"),
    }


@pytest.mark.parametrize("name", list(odd_messages("a@b.id", "balas+1@b.id")))
def test_an_odd_message_gets_a_fixed_answer_and_the_listener_goes_on(sender, mail_in, db, escalated, caplog, name):
    caplog.set_level(logging.DEBUG)
    me, to = sender
    code, answer = converse(mail_in, me, [to], odd_messages(me, to)[name])
    assert (code, answer) in (OK, (500, b"Line too long (see RFC5321 4.5.3.1.6)")), answer  # aiosmtpd's own
    assert b"Error" not in answer and b"(" not in answer.replace(b"(see RFC", b"")
    for note in notes(db, escalated[0]):
        assert len(note.comment) <= 5000 and "\x00" not in note.comment and "\x1b" not in note.comment
        note.comment.encode("utf-8")  # no lone surrogates: storable and showable anywhere
    # The listener is still there and still acts.
    assert converse(mail_in, me, [to], reply(me, to, "Setelahnya.", f"<after-{len(name)}@x.id>")) == OK
    assert notes(db, escalated[0])[-1].comment == "Setelahnya."
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "balas+" not in logged and me not in logged and "Halo" not in logged


def test_the_unknown_charset_that_used_to_answer_with_the_exception_now_becomes_a_note(sender, mail_in, db, escalated):
    me, to = sender
    raw = mime(me, to, b'Content-Type: text/plain; charset="x-tidak-ada"\r\n', b"Sudah saya cek.\r\n")
    assert converse(mail_in, me, [to], raw) == OK
    assert [n.comment for n in notes(db, escalated[0])] == ["Sudah saya cek."]


def test_an_html_only_reply_becomes_a_note_of_its_visible_text(sender, mail_in, db, escalated):
    me, to = sender
    html = (b"<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
            b"<p>Sudah saya <b>cek</b> &amp; setujui.</p><div>Baris dua</div>"
            b"<blockquote>Eskalasi tingkat 1 ...</blockquote></body></html>")
    raw = mime(me, to, b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n", html + b"\r\n")
    assert converse(mail_in, me, [to], raw) == OK
    assert [n.comment for n in notes(db, escalated[0])] == ["Sudah saya cek & setujui.\n\nBaris dua"]


def test_a_reply_with_an_attachment_keeps_its_text_and_ignores_the_file(sender, mail_in, db, escalated):
    me, to = sender
    raw = mime(me, to, b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
               b"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nTerlampir SK, sudah saya paraf. Caf\xe9\r\n"
               b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"sk.pdf\"\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n")
    assert converse(mail_in, me, [to], raw) == OK
    assert [n.comment for n in notes(db, escalated[0])] == ["Terlampir SK, sudah saya paraf. Café"]


header_values = st.one_of(
    st.text(max_size=60).map(lambda s: s.encode("utf-8", "surrogateescape")),
    st.binary(max_size=60),
    st.sampled_from([b"=?utf-8?q?=FF?=", b"=?x-unknown?b?////?=", b"\"unclosed", b"<a@b", b"a@b@c", b"(((((", b""]),
)
charsets = st.one_of(st.sampled_from(["utf-8", "x-unknown", "zlib", "hex", "utf-7", "utf-16", "punycode", "idna",
                                      "iso-2022-jp", "", "utf-8\x00", "ascii"]), st.text(max_size=12))
content_types = st.sampled_from(["text/plain", "text/html", "multipart/mixed", "multipart/alternative",
                                 "message/rfc822", "application/octet-stream", "text/", "", "multipart/mixed; boundary="])
encodings = st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary", "bogus"])


@FUZZ
@given(headers=st.lists(st.tuples(st.sampled_from([b"Subject", b"X-Apa", b"Content-Type", b"Message-ID",
                                                   b"MIME-Version", b"Content-Disposition", b"Auto-Submitted"]),
                                  header_values), max_size=5),
       content_type=content_types, charset=charsets, encoding=encodings,
       body=st.binary(max_size=3000) | st.text(max_size=3000).map(lambda s: s.encode("utf-8", "surrogateescape")))
@example(headers=[], content_type="text/plain", charset="x-unknown", encoding="8bit", body=b"Halo")
def test_any_message_from_the_addressee_gets_250_and_at_most_one_clean_note(
        sender, mail_in, db, escalated, headers, content_type, charset, encoding, body):
    me, to = sender
    before = len(events(db, escalated[0]))
    head = b"".join(name + b": " + value.replace(b"\r", b" ").replace(b"\n", b" ") + b"\r\n" for name, value in headers)
    head += f'Content-Type: {content_type}; charset="{charset}"\r\nContent-Transfer-Encoding: {encoding}\r\n'.encode(
        "utf-8", "surrogateescape")
    raw = mime(me, to, head, body.replace(b"\r", b"").replace(b"\n", b"\r\n")[:2900] + b"\r\n")
    code, answer = converse(mail_in, me, [to], raw)
    assert (code, answer) == OK or (code, answer) == (500, b"Line too long (see RFC5321 4.5.3.1.6)"), answer
    added = events(db, escalated[0])[before:]
    assert len(added) <= 1
    for event in added:
        assert event.kind == "note" and 0 < len(event.comment) <= 5000
        assert all(ch in "\n\t" or ch >= " " for ch in event.comment)
        event.comment.encode("utf-8")


def test_a_database_that_is_down_gets_a_bare_451_and_the_sender_tries_again(app_config, app, tmp_path, caplog,
                                                                          office):
    caplog.set_level(logging.DEBUG)
    down = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/nowhere/layani.sqlite"})
    down.extensions["clock"] = FrozenClock()
    user_id, registered = office.kasubbag.id, office.kasubbag.email
    with down.app_context():
        address = tokens.reply_address(1, user_id, "dkp.babelprov.go.id")
    port = _free_port()
    controller = mail_listener.start(down, "127.0.0.1", port)
    try:
        raw = reply(registered, address, "Catatan yang harus sampai.", "<db1@x.id>")
        assert converse(port, registered, [address], raw) == (451, b"4.3.0 Coba lagi nanti")
    finally:
        controller.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not processed now (OperationalError)" in logged
    assert "balas+" not in logged and registered not in logged and "Catatan" not in logged


def test_an_unexpected_failure_is_logged_with_its_stack_but_no_message_and_answered_250(
        sender, mail_in, db, escalated, caplog, monkeypatch):
    from layani_flow.services import mail_text

    def broken(message, max_chars):
        raise RuntimeError(f"rahasia {sender[0]} {sender[1]}")

    monkeypatch.setattr(mail_text, "reply_text", broken)
    caplog.set_level(logging.DEBUG)
    me, to = sender
    assert converse(mail_in, me, [to], reply(me, to, "Apa saja.", "<u1@x.id>")) == OK
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "builtins.RuntimeError" in logged and "mail_in.py" in logged and "in _handle" in logged
    assert "rahasia" not in logged and "balas+" not in logged and me not in logged
    assert notes(db, escalated[0]) == []


def test_a_case_changed_at_the_same_moment_gets_451_and_the_retry_acts_once(sender, mail_in, db, escalated,
                                                                             monkeypatch):
    from layani_flow.services import cases
    from layani_flow.services.errors import STALE_MESSAGE, StaleCase

    real = cases.add_message
    calls = []

    def busy_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise StaleCase(STALE_MESSAGE)
        return real(*args, **kwargs)

    monkeypatch.setattr(cases, "add_message", busy_once)
    me, to = sender
    raw = reply(me, to, "Catatan pada saat yang sama.", "<s1@x.id>")
    assert converse(mail_in, me, [to], raw) == (451, b"4.3.0 Coba lagi nanti")
    assert notes(db, escalated[0]) == []  # nothing half-written: the retry is not taken for a duplicate
    assert converse(mail_in, me, [to], raw) == OK
    assert [n.comment for n in notes(db, escalated[0])] == ["Catatan pada saat yang sama."]
