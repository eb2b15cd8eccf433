"""Layanan kepegawaian: a request from the service catalogue, verified document by document."""
from .base import Workflow, step
from .guards import documents_verified, unclaimed_or_mine

WORKFLOW = Workflow(
    case_type="service_request",
    title="Layanan kepegawaian",
    initial="submitted",
    entry_states={"awaiting_superior"},  # services that need the atasan's endorsement first (cuti)
    states={
        "awaiting_superior": "Menunggu persetujuan atasan",
        "submitted": "Diajukan",
        "in_verification": "Verifikasi berkas",
        "revision_requested": "Menunggu perbaikan pemohon",
        "processing": "Diproses",
        "forwarded": "Diteruskan ke instansi lain",
        "completed": "Selesai",
        "rejected": "Ditolak",
        "withdrawn": "Dibatalkan pemohon",
    },
    final={"completed", "rejected", "withdrawn"},
    sla={"first_response": "1d", "resolution": "5d", "external": "10d"},  # resolution per service: catalogue
    paused_in={"awaiting_superior", "revision_requested"},
    external_in={"forwarded"},
    steps=[
        step("superior_approve", "awaiting_superior", "submitted", "Setujui sebagai atasan",
             who={"requester_superior"}),
        step("superior_decline", "awaiting_superior", "rejected", "Tolak sebagai atasan",
             who={"requester_superior"}, needs={"comment"}, tone="danger"),
        step("start_verification", "submitted", "in_verification", "Mulai verifikasi",
             who={"officer"}, guards=[unclaimed_or_mine]),
        step("request_revision", "in_verification", "revision_requested", "Minta perbaikan berkas",
             who={"owner"}, needs={"comment"}, tone="secondary"),
        step("resubmit", "revision_requested", "in_verification", "Kirim perbaikan",
             who={"requester"}),
        step("start_processing", "in_verification", "processing", "Berkas lengkap, proses",
             who={"owner"}, guards=[documents_verified]),
        step("forward", "processing", "forwarded", "Teruskan ke instansi lain",
             who={"owner"}, needs={"form"}, tone="secondary"),
        step("external_returned", "forwarded", "processing", "Jawaban instansi lain diterima",
             who={"owner"}, needs={"comment"}, tone="secondary"),
        step("complete", ("processing", "forwarded"), "completed", "Selesaikan",
             who={"owner"}, guards=[documents_verified], needs={"comment"}),
        step("reject", ("in_verification", "processing", "forwarded"), "rejected", "Tolak permohonan",
             who={"owner"}, needs={"comment"}, tone="danger"),
        step("withdraw", ("awaiting_superior", "submitted", "in_verification", "revision_requested"),
             "withdrawn", "Batalkan permohonan", who={"requester"}, tone="danger"),
    ],
)
