"""ChatCanal through the API and its pages: a chat starts with its message, is due within 15 working minutes
(answered at once, out of hours, with when a person will reply), is read after a message id, by long poll and
live over server-sent events from a real HTTP server, takes attachments through the upload checks, and
becomes a case of another type for its requester, both linked."""
from __future__ import annotations

import http.client
import io
import json
import threading
import time

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from layani_flow.extensions import db
from layani_flow.models import Case, CaseClock, CaseFeedback, OutboxMessage
from layani_flow.services import cases

from ..services.helpers import written_mail
from ..services.samples import PNG
from ..timekit import wib


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CHAT_STREAM_POLL_MS": 100, "CHAT_STREAM_SECONDS": 3}


def _start(api, user, body="Halo, saya mau tanya soal KGB."):
    response = api(user).post("/api/v1/cases", json={"type": "chat", "fields": {"body": body}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _messages(client, case_id, after=0, **params):
    return client.get(f"/api/v1/cases/{case_id}/messages", query_string={"after": after, **params})


def test_a_chat_starts_with_its_message_and_is_due_within_15_working_minutes(app, office, clock, api):
    clock.set(wib(2026, 11, 25, 9, 0))
    chat = _start(api, office.employee)
    assert chat["type"] == "chat" and chat["state"] == "waiting" and chat["ref"].startswith("CHAT-")
    assert chat["title"] == "Halo, saya mau tanya soal KGB."
    [first] = [c for c in chat["sla"]["clocks"] if c["name"] == "first_response"]
    assert first["due_at"] == "2026-11-25T09:15:00+07:00"
    assert [c["name"] for c in chat["sla"]["clocks"]] == ["first_response"]
    items = _messages(api(office.employee), chat["id"]).get_json()["items"]
    assert [(m["actor"]["name"], m["body"]) for m in items] == [(office.employee.name, "Halo, saya mau tanya soal KGB.")]
    assert {"id", "at", "actor", "body"} <= set(items[0])

    bad = api(office.employee).post("/api/v1/cases", json={"type": "chat", "fields": {"body": "  "}})
    assert bad.status_code == 422 and "body" in bad.get_json()["errors"]
    assert db.session.scalar(select(Case.id).where(Case.case_type == "chat").order_by(Case.id.desc())) == chat["id"]

    # The desk's reply stops the first-response clock; a configured target is used for new chats.
    officer = api(office.officer)
    assert officer.post(f"/api/v1/cases/{chat['id']}/messages", json={"body": "Baik, saya bantu."}).status_code == 201
    stopped = db.session.scalar(select(CaseClock.stopped_at).where(CaseClock.case_id == chat["id"]))
    assert stopped == clock.now()
    app.config["CHAT_FIRST_RESPONSE"] = "30m"
    again = _start(api, office.colleague)
    assert again["sla"]["clocks"][0]["due_at"] == "2026-11-25T09:30:00+07:00"


def test_out_of_hours_the_chat_answers_at_once_with_when_a_person_will_reply(app, office, clock, api):
    clock.set(wib(2026, 12, 5, 22, 0))  # a Saturday night
    chat = _start(api, office.employee)
    [first] = chat["sla"]["clocks"]
    assert first["due_at"] == "2026-12-07T07:45:00+07:00"  # 15 working minutes after Monday opens
    items = _messages(api(office.employee), chat["id"]).get_json()["items"]
    assert [m["kind"] for m in items] == ["message", "auto_reply"]
    assert "paling lambat Senin, 7 Desember 2026 07.45 WIB" in items[1]["body"]
    assert items[1]["actor"]["name"] == "Sistem LAYANI"

    clock.advance(minutes=5)
    api(office.employee).post(f"/api/v1/cases/{chat['id']}/messages", json={"body": "Tambahan."})
    kinds = [m["kind"] for m in _messages(api(office.employee), chat["id"]).get_json()["items"]]
    assert kinds == ["message", "auto_reply", "message"]  # one promise per night, not one per message
    # No email per chat message: the requester has the receipt and the out-of-hours promise.
    subjects = list(db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.case_id == chat["id"])))
    assert len(subjects) == 2


def test_messages_after_an_id_and_bad_parameters(app, office, clock, api):
    chat = _start(api, office.employee)
    employee = api(office.employee)
    employee.post(f"/api/v1/cases/{chat['id']}/messages", json={"body": "Dua."})
    everything = _messages(employee, chat["id"]).get_json()["items"]
    newer = _messages(employee, chat["id"], after=everything[0]["id"]).get_json()["items"]
    assert [m["body"] for m in newer] == ["Dua."]
    assert _messages(employee, chat["id"], after=everything[-1]["id"]).get_json()["items"] == []
    for params in ({"after": "x"}, {"after": "-1"}, {"after": "1e99"}, {"wait": "abc"}, {"wait": "3600"}):
        response = employee.get(f"/api/v1/cases/{chat['id']}/messages", query_string=params)
        assert response.status_code == 422 and response.get_json()["error"], params
    assert _messages(api(office.colleague), chat["id"]).status_code == 404
    assert _messages(api(office.officer), chat["id"]).status_code == 200


@pytest.fixture
def server(app):
    """The app served over real HTTP by werkzeug, threaded, in this process (the same database file)."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    # Wait for every request thread at the end: a stream whose client has gone runs out its (short) lifetime
    # before the app's engine is disposed, so no connection is left behind.
    httpd.daemon_threads, httpd.block_on_close = False, True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def _post_later(case_id, user, body, app, delay=0.5):
    def post():
        time.sleep(delay)  # noqa: TID251 — a real HTTP client is waiting on the other side (the brief's exception)
        with app.app_context():
            cases.add_message(case_id, db.session.merge(user), body)

    thread = threading.Thread(target=post)
    thread.start()
    return thread


def test_a_long_poll_answers_as_soon_as_a_message_arrives(app, office, server, api):
    chat = _start(api, office.employee)
    token = api(office.employee).token
    last = _messages(api(office.employee), chat["id"]).get_json()["items"][-1]["id"]
    writer = _post_later(chat["id"], office.officer, "Dijawab sekarang.", app)
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    started = time.monotonic()
    conn.request("GET", f"/api/v1/cases/{chat['id']}/messages?after={last}&wait=8",
                 headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = json.loads(response.read())
    writer.join()
    assert response.status == 200 and [m["body"] for m in body["items"]] == ["Dijawab sekarang."]
    assert time.monotonic() - started < 6


def test_the_stream_delivers_a_new_message_to_a_real_streaming_client(app, office, server, api):
    chat = _start(api, office.employee)
    token = api(office.employee).token
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=8)
    conn.request("GET", f"/api/v1/cases/{chat['id']}/stream", headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
    assert response.readline().startswith(b"retry:")
    writer = _post_later(chat["id"], office.officer, "Halo dari petugas.", app, delay=0)
    event: dict[str, str] = {}
    while "data" not in event:
        line = response.readline().decode().rstrip("\n")
        if line and not line.startswith(":"):
            key, _, value = line.partition(": ")
            event[key] = value
    writer.join()
    message = json.loads(event["data"])
    assert message["body"] == "Halo dari petugas." and message["actor"]["name"] == office.officer.name
    assert int(event["id"]) == message["id"]
    conn.close()

    # Reconnecting with Last-Event-ID replays what came after it, and only that.
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=8)
    conn.request("GET", f"/api/v1/cases/{chat['id']}/stream",
                 headers={"Authorization": f"Bearer {token}", "Last-Event-ID": str(message["id"] - 1)})
    response = conn.getresponse()
    lines = []
    while not any(line.startswith("data: ") for line in lines):
        lines.append(response.readline().decode().rstrip("\n"))
    assert json.loads(next(line for line in lines if line.startswith("data: "))[6:])["id"] == message["id"]
    conn.close()

    stranger = http.client.HTTPConnection("127.0.0.1", server, timeout=8)
    stranger.request("GET", f"/api/v1/cases/{chat['id']}/stream",
                     headers={"Authorization": f"Bearer {api(office.colleague).token}"})
    assert stranger.getresponse().status == 404


def _fire(client, case, trigger, **fields):
    return client.post(f"/api/v1/cases/{case['id']}/transitions",
                       json={"trigger": trigger, "version": case["version"], "fields": fields})


def test_an_officer_turns_a_chat_into_a_case_for_its_requester(app, office, clock, api, login_as):
    chat = _start(api, office.employee, "Gaji berkala saya belum naik sejak Oktober.")
    officer = api(office.officer)
    officer.post(f"/api/v1/cases/{chat['id']}/messages", json={"body": "Saya buatkan pengaduan."})
    chat = officer.get(f"/api/v1/cases/{chat['id']}").get_json()
    assert _fire(api(office.employee), chat, "convert", type="complaint").status_code == 403
    assert _fire(officer, chat, "convert", type="chat").status_code == 422
    assert _fire(officer, chat, "convert", type="service_request").status_code == 422  # which service?
    chat = officer.get(f"/api/v1/cases/{chat['id']}").get_json()
    done = _fire(officer, chat, "convert", type="complaint")
    assert done.status_code == 200, done.get_json()
    converted = done.get_json()
    assert converted["state"] == "converted" and converted["owner"]["nip"] == office.officer.nip
    [link] = converted["links"]
    assert link["type"] == "complaint" and link["ref"].startswith("ADU-")

    new = api(office.employee).get(f"/api/v1/cases/{link['id']}").get_json()
    assert new["requester"]["nip"] == office.employee.nip and new["state"] == "submitted"
    assert new["links"] == [{"id": chat["id"], "ref": chat["ref"], "type": "chat"}]
    [attached] = [e for e in new["events"] if e["kind"] == "link"]
    assert "Gaji berkala saya belum naik" in attached["comment"] and "Saya buatkan pengaduan." in attached["comment"]
    assert db.session.scalars(select(CaseFeedback)).all() == []  # the conversation goes on as the complaint
    page = login_as(office.employee).get(f"/kasus/{link['id']}").get_data(as_text=True)
    assert f'href="/kasus/{chat["id"]}">{chat["ref"]}</a>' in page and f"Ditautkan dengan {chat['ref']}" in page
    assert "Gaji berkala saya belum naik" in page

    # A service request needs its service.
    second = _start(api, office.colleague)
    done = _fire(officer, second, "convert", type="service_request", service="kgb")
    assert done.status_code == 200, done.get_json()
    new = officer.get(f"/api/v1/cases/{done.get_json()['links'][0]['id']}").get_json()
    assert new["type"] == "service_request" and new["service"] == "kgb"


def test_closing_a_chat_asks_the_requester_one_question(app, office, clock, api):
    chat = _start(api, office.employee)
    officer = api(office.officer)
    chat = _fire(officer, chat, "serve").get_json()
    assert chat["state"] == "active"
    closed = _fire(officer, chat, "close")
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    asked = db.session.scalars(select(CaseFeedback)).one()
    assert (asked.channel, asked.officer_id, asked.requester_id) == ("chat", office.officer.id, office.employee.id)
    mail = written_mail(OutboxMessage.to_addr == office.employee.email)[-1]
    assert "/umpan-balik/" in mail.body_text


def test_the_pages_without_javascript_unread_counts_and_attachments(app, office, clock, login_as, api):
    web = login_as(office.employee)
    page = web.get("/chat")
    assert page.status_code == 200 and "Mulai chat baru" in page.get_data(as_text=True)
    assert web.post_form("/chat", {"body": ""}).status_code == 422
    started = web.post_form("/chat", {"body": "Tanya cuti tahunan."})
    assert started.status_code == 303
    chat_url = started.headers["Location"]
    case_id = int(chat_url.rsplit("/", 1)[1])
    assert web.get(f"/kasus/{case_id}").headers["Location"].endswith(chat_url)
    text = web.get(chat_url).get_data(as_text=True)
    assert "Tanya cuti tahunan." in text and 'data-stream="/chat/' in text and "Muat ulang percakapan" in text
    web.logout()

    web = login_as(office.officer)
    desk = web.get("/chat").get_data(as_text=True)
    assert "Chat menunggu petugas" in desk and "menunggu 0 menit" in desk and "Tanya cuti tahunan." in desk
    assert web.post_form(f"{chat_url}/pesan", {"body": "Sisa cuti Anda 8 hari."}).status_code == 303
    bad = web.post_form(f"{chat_url}/pesan", {"body": "", "file": (io.BytesIO(b"not a pdf"), "x.pdf")},
                        content_type="multipart/form-data")
    assert bad.status_code == 422 and "bukan PDF" in bad.get_data(as_text=True)
    web.logout()

    web = login_as(office.employee)
    assert "Chat (1 belum dibaca)" in web.get("/").get_data(as_text=True)
    assert "1 belum dibaca" in web.get("/chat").get_data(as_text=True)
    web.get(chat_url)
    assert "belum dibaca" not in web.get("/").get_data(as_text=True)
    sent = web.post_form(f"{chat_url}/pesan", {"body": "", "file": (io.BytesIO(PNG), "surat.png")},
                         content_type="multipart/form-data")
    assert sent.status_code == 303
    items = _messages(api(office.employee), case_id).get_json()["items"]
    assert items[-1]["kind"] == "document" and items[-1]["document"]["url"] == f"/kasus/{case_id}/dokumen/1"
    download = web.get(items[-1]["document"]["url"])
    assert download.status_code == 200 and download.get_data() == PNG
    download.close()
    web.logout()
    web = login_as(office.colleague)
    assert web.get(chat_url).status_code == 404
    assert web.get(f"{chat_url}/stream").status_code == 404


@pytest.mark.usefixtures("inbox_count_matches")
def test_unread_chat_messages_wait_in_the_inbox_until_read(app, office, clock, api, login_as):
    chat = _start(api, office.employee)
    api(office.officer).post(f"/api/v1/cases/{chat['id']}/messages", json={"body": "Ada yang bisa dibantu?"})

    def reasons() -> list[str]:
        items = api(office.employee).get("/api/v1/inbox").get_json()["items"]
        return [r for item in items if item["id"] == chat["id"] for r in (item["reason"], *item["also"])]

    assert "unread_message" in reasons()
    web = login_as(office.employee)
    web.get(f"/chat/{chat['id']}")
    assert "unread_message" not in reasons()


def test_the_chat_pages_cost_the_same_statements_for_one_chat_or_many(app, office, clock, api, login_as):
    from ..services.helpers import statements_to_get

    first = _start(api, office.employee)
    for n in range(3):
        api(office.officer).post(f"/api/v1/cases/{first['id']}/messages", json={"body": f"Pesan {n}."})
    officer = login_as(office.officer)
    costs = {"/chat": statements_to_get(officer, "/chat"), "page": statements_to_get(officer, f"/chat/{first['id']}")}
    officer.logout()
    employee = login_as(office.employee)
    mine = statements_to_get(employee, "/chat")
    employee.logout()
    for n in range(4):
        _start(api, office.colleague, f"Pertanyaan ke-{n}.")
        _start(api, office.employee, f"Pertanyaan saya ke-{n}.")
        api(office.officer).post(f"/api/v1/cases/{first['id']}/messages", json={"body": f"Lagi {n}."})
    officer = login_as(office.officer)
    assert statements_to_get(officer, "/chat") == costs["/chat"]
    assert statements_to_get(officer, f"/chat/{first['id']}") == costs["page"]
    officer.logout()
    assert statements_to_get(login_as(office.employee), "/chat") == mine
