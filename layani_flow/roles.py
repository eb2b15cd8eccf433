"""The roles a person holds in the office, and the groups of them that pages and rules name. Pure, so the
workflow declarations, the models and the services all spell a role one way."""
from __future__ import annotations

import enum


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.EMPLOYEE: "Pegawai",
    Role.OFFICER: "Petugas layanan",
    Role.SUPERVISOR: "Atasan / supervisor",
    Role.ADMIN: "Admin",
}

# Who works at or over the desk: its queue, internal notes, mediators. Who may be given a desk case is
# narrower (services.access.on_desk), and nobody acts for the desk on a case they are a party to.
DESK_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
# Who leads: the team view, and reading confidential cases they take no part in.
LEAD_ROLES = (Role.SUPERVISOR, Role.ADMIN)
# Who reads every case the desk handles (besides the desk head, a supervisor named in the settings).
DESK_READERS = (Role.OFFICER, Role.ADMIN)
