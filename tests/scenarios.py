"""The scenarios many tests start from: the office's people (made with the factories) and what they file
(through the services, as the app does). No fixtures here: tests/conftest.py wraps them in fixtures named
after the scenario (`office`, `desk`, `kgb_filed_wednesday`, …)."""
from __future__ import annotations

from dataclasses import dataclass

from layani_flow.clock import FrozenClock
from layani_flow.models import Case, SlaNotice, User
from layani_flow.services import cases as case_service
from layani_flow.services import documents, tokens

from .factories import UserFactory
from .services.helpers import KGB
from .timekit import wib


@dataclass(frozen=True)
class Office:
    """A small office: head → kasubbag → officers; head → kabid → two employees; an admin; a kabid elsewhere."""

    head: User
    kasubbag: User
    officer: User
    officer2: User
    kabid: User
    employee: User
    colleague: User
    admin: User
    outsider: User


def build_office() -> Office:
    """The office's people, created in this order (the same ids in every database built the same way)."""
    head = UserFactory(role="supervisor", name="Kepala Dinas", unit="Pimpinan")
    kasubbag = UserFactory(role="supervisor", name="Kasubbag Kepegawaian", superior=head)
    officer = UserFactory(role="officer", name="Petugas Satu", superior=kasubbag)
    officer2 = UserFactory(role="officer", name="Petugas Dua", superior=kasubbag)
    kabid = UserFactory(role="supervisor", name="Kabid Tangkap", superior=head)
    employee = UserFactory(name="Pegawai Pemohon", superior=kabid)
    colleague = UserFactory(name="Pegawai Lain", superior=kabid)
    admin = UserFactory(role="admin", name="Admin Sistem", superior=kasubbag)
    outsider = UserFactory(role="supervisor", name="Kabid Lain", superior=head)
    return Office(head=head, kasubbag=kasubbag, officer=officer, officer2=officer2, kabid=kabid, employee=employee,
                  colleague=colleague, admin=admin, outsider=outsider)


def build_cast() -> dict[str, User]:
    """The permission matrices' cast (tests/views/test_permission_matrix.py, tests/api/test_permissions.py),
    each person under the name of their relation to the cases the matrices set up: build_office's people,
    plus the other party of complaints and mediations, an officer who files cases of their own, another
    officer to assign cases to, and an employee of another field."""
    office = build_office()
    return {
        "requester": office.employee,
        "colleague": office.colleague,
        "stranger": UserFactory(name="Pegawai Bidang Lain", superior=office.outsider),
        "superior": office.kabid,
        "party": UserFactory(name="Rekan Pemohon", superior=office.kabid),
        "officer": office.officer2,
        "owner": office.officer,
        "assignee": UserFactory(role="officer", name="Petugas Tiga", superior=office.kasubbag),
        "outsider": office.outsider,
        "head": office.kasubbag,  # the desk head: the matrices configure DESK_HEAD_NIP
        "admin": office.admin,
        "desk_filer": UserFactory(role="officer", name="Petugas Pemohon", superior=office.kasubbag),
    }


# A KGB request filed on a Wednesday morning and left alone: the SLA story most sweep tests tell.
FILED_WEDNESDAY = wib(2026, 11, 25, 9, 0)  # also where the FrozenClock starts
LEVEL_1 = wib(2026, 11, 26, 16, 0)  # Thursday's close: first response breached, nobody claimed it: the desk head
LEVEL_2 = wib(2026, 11, 30, 16, 0)  # a working day later (Monday): one level up, the head of office


def file_kgb_requests(clock: FrozenClock, employee: User, n: int = 1) -> list[Case]:
    """`n` KGB requests `employee` files through the services at FILED_WEDNESDAY; nobody claims them. Each one's
    first response is due at LEVEL_1, its resolution on Wednesday 2 December, 16.00 WIB (5 working days)."""
    clock.set(FILED_WEDNESDAY)
    return [case_service.open_case("service_request", KGB, employee).case for _ in range(n)]


def file_and_forward_data_update(clock: FrozenClock, office: Office) -> Case:
    """A data-update request (pemutakhiran data: a new address) the employee files at FILED_WEDNESDAY; the
    officer verifies its proof of change and forwards it to BKPSDMD at once: the resolution clock is paused
    and the external clock runs (10 working days)."""
    clock.set(FILED_WEDNESDAY)
    case = case_service.open_case("service_request", {"service": "pemutakhiran_data", "jenis_data": "alamat",
                                                      "keterangan": "Pindah rumah."}, office.employee).case
    case = case_service.transition_case(case.id, "start_verification", office.officer, case.version)
    # No required document is verified, so go to processing through the guard with a verified upload.
    case_service.upload_documents(case.id, office.employee, [documents.check_upload(
        "file", "bukti_perubahan", "kk.pdf", b"%PDF-1.4\n%%EOF\n")])
    case_service.review_document(case.id, 1, office.officer, "verified")
    case = case_service.get_case(case.id, office.officer)
    case = case_service.transition_case(case.id, "start_processing", office.officer, case.version)
    return case_service.transition_case(case.id, "forward", office.officer, case.version, "Ke BKPSDMD.",
                                        {"external_body": "BKPSDMD"})


def escalation_token(notice: SlaNotice, action: str) -> str:
    """The signed token in one of an escalation email's links (/email/aksi/<token>): `action` ("ambil_alih",
    "alihkan", "perpanjang" or "instruksi") on the case, on behalf of the notice's recipient."""
    return tokens.sign_action(notice.id, notice.recipient_id, action)
