"""Layanan kepegawaian: a request from the service catalogue, verified document by document."""
from .. import catalogue
from .base import Intake, Workflow, choice, file_input, step
from .effects import back_from_external_body, hand_to_external_body, take_if_unclaimed
from .guards import documents_verified, unclaimed_or_mine


def _starts_in(intake: Intake) -> str:
    """A service the atasan endorses first (cuti) starts with the requester's superior, if they have one."""
    service = catalogue.SERVICES.get(intake.fields.get("service") or "")
    if service is not None and service.needs_superior and intake.requester_has_superior:
        return "awaiting_superior"
    return "submitted"


WORKFLOW = Workflow(
    case_type="service_request",
    title="Layanan kepegawaian",
    ref_prefix="LYN",
    per_service=True,
    desk_claims=True,
    requester_superiors_read=True,
    initial="submitted",
    entry_states={"awaiting_superior"},
    starts_in=_starts_in,
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
    # resolution per service: catalogue; approval: the superior's time to decide (per service: catalogue)
    sla={"first_response": "1d", "resolution": "5d", "external": "10d", "approval": "2d"},
    paused_in={"awaiting_superior": "menunggu persetujuan atasan pemohon", "revision_requested": "menunggu pemohon"},
    external_in={"forwarded"},
    steps=[
        step("superior_approve", "awaiting_superior", "submitted", "Setujui sebagai atasan",
             who={"requester_superior"}),
        step("superior_decline", "awaiting_superior", "rejected", "Tolak sebagai atasan",
             who={"requester_superior"}, needs={"comment"}, tone="danger"),
        step("start_verification", "submitted", "in_verification", "Mulai verifikasi",
             who={"officer"}, guards=[unclaimed_or_mine], effect=take_if_unclaimed,
             task="memulai verifikasi berkas"),
        step("request_revision", "in_verification", "revision_requested", "Minta perbaikan berkas",
             who={"owner"}, needs={"comment"}, tone="secondary"),
        step("resubmit", "revision_requested", "in_verification", "Kirim perbaikan",
             who={"requester"}, task="memperbaiki berkas sesuai catatan petugas, lalu mengirim perbaikan"),
        step("start_processing", "in_verification", "processing", "Berkas lengkap, proses",
             who={"owner"}, guards=[documents_verified],
             task="memproses permohonan: semua dokumen wajib sudah diverifikasi"),
        step("forward", "processing", "forwarded", "Teruskan ke instansi lain",
             who={"owner"}, needs={"form"}, tone="secondary", effect=hand_to_external_body,
             inputs=[choice("external_body", (key for key, _ in catalogue.EXTERNAL_BODIES),
                            invalid="Instansi tujuan tidak valid.", hint="Pilih instansi tujuan.")]),
        step("external_returned", "forwarded", "processing", "Jawaban instansi lain diterima",
             who={"owner"}, needs={"comment"}, tone="secondary", effect=back_from_external_body),
        step("complete", ("processing", "forwarded"), "completed", "Selesaikan",
             who={"owner"}, guards=[documents_verified], needs={"comment", "form"},
             # Optional: not every service issues a document (a data update does not).
             inputs=[file_input("doc_keluaran", requirement=catalogue.OUTPUT_DOCUMENT.key,
                                label="Dokumen hasil (mis. SK yang terbit)",
                                hint="PDF, JPG atau PNG, maksimal 5 MB. Pemohon dapat mengunduhnya dari halaman kasus.")]),
        step("reject", ("in_verification", "processing", "forwarded"), "rejected", "Tolak permohonan",
             who={"owner"}, needs={"comment"}, tone="danger"),
        step("withdraw", ("awaiting_superior", "submitted", "in_verification", "revision_requested"),
             "withdrawn", "Batalkan permohonan", who={"requester"}, needs={"confirm"}, tone="danger"),
    ],
)
