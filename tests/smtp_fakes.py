"""Mail servers that misbehave on purpose, on loopback: aiosmtpd handlers that refuse or stall, and raw-socket
servers that never answer or drop the connection. Every wait is an Event or a bounded join; nothing sleeps."""
from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller

from .conftest import MailSink

WAIT_S = 30  # the longest any fake waits for the test (or a test for a fake) before giving up


def start_smtp(handler, port: int) -> Controller:
    """An aiosmtpd server for `handler` on 127.0.0.1:`port`, started."""
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.controller = controller
    return controller


def stop_smtp(controller: Controller) -> None:
    try:
        controller.stop()
    except AssertionError:
        pass  # already stopped


class CountingSink(MailSink):
    """A MailSink that also counts SMTP sessions and lets a test wait for the n-th message."""

    def __init__(self):
        super().__init__()
        self.sessions: list[object] = []  # kept alive, so identities stay distinct
        self._arrived = threading.Condition()

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for _, m in self.messages)

    def connections(self) -> int:
        return len({id(s) for s in self.sessions})

    def wait_for(self, count: int, timeout: float = WAIT_S) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)

    def wait_for_ids(self, ids, timeout: float = WAIT_S) -> bool:
        wanted = set(ids)
        with self._arrived:
            return self._arrived.wait_for(lambda: wanted <= set(self.message_ids()), timeout=timeout)

    async def handle_DATA(self, server, session, envelope):
        if not any(s is session for s in self.sessions):
            self.sessions.append(session)
        answer = await self.answer(session, envelope)
        if answer.startswith("250"):
            await super().handle_DATA(server, session, envelope)
            with self._arrived:
                self._arrived.notify_all()
        return answer

    async def answer(self, session, envelope) -> str:
        return "250 OK"


class PickySink(CountingSink):
    """Refuses some recipients at RCPT TO and some messages at DATA, with the reply a real server would give."""

    def __init__(self, rcpt: dict[str, str] | None = None, data: dict[str, str] | None = None):
        super().__init__()
        self.rcpt = rcpt or {}  # address → reply, e.g. "550 5.1.1 <x>: mailbox unknown"
        self.data = data or {}  # a word in the Subject → reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt:
            return self.rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def answer(self, session, envelope) -> str:
        subject = email.message_from_bytes(envelope.content, policy=policy.default)["Subject"] or ""
        for word, reply in self.data.items():
            if word in subject:
                return reply
        return "250 OK"


class StallingSink(CountingSink):
    """Takes the n-th message in (it is received) and then answers nothing until `release` is set, as a server
    that hangs after DATA: the sender cannot know whether it arrived. Only the sender's session waits; the
    event loop keeps serving others."""

    def __init__(self, stall_at: int):
        super().__init__()
        self.stall_at = stall_at
        self.stalled, self.release = threading.Event(), threading.Event()

    async def answer(self, session, envelope) -> str:
        if len(self.messages) + 1 == self.stall_at and not self.stalled.is_set():
            await MailSink.handle_DATA(self, None, session, envelope)  # received: it counts as arrived
            with self._arrived:
                self._arrived.notify_all()
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, WAIT_S)
            return "451 4.3.0 too late"  # nobody is listening any more
        return "250 OK"


class RawSmtpServer:
    """A hand-written SMTP server on a raw socket, for what aiosmtpd will not do:

    - `hang_at="greeting"`: accepts TCP connections and never sends a byte (a hung server); `hang_at="MAIL"`
      (or another verb): greets and answers EHLO, then falls silent when that command arrives;
    - `drop_after=k`: answers normally, and after the k-th accepted message (its "250" sent) closes the
      connection and stops listening, as a server that crashes mid-batch. `keep_listening=True` keeps
      accepting new connections instead (a server that only dropped one connection);
    - `drop_on=TEXT`: hangs up, without answering, on any message whose text holds TEXT (a content filter
      that crashes on it); it keeps listening.
    """

    def __init__(self, port: int, *, hang_at: str | None = None, drop_after: int | None = None,
                 keep_listening: bool = False, drop_on: str | None = None):
        self.port, self.hang_at, self.drop_after, self.keep_listening = port, hang_at, drop_after, keep_listening
        self.drop_on = drop_on.encode() if drop_on else None
        self.messages: list[email.message.EmailMessage] = []
        self.connections = 0
        self.dropped = threading.Event()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(8)
        self._threads = [threading.Thread(target=self._accept_loop, daemon=True)]
        self._threads[0].start()

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed
            with self._lock:
                self.connections += 1
                self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            if self.hang_at == "greeting":
                reader.read()  # say nothing; returns when the client (or stop()) closes the connection
                return
            conn.sendall(b"220 fake.test ESMTP\r\n")
            while line := reader.readline():
                verb = line[:4].upper()
                if self.hang_at and verb == self.hang_at.encode():
                    reader.read()
                    return
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 fake.test\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    data = self._read_data(reader)
                    if self.drop_on and self.drop_on in data:
                        return  # hang up on it: not accepted
                    self.messages.append(email.message_from_bytes(data, policy=policy.default))
                    conn.sendall(b"250 2.0.0 OK\r\n")
                    if self.drop_after is not None and len(self.messages) == self.drop_after:
                        self.dropped.set()
                        if not self.keep_listening:
                            self._close_listener()
                        return  # `finally` closes the connection without a word
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 OK\r\n")
        except OSError:
            return
        finally:
            reader.close()
            conn.close()

    def _read_data(self, reader) -> bytes:
        lines = []
        while (line := reader.readline()) and line not in (b".\r\n", b".\n"):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _close_listener(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the other thread
        except OSError:
            pass
        self._listener.close()

    def stop(self) -> None:
        self._close_listener()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
        for thread in self._threads:
            thread.join(timeout=WAIT_S)
