"""Pengaduan, masukan dan kritik: optionally anonymous; the filer may reopen an answer for a while."""
from .base import Workflow, step
from .guards import reopen_window_open, unclaimed_or_mine

WORKFLOW = Workflow(
    case_type="complaint",
    title="Pengaduan, masukan dan kritik",
    initial="submitted",
    states={
        "submitted": "Diterima",
        "triaged": "Ditelaah",
        "in_follow_up": "Ditindaklanjuti",
        "waiting_filer": "Menunggu keterangan pelapor",
        "answered": "Dijawab",
        "closed": "Ditutup",
        "rejected": "Tidak dapat diproses",
    },
    final={"closed", "rejected"},
    sla={"first_response": "1d", "resolution": "5d"},  # LAPOR!: verify ≤ 3 HK, follow up ≤ 5 HK
    paused_in={"waiting_filer"},
    answered_in={"answered"},
    steps=[
        step("triage", "submitted", "triaged", "Telaah", who={"officer"}, guards=[unclaimed_or_mine]),
        step("follow_up", "triaged", "in_follow_up", "Tindak lanjuti", who={"owner"}),
        step("ask_filer", ("triaged", "in_follow_up"), "waiting_filer", "Minta keterangan pelapor",
             who={"owner"}, needs={"comment"}, tone="secondary"),
        step("filer_replied", "waiting_filer", "in_follow_up", "Kirim keterangan",
             who={"requester"}, needs={"comment"}),
        step("answer", ("triaged", "in_follow_up"), "answered", "Kirim jawaban",
             who={"owner"}, needs={"comment"}),
        step("reopen", "answered", "in_follow_up", "Buka kembali",
             who={"requester"}, guards=[reopen_window_open], needs={"comment"}, tone="secondary"),
        step("close", "answered", "closed", "Tutup pengaduan", who={"requester", "owner"}),
        step("reject", ("submitted", "triaged"), "rejected", "Tidak dapat diproses",
             who={"officer"}, guards=[unclaimed_or_mine], needs={"comment"}, tone="danger"),
    ],
)
