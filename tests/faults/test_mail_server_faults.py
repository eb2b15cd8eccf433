"""A mail server that hangs, drops the connection mid-batch or is down: mail waits, nothing is lost, nothing
goes twice. Real sockets on loopback (aiosmtpd, and raw sockets for what it will not do); time is the
FrozenClock, and every wait is bounded by MAIL_TIMEOUT or a join."""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from sqlalchemy import select

from layani_flow.models import OutboxMessage
from layani_flow.services import outbox
from layani_flow.services.db import unit_of_work

from ..factories import CaseFactory
from ..smtp_fakes import CountingSink, RawSmtpServer, start_smtp, stop_smtp

TIMEOUT_S = 1  # MAIL_TIMEOUT here: the smallest the setting allows


@pytest.fixture
def app_config(mail_config):
    return {**mail_config, "MAIL_TIMEOUT": TIMEOUT_S}


def _write(office, headlines: list[str]) -> list[OutboxMessage]:
    case = CaseFactory(requester=office.employee)
    made = []
    for i, headline in enumerate(headlines, start=1):
        with unit_of_work(keep_loaded=True):
            made.append(outbox.enqueue(to=f"pegawai{i}@dkp.babelprov.go.id", template="case_update", case=case,
                                       context={"recipient_name": "Pegawai Uji", "headline": headline,
                                                "state_label": "Diproses", "comment": ""}))
    return made


@pytest.fixture
def rows(app, office) -> list[OutboxMessage]:
    """Six emails in the queue, each with its own subject."""
    return _write(office, [f"Pesan ke-{i}" for i in range(1, 7)])


@pytest.fixture
def servers(smtp_port):
    """Start fakes and real servers on the one port; all are stopped at the end, whatever happened."""
    started = []

    class Servers:
        def raw(self, **behaviour) -> RawSmtpServer:
            server = RawSmtpServer(smtp_port, **behaviour)
            started.append(server.stop)
            return server

        def real(self) -> CountingSink:
            sink = CountingSink()
            controller = start_smtp(sink, smtp_port)
            started.append(lambda: stop_smtp(controller))
            return sink

    yield Servers()
    for stop in reversed(started):
        stop()


def _states(db) -> dict[int, tuple[str, str]]:
    db.session.expire_all()
    return {r.id: (r.status, r.last_error) for r in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def _received_once_each(rows, *counters: Counter) -> None:
    """Every email arrived, none twice, each under its own Message-ID."""
    received = sum(counters, Counter())
    assert received == Counter({r.message_id: 1 for r in rows}), received


@pytest.mark.parametrize("hang_at, connections", [("greeting", 1), ("MAIL", 2)])
def test_a_hung_server_delays_mail_by_mail_timeout_and_it_goes_once_a_server_is_back(app, db, clock, rows, servers,
                                                                                    hang_at, connections):
    """Silent from the start: one timeout. Silent once a message starts: that message waits, one new
    connection is tried for the next, and when that one hangs too the batch stops; two timeouts, never
    one per email."""
    hung = servers.raw(hang_at=hang_at)

    started = time.monotonic()
    report = outbox.deliver_pending()
    took = time.monotonic() - started

    assert TIMEOUT_S * connections * 0.9 <= took < TIMEOUT_S * connections + 5, took
    assert (report.sent, report.retried, report.failed) == (0, 6, 0)
    assert f"tidak menjawab dalam {TIMEOUT_S} detik" in report.error
    assert {state for state, _ in _states(db).values()} == {"pending"}
    assert hung.connections == connections

    hung.stop()
    sink = servers.real()
    assert outbox.deliver_pending().sent == 0  # the backoff: not due yet
    clock.advance(minutes=1)
    assert outbox.deliver_pending().sent == 6
    clock.advance(hours=2)
    assert outbox.deliver_pending().sent == 0
    _received_once_each(rows, sink.message_ids())
    assert {state for state, _ in _states(db).values()} == {"sent"}


def test_a_server_that_drops_the_connection_mid_batch(app, db, clock, rows, servers):
    """It accepts three, drops the connection and goes away: those three are sent, the rest pending; all go
    out later, none twice."""
    crashing = servers.raw(drop_after=3)

    report = outbox.deliver_pending()

    assert (report.sent, report.retried, report.failed) == (3, 3, 0)
    assert crashing.dropped.is_set()
    assert list(crashing.message_ids()) == [r.message_id for r in rows[:3]]
    states = _states(db)
    assert [states[r.id][0] for r in rows] == ["sent"] * 3 + ["pending"] * 3
    assert states[rows[3].id][1].startswith("koneksi ke server mail terputus")  # in flight when it dropped
    assert states[rows[4].id][1].startswith("server mail tidak tersedia")  # the reconnect was refused

    crashing.stop()
    sink = servers.real()
    clock.advance(minutes=1)
    assert outbox.deliver_pending().sent == 3
    _received_once_each(rows, crashing.message_ids(), sink.message_ids())
    assert {state for state, _ in _states(db).values()} == {"sent"}


def test_a_dropped_connection_is_reopened_and_the_batch_goes_on(app, db, clock, rows, servers):
    """The server drops one connection and stays up: the batch reconnects at once. Only the email in flight
    when it dropped waits (it may have arrived; it goes again under its Message-ID), and goes next time."""
    flaky = servers.raw(drop_after=3, keep_listening=True)

    report = outbox.deliver_pending()

    assert (report.sent, report.retried, report.failed) == (5, 1, 0) and flaky.connections == 2
    assert [state for state, _ in _states(db).values()] == ["sent"] * 3 + ["pending"] + ["sent"] * 2
    clock.advance(minutes=1)
    assert outbox.deliver_pending().sent == 1
    _received_once_each(rows, flaky.message_ids())


def test_a_message_that_makes_the_server_hang_up_holds_up_only_itself(app, db, office, servers):
    """The server hangs up on the first message of the queue, every time: the batch goes on over a new
    connection, so the queue behind it moves; only that one waits."""
    poison, *rows = _write(office, ["RACUN untuk filter"] + [f"Pesan ke-{i}" for i in range(1, 4)])
    filtering = servers.raw(drop_on="RACUN")

    report = outbox.deliver_pending()

    assert (report.sent, report.retried, report.failed) == (3, 1, 0) and filtering.connections == 2
    assert _states(db)[poison.id] == ("pending", "koneksi ke server mail terputus: SMTPServerDisconnected: "
                                                 "Connection unexpectedly closed")
    _received_once_each(rows, filtering.message_ids())


def test_a_server_that_is_down_leaves_mail_pending_until_it_is_back(app, db, clock, rows, servers):
    report = outbox.deliver_pending()  # nothing listens on the port: connection refused

    assert (report.sent, report.retried, report.failed) == (0, 6, 0)
    assert "server mail tidak tersedia" in report.error and "refused" in report.error.lower()
    clock.advance(minutes=1)
    assert outbox.deliver_pending().retried == 6  # still down: kept, the backoff grows
    assert {r.next_attempt_at - clock.now() for r in db.session.scalars(select(OutboxMessage))} == \
        {outbox._backoff(2)}

    sink = servers.real()
    clock.advance(minutes=2)
    assert outbox.deliver_pending().sent == 6
    _received_once_each(rows, sink.message_ids())
    assert {state for state, _ in _states(db).values()} == {"sent"}


def test_a_server_slow_enough_to_outlast_the_lease_never_gets_a_message_twice(app, db, clock, rows, servers):
    """Each message takes the server 200 s (the FrozenClock moves as it answers) and the lease is 300 s: the
    worker stops sending when its lease runs out, since another worker may claim the rest from then on.
    The rest goes in the next batch, each email once."""
    sink = servers.real()
    sink.answer = _slow(clock, sink.answer, seconds=200)
    claimed_at = clock.now()

    report = outbox.deliver_pending()

    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    states = _states(db)
    assert [states[r.id][0] for r in rows] == ["sent"] * 2 + ["pending"] * 4
    assert {r.next_attempt_at for r in rows[2:]} == \
        {claimed_at + dt.timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])}  # still leased, not deferred
    assert [outbox.deliver_pending().sent for _ in range(3)] == [2, 2, 0]  # two per lease, as the clock goes
    _received_once_each(rows, sink.message_ids())


def _slow(clock, answer, seconds: float):
    async def slow(session, envelope):
        clock.advance(seconds=seconds)
        return await answer(session, envelope)

    return slow
