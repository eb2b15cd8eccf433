"""ChatCanal: a conversation with the desk, started by a signed-in employee at any hour. Out of office hours
the first message is answered at once with when a person will reply (services.notifications' automatic
reply); the first response is due within CHAT_FIRST_RESPONSE of working time (15 minutes), so a chat opened
at night is due 15 working minutes after the office opens. An officer may turn it into a case of another
type, filed for the chat's requester with the conversation attached; the chat then closes."""
from .base import FILED_FROM_A_CONVERSATION, PublicStandard, Workflow, choice, step
from .effects import take_if_unclaimed
from .guards import unclaimed_or_mine

WORKFLOW = Workflow(
    case_type="chat",
    title="Chat dengan petugas (ChatCanal)",
    ref_prefix="CHAT",
    desk_claims=True,
    conversation=True,
    first_message_field="body",
    asks_feedback=True,
    no_feedback_in={"converted"},  # the conversation goes on as the new case; that one asks when it closes
    initial="waiting",
    states={
        "waiting": "Menunggu petugas",
        "active": "Sedang dilayani",
        "closed": "Selesai",
        "converted": "Dijadikan kasus",
    },
    final={"closed", "converted"},
    sla={"first_response": "15m"},  # the target actually used is the setting below
    sla_settings={"first_response": "CHAT_FIRST_RESPONSE"},
    standard=PublicStandard(
        key="chat", name="Chat dengan petugas (ChatCanal)", topic="konsultasi",
        summary="Bertanya kepada petugas layanan kepegawaian lewat chat kapan saja; dijawab pada jam kerja.",
        requirements=("Pegawai aktif yang masuk ke LAYANI", "Pertanyaan atau pesan Anda"),
        output="Jawaban tertulis di percakapan chat (atau kasus baru bila perlu diproses)",
        apply_endpoint="chat.index"),
    steps=[
        step("serve", "waiting", "active", "Layani chat", who={"officer"}, guards=[unclaimed_or_mine],
             effect=take_if_unclaimed, notify={}),
        step("convert", ("waiting", "active"), "converted", "Jadikan kasus", who={"officer"},
             guards=[unclaimed_or_mine], needs={"form"}, effect=take_if_unclaimed, files_case=True,
             inputs=[choice("type", FILED_FROM_A_CONVERSATION, invalid="Jenis kasus tujuan tidak dapat dipilih.",
                            hint="Pilih permohonan layanan atau pengaduan.")],
             notify={"requester": "Chat Anda dijadikan kasus"}),
        step("close", ("waiting", "active"), "closed", "Akhiri chat", who={"requester", "owner"},
             tone="secondary"),
    ],
)
