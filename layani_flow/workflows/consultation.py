"""ConsDesk: a consultation with an officer in a slot they published, within working hours.

The booking is the promise: the case is filed for a free slot (services.consultations holds it, one booking
per slot), the slot's officer owns it and must confirm it within a working hour (first_response, escalating
like any other clock). The booker may cancel, or move it to another slot, up to a cut-off before it starts;
after the meeting the officer records the outcome (notes and next steps) or a no-show. Recording it, the
officer may file a follow-up case of another type for the booker, or link the consultation to one of the
booker's existing cases; either way the notes go with it. The booker is asked how satisfied they were.
"""
from .base import FILED_FROM_A_CONVERSATION, Booking, PublicStandard, Workflow, choice, step
from .effects import record_outcome
from .guards import before_cutoff, meeting_started

WORKFLOW = Workflow(
    case_type="consultation",
    title="Konsultasi (ConsDesk)",
    ref_prefix="KON",
    booking=Booking(slot_field="slot_id", released_in=frozenset({"cancelled"}),
                    changeable_in=frozenset({"booked", "confirmed"}), closed_day_trigger="office_closed"),
    not_claimed_because="Konsultasi ditangani petugas yang membuka jadwalnya.",
    initial="booked",
    states={
        "booked": "Dipesan",
        "confirmed": "Dikonfirmasi",
        "held": "Selesai dilaksanakan",
        "no_show": "Pemohon tidak hadir",
        "cancelled": "Dibatalkan",
    },
    final={"held", "no_show", "cancelled"},
    asks_feedback=True,
    no_feedback_in={"no_show", "cancelled"},  # no meeting took place: nothing to rate
    sla={"first_response": "1h"},  # the desk confirms a booking within a working hour
    standard=PublicStandard(
        key="konsultasi", name="Konsultasi kepegawaian (ConsDesk)", topic="konsultasi",
        summary="Bertemu, menelepon atau rapat daring dengan petugas layanan kepegawaian pada jadwal yang dibuka, "
                "di jam kerja.",
        requirements=("Pegawai aktif yang masuk ke LAYANI", "Jadwal yang masih kosong", "Topik konsultasi"),
        output="Penjelasan dari petugas dan catatan tindak lanjut yang disepakati",
        apply_endpoint="consultations.calendar"),
    steps=[
        step("confirm", "booked", "confirmed", "Konfirmasi jadwal", who={"owner"},
             notify={"requester": "Konsultasi Anda dikonfirmasi"}),
        step("hold", ("booked", "confirmed"), "held", "Catat hasil konsultasi", who={"owner"},
             guards=[meeting_started], needs={"comment", "form"}, effect=record_outcome,
             files_case=True, links_case=True,
             inputs=[choice("type", FILED_FROM_A_CONVERSATION, optional=True,
                            invalid="Jenis kasus lanjutan tidak dapat dipilih.",
                            hint="Pilih permohonan layanan atau pengaduan, atau biarkan kosong.")],
             notify={"requester": "Hasil konsultasi Anda sudah dicatat"}),
        step("no_show", ("booked", "confirmed"), "no_show", "Pemohon tidak hadir", who={"owner"},
             guards=[meeting_started], tone="secondary"),
        step("cancel", ("booked", "confirmed"), "cancelled", "Batalkan konsultasi", who={"requester"},
             guards=[before_cutoff], tone="danger", notify={"owner": "Konsultasi dibatalkan pemohon"}),
        step("desk_cancel", ("booked", "confirmed"), "cancelled", "Batalkan oleh petugas", who={"owner"},
             needs={"comment"}, tone="danger", notify={"requester": "Konsultasi Anda dibatalkan petugas"}),
        step("office_closed", ("booked", "confirmed"), "cancelled", "Dibatalkan: kantor tutup", who={"admin"},
             tone="danger",
             notify={"requester": "Konsultasi Anda dibatalkan karena kantor tutup pada hari itu",
                     "owner": "Konsultasi dibatalkan karena kantor tutup"}),
    ],
)
