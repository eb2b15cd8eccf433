"""Intake data and counting helpers shared by the service, API, page and CLI tests (no fixtures here)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event, func, select

from layani_flow.extensions import db
from layani_flow.models import Case, CaseDocument, CaseEvent, OutboxMessage
from layani_flow.services import documents, office_settings, outbox

from .samples import JPEG, PDF, PNG

KGB = {"service": "kgb", "tmt_kgb_terakhir": "2024-12-01", "golongan": "Penata, III/c"}
CUTI = {"service": "cuti", "jenis_cuti": "tahunan", "tanggal_mulai": "2026-12-21", "tanggal_selesai": "2026-12-23",
        "alamat_selama_cuti": "Jl. Merdeka 12, Pangkalpinang", "alasan": "Acara keluarga di Belitung."}
COMPLAINT = {"category": "pengaduan", "subject": "Layanan lambat",
             "description": "Sudah dua minggu tidak ada kabar tentang berkas saya."}


def mediation_data(other_party) -> dict:
    return {"other_party_nip": other_party.nip, "relation": "atasan", "subject": "Perbedaan penilaian SKP",
            "description": "Penilaian SKP saya turun tanpa dialog kinerja.", "discipline_concern": "tidak"}


def upload(requirement: str, name: str = "berkas.pdf", content: bytes = PDF) -> documents.CheckedUpload:
    return documents.check_upload("file", requirement, name, content)


SAMPLES = {"pdf": PDF, "png": PNG, "jpg": JPEG}


def counts() -> tuple[int, int, int]:
    """(cases, events, documents) in the database."""
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Case, CaseEvent, CaseDocument))


def transitions_of(case: Case) -> list[CaseEvent]:
    return [e for e in case.events if e.kind == "transition"]


@dataclass
class StatementCount:
    statements: list[str] = field(default_factory=list)  # each one's SQL, in the order sent

    @property
    def count(self) -> int:
        return len(self.statements)

    def naming(self, text: str) -> list[str]:
        return [statement for statement in self.statements if text in statement]


@contextmanager
def count_statements() -> Iterator[StatementCount]:
    """Counts the SQL statements the app's engine sends while the block runs (each cursor execution once),
    wherever they come from: the test's session, or a request's own app context."""
    counted = StatementCount()

    def count(conn, cursor, statement, *_args) -> None:
        counted.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_to_get(client, url: str) -> int:
    """How many SQL statements a GET of `url` costs; the answer must be a 200. `client` is the test client,
    a WebClient or an ApiClient (tests/conftest.py). The calendar and SLA policies are read first: an app reads
    them once after a change (services.office_settings), and the count is the page's own."""
    office_settings.current()
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return statements.count


def written_mail(*conditions) -> list[OutboxMessage]:
    """The outbox rows matching `conditions`, oldest first, each written as it is when sent: a case notice is
    queued with its facts and written at delivery (services.outbox.write_queued), here without sending it."""
    rows = db.session.scalars(select(OutboxMessage).where(*conditions).order_by(OutboxMessage.id)).all()
    for row in rows:
        if row.template and not row.body_text:
            outbox.write_queued(row)
    return list(rows)
