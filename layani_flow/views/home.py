"""The start page, and the template helpers every page uses (base.html belongs to every blueprint)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from layani_flow import catalogue, clock
from layani_flow.roles import DESK_ROLES, LEAD_ROLES, Role
from layani_flow.services import approval_requests, escalations, listings
from layani_flow.services import cases as case_service
from layani_flow.services import inbox as inbox_service
from layani_flow.timefmt import MONTHS, human_wib
from layani_flow.workflows import REGISTRY

bp = Blueprint("home", __name__)

REVIEW_LABELS = {"pending": "Menunggu pemeriksaan", "verified": "Terverifikasi", "rejected": "Ditolak"}


@bp.get("/")
@login_required
def index():
    """Everyone's home page is their inbox ("Perlu tindakan Anda"), then their own cases."""
    return render_template("home.html", inbox=inbox_service.inbox_for(current_user),
                           cases=listings.list_own_cases(current_user), now=clock.now())


@bp.post("/kotak-masuk/<int(signed=True):case_id>/ambil-alih")
@login_required
def take_charge(case_id: int):
    """The inbox's one-click answer to an escalation: the person it went to takes the case."""
    case = escalations.take_charge(case_id, current_user, request.form.get("version"))
    flash(f"Kasus {case.ref} sekarang Anda tangani.", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def due_chip(item: inbox_service.InboxItem, now: dt.datetime) -> tuple[str, str]:
    """(css modifier, words) for an inbox item's deadline: late, at risk, on time, or none."""
    if item.due_at is None:
        return "none", "Tanpa batas waktu"
    if clock.as_utc(item.due_at) <= now:
        return "late", "Terlambat"
    if item.reason == "due_soon" or "due_soon" in item.also:
        return "risk", "Segera"
    return "ok", "Tepat waktu"


# -- template helpers ------------------------------------------------------------------------------

@bp.app_template_filter("wib")
def wib(value: dt.datetime | None) -> str:
    return human_wib(value)


@bp.app_template_filter("tanggal")
def tanggal(value) -> str:
    """An ISO date (as intake fields keep it) as '25 November 2026'."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.date):
        return "–"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@bp.app_template_filter("age")
def age(value: dt.datetime | None) -> str:
    """How long ago, coarsely: '3 hari', '5 jam', '12 menit'."""
    if value is None:
        return "–"
    seconds = max(0, int((clock.now() - clock.as_utc(value)).total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} hari"
    if seconds >= 3600:
        return f"{seconds // 3600} jam"
    return f"{seconds // 60} menit"


def state_label(case) -> str:
    return REGISTRY[case.case_type].states.get(case.state, case.state)


def type_label(case_type: str) -> str:
    workflow = REGISTRY.get(case_type)
    return workflow.title if workflow else case_type


def service_name(key: str | None) -> str:
    service = catalogue.SERVICES.get(key or "")
    return service.name if service else ""


@bp.app_context_processor
def page_helpers() -> dict:
    anonymous_page = g.get("anonymous_page", False)  # views/tracking_state.py
    user = current_user  # on an anonymous filer's page, nobody (never loaded)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {
        "anonymous_page": anonymous_page,
        "page_notices": g.get("page_notices") or [],
        "is_desk": signed_in and user.has_role(*DESK_ROLES),
        "is_lead": signed_in and user.has_role(*LEAD_ROLES),
        "is_admin": signed_in and user.has_role(Role.ADMIN),
        "state_label": state_label,
        "type_label": type_label,
        "service_name": service_name,
        "review_labels": REVIEW_LABELS,
        "anonymous_label": case_service.ANONYMOUS_LABEL,
        "inbox_count": (lambda: inbox_service.count_for(user)) if signed_in and not anonymous_page else None,
        "due_chip": due_chip,
        "pending_approval": approval_requests.pending_approval,
    }
