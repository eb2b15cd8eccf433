"""Fasilitasi masalah atasan–bawahan: confidential; the mediator is never a party."""
from ..roles import DESK_ROLES
from .base import STATUS_UPDATE, OtherParty, PublicStandard, Workflow, person, step
from .effects import bring_in_other_party, make_owner
from .guards import mediator_not_party

WORKFLOW = Workflow(
    case_type="mediation",
    title="Fasilitasi masalah atasan–bawahan",
    ref_prefix="MED",
    # Read by the requester, the mediator, supervisors and admins who are not parties, and the other
    # party once the mediator brings them in. Not a desk case: a lead picks the mediator.
    confidential=True,
    other_party=OtherParty(nip_field="other_party_nip", required=True, takes_part=True,
                           invalid="Pihak lain tidak valid.", not_yourself="Anda tidak dapat menjadi pihak lain.",
                           chosen_by_name=True),
    owner_called="mediator",
    not_claimed_because='Mediator ditunjuk melalui tindakan "Tunjuk mediator".',
    initial="submitted",
    states={
        "submitted": "Diajukan",
        "mediator_assigned": "Mediator ditunjuk",
        "in_mediation": "Mediasi berlangsung",
        "resolved": "Tercapai kesepakatan",
        "not_resolved": "Tidak tercapai kesepakatan",
        "referred": "Dirujuk ke penanganan disiplin",
        "withdrawn": "Dibatalkan pemohon",
    },
    final={"resolved", "not_resolved", "referred", "withdrawn"},
    sla={"first_response": "2d", "resolution": "14d"},
    standard=PublicStandard(
        key="mediasi", name="Fasilitasi masalah atasan–bawahan (mediasi)", topic="pengaduan",
        summary="Mediasi rahasia oleh mediator yang netral untuk masalah kerja antara atasan dan bawahan.",
        requirements=("Pegawai aktif yang masuk ke LAYANI", "Pihak lain (atasan atau bawahan) yang terlibat",
                      "Pokok masalah dan uraiannya", "Hasil yang diharapkan (boleh kosong)"),
        output="Catatan hasil mediasi: kesepakatan, tidak tercapai kesepakatan, atau rujukan ke penanganan disiplin",
        apply_endpoint="intake.new", resolution_from="sejak permohonan diterima"),
    steps=[
        step("assign_mediator", ("submitted", "mediator_assigned"), "mediator_assigned", "Tunjuk mediator",
             who={"supervisor", "admin"}, guards=[mediator_not_party], needs={"form"},
             inputs=[person("mediator_nip", becomes="mediator", roles=DESK_ROLES, invalid="Mediator tidak valid.",
                            hint="Mediator harus petugas layanan atau atasan.")],
             effect=make_owner("mediator"),
             notify={"requester": STATUS_UPDATE, "mediator": "Anda ditunjuk sebagai mediator"}),
        step("bring_in_other_party", "mediator_assigned", "in_mediation", "Libatkan pihak lain",
             who={"mediator"}, needs={"comment"}, effect=bring_in_other_party, task="melibatkan pihak lain dalam mediasi",
             notify={"requester": STATUS_UPDATE, "other_party": "Anda diundang dalam fasilitasi mediasi"}),
        step("record_agreement", "in_mediation", "resolved", "Catat kesepakatan",
             who={"mediator"}, needs={"comment"}),
        step("record_no_agreement", "in_mediation", "not_resolved", "Catat tidak sepakat",
             who={"mediator"}, needs={"comment"}, tone="secondary"),
        # A suspected disciplinary breach cannot be settled by mediation: the atasan must act (PP 94/2021).
        step("refer_to_discipline", ("mediator_assigned", "in_mediation"), "referred",
             "Rujuk ke penanganan disiplin", who={"mediator"}, needs={"comment"}, tone="danger"),
        step("withdraw", ("submitted", "mediator_assigned"), "withdrawn", "Batalkan permohonan",
             who={"requester"}, needs={"confirm"}, tone="danger"),
    ],
)
