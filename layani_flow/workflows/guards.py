"""Reusable guards: pure functions of the case and the step's context (actor, now, fields, settings)."""
from __future__ import annotations

import datetime as dt

from .. import catalogue
from .base import CaseRecord, Guard, StepContext


def _required_documents_verified(case: CaseRecord, ctx: StepContext) -> bool:
    return not catalogue.missing_verified_documents(case.service, case.documents)


documents_verified = Guard(
    "documents_verified",
    "Semua dokumen wajib harus sudah diverifikasi terlebih dahulu.",
    _required_documents_verified,
)

has_owner = Guard(
    "has_owner",
    "Kasus ini belum memiliki petugas penanggung jawab; klaim atau tugaskan dulu.",
    lambda case, ctx: case.owner_id is not None,
)


def _within_reopen_window(case: CaseRecord, ctx: StepContext) -> bool:
    if case.answered_at is None:
        return False
    window = dt.timedelta(days=ctx.get("settings", {}).get("complaint_reopen_days", 14))
    return ctx["now"] <= case.answered_at + window


reopen_window_open = Guard(
    "reopen_window_open",
    "Batas waktu untuk membuka kembali pengaduan ini sudah lewat.",
    _within_reopen_window,
)


def _chosen_mediator_not_party(case: CaseRecord, ctx: StepContext) -> bool:
    mediator_id = (ctx.get("fields") or {}).get("mediator_id")
    return mediator_id is not None and mediator_id not in case.party_ids


mediator_not_party = Guard(
    "mediator_not_party",
    "Pihak yang bersengketa tidak boleh menjadi mediator.",
    _chosen_mediator_not_party,
)

other_party_involved = Guard(
    "other_party_involved",
    "Pihak lain belum dilibatkan dalam mediasi.",
    lambda case, ctx: case.is_other_party_involved,
)

unclaimed_or_mine = Guard(
    "unclaimed_or_mine",
    "Kasus ini sudah ditangani petugas lain.",
    lambda case, ctx: case.owner_id is None or (ctx.get("actor_id") == case.owner_id),
)


def _slot_start(case: CaseRecord) -> dt.datetime | None:
    """When a booked consultation starts (services.consultations keeps it in the case's fields)."""
    text = (case.fields or {}).get("slot_start")
    return dt.datetime.fromisoformat(text) if isinstance(text, str) else None


def _before_cutoff(case: CaseRecord, ctx: StepContext) -> bool:
    start = _slot_start(case)
    minutes = ctx.get("settings", {}).get("consultation_cutoff_minutes", 120)
    return start is not None and ctx["now"] <= start - dt.timedelta(minutes=minutes)


before_cutoff = Guard(
    "before_cutoff",
    "Batas waktu untuk mengubah atau membatalkan konsultasi ini sudah lewat; hubungi petugas layanan.",
    _before_cutoff,
)


def _meeting_started(case: CaseRecord, ctx: StepContext) -> bool:
    start = _slot_start(case)
    return start is not None and ctx["now"] >= start


meeting_started = Guard(
    "meeting_started",
    "Hasil konsultasi baru dapat dicatat setelah jadwalnya dimulai.",
    _meeting_started,
)
