"""Pengaduan, masukan dan kritik: optionally anonymous; the filer may reopen an answer for a while."""
from .base import OtherParty, PublicStandard, Workflow, step
from .effects import clear_answered, mark_answered, take_if_unclaimed
from .guards import reopen_window_open, unclaimed_or_mine

WORKFLOW = Workflow(
    case_type="complaint",
    title="Pengaduan, masukan dan kritik",
    ref_prefix="ADU",
    anonymous_allowed=True,
    evidence_files=3,  # a photo of the problem, a letter, a screenshot: LAPOR! takes attachments too
    desk_claims=True,
    # The person a complaint is about (if the filer names one) never reads it; the desk sees who it is.
    other_party=OtherParty(nip_field="reported_nip", required=False, takes_part=False,
                           invalid="Pihak yang diadukan tidak valid.",
                           not_yourself="Anda tidak dapat mengadukan diri sendiri."),
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
    paused_in={"waiting_filer": "menunggu pemohon"},
    answered_in={"answered"},
    standard=PublicStandard(
        key="pengaduan", name="Pengaduan, masukan dan kritik", topic="pengaduan",
        summary="Pengaduan atas pelayanan kepegawaian, atau masukan dan kritik untuk memperbaikinya; boleh tanpa identitas.",
        requirements=("Jenis: pengaduan, masukan atau kritik", "Judul singkat dan uraian: apa yang terjadi, kapan dan di mana",
                      "Bukti pendukung bila ada (foto, surat, tangkapan layar; paling banyak 3 berkas)",
                      "Identitas pelapor tidak wajib: pengaduan boleh dikirim anonim dan diikuti dengan kode pelacakan"),
        output="Jawaban tertulis atas pengaduan beserta tindak lanjutnya",
        apply_endpoint="intake.new", resolution_from="sejak pengaduan diterima",
        takes_complaints=True, public_filing=True),
    steps=[
        step("triage", "submitted", "triaged", "Telaah", who={"officer"}, guards=[unclaimed_or_mine],
             effect=take_if_unclaimed, task="menelaah pengaduan ini"),
        step("follow_up", "triaged", "in_follow_up", "Tindak lanjuti", who={"owner"}),
        step("ask_filer", ("triaged", "in_follow_up"), "waiting_filer", "Minta keterangan pelapor",
             who={"owner"}, needs={"comment"}, tone="secondary"),
        step("filer_replied", "waiting_filer", "in_follow_up", "Kirim keterangan",
             who={"requester"}, needs={"comment"}, task="mengirim keterangan yang diminta petugas"),
        step("answer", ("triaged", "in_follow_up"), "answered", "Kirim jawaban",
             who={"owner"}, needs={"comment"}, effect=mark_answered),
        step("reopen", "answered", "in_follow_up", "Buka kembali",
             who={"requester"}, guards=[reopen_window_open], needs={"comment"}, tone="secondary",
             effect=clear_answered),
        step("close", "answered", "closed", "Tutup pengaduan", who={"requester", "owner"}),
        step("reject", ("submitted", "triaged"), "rejected", "Tidak dapat diproses",
             who={"officer"}, guards=[unclaimed_or_mine], needs={"comment"}, tone="danger"),
    ],
)
