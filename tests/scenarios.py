"""The scenarios many tests start from: the office's people (made with the factories) and what they file
(through the services, as the app does). No fixtures here: tests/conftest.py wraps them in fixtures named
after the scenario (`office`, `desk`, `kgb_filed_wednesday`, …)."""
from __future__ import annotations

from dataclasses import dataclass

from layani_flow.models import User

from .factories import UserFactory


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
