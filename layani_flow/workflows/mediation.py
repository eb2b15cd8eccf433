"""Fasilitasi masalah atasan–bawahan: confidential; the mediator is never a party."""
from .base import Workflow, step
from .guards import mediator_not_party

WORKFLOW = Workflow(
    case_type="mediation",
    title="Fasilitasi masalah atasan–bawahan",
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
    steps=[
        step("assign_mediator", ("submitted", "mediator_assigned"), "mediator_assigned", "Tunjuk mediator",
             who={"supervisor", "admin"}, guards=[mediator_not_party], needs={"form"}),
        step("bring_in_other_party", "mediator_assigned", "in_mediation", "Libatkan pihak lain",
             who={"mediator"}, needs={"comment"}),
        step("record_agreement", "in_mediation", "resolved", "Catat kesepakatan",
             who={"mediator"}, needs={"comment"}),
        step("record_no_agreement", "in_mediation", "not_resolved", "Catat tidak sepakat",
             who={"mediator"}, needs={"comment"}, tone="secondary"),
        # A suspected disciplinary breach cannot be settled by mediation: the atasan must act (PP 94/2021).
        step("refer_to_discipline", ("mediator_assigned", "in_mediation"), "referred",
             "Rujuk ke penanganan disiplin", who={"mediator"}, needs={"comment"}, tone="danger"),
        step("withdraw", ("submitted", "mediator_assigned"), "withdrawn", "Batalkan permohonan",
             who={"requester"}, tone="danger"),
    ],
)
