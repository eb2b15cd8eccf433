"""The desk's work lists: the queue (officers, supervisors, admins), its CSV export and bulk claim/assign,
and a supervisor's team."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from layani_flow import clock
from layani_flow.roles import DESK_ROLES, LEAD_ROLES, Role
from layani_flow.services import bulk, listings, search
from layani_flow.services.access import on_desk
from layani_flow.services.calendar import load_calendar
from layani_flow.services.capabilities import desk_staff
from layani_flow.services.cases import ANONYMOUS_LABEL
from layani_flow.services.errors import InvalidInput
from layani_flow.services.listings import CasePage
from layani_flow.timefmt import iso_wib
from layani_flow.workflows import REGISTRY

from .auth import role_required
from .csv_export import csv_download, csv_lines
from .presenters import ClockView, next_due

bp = Blueprint("queue", __name__)

VIEW_LABELS = {"belum_diklaim": "Belum diklaim", "saya": "Saya tangani", "semua": "Semua"}
STANDING_LABELS = {"late": "Terlambat", "at_risk": "Hampir jatuh tempo", "paused": "Dijeda", "on_time": "Tepat waktu"}


def _dues(page: CasePage) -> dict[int, ClockView | None]:
    """Each listed case's nearest deadline, from the clocks the listing loaded with the page."""
    now, cal = clock.now(), load_calendar()
    return {case.id: next_due(case, now, cal) for case in page.items}


def _page_number() -> int:
    value = request.args.get("halaman", "1")
    # ASCII digits only ("²" passes str.isdigit but not int()), and few enough for int() and an OFFSET
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > 0 else 1


def _typed_words(text: str | None = None) -> tuple[search.Query | None, dict[str, list[str]]]:
    """The `q` the search box or the filter form sent (None, with the errors to show, when it is refused)."""
    try:
        return search.parse(request.args.get("q") if text is None else text), {}
    except InvalidInput as exc:
        return None, exc.errors


def _filters(args) -> dict[str, str]:
    """The queue's filters as the links and forms carry them; anything unknown falls back to the default."""
    default_view = "belum_diklaim" if current_user.role == Role.OFFICER else "semua"
    view = args.get("tampilan", default_view)
    view = view if view in listings.QUEUE_VIEWS else default_view
    status = args.get("status") or ""
    status = status if listings.parse_state_filter(status) != (None, None) else ""
    case_type = args.get("jenis") if args.get("jenis") in REGISTRY else ""
    return {"tampilan": view, "status": status, "jenis": case_type or "", "q": (args.get("q") or "").strip()}


def _query_args(filters: dict[str, str]) -> tuple[str, str | None, str | None]:
    """(view, state, case type) as services.listings takes them."""
    return filters["tampilan"], filters["status"] or None, filters["jenis"] or None


def _render_queue(filters: dict[str, str], status: int = 200, errors: dict[str, list[str]] | None = None):
    view, state, case_type = _query_args(filters)
    words, word_errors = _typed_words(filters["q"])
    if word_errors:
        errors, status = {**(errors or {}), **word_errors}, 400 if status == 200 else status
    page = listings.list_queue(current_user, view=view, state=state, case_type=case_type, page=_page_number(),
                               size=current_app.config["PAGE_SIZE"], words=words)
    bulk_ok = on_desk(current_user)
    staff = desk_staff() if bulk_ok else []
    return render_template("queue/index.html", page=page, filters=filters, view_labels=VIEW_LABELS,
                           registry=REGISTRY, dues=_dues(page), state_filters=listings.state_filters(),
                           standing_labels=STANDING_LABELS, bulk=bulk_ok, staff=staff, errors=errors or {},
                           loads=listings.open_case_counts([u.id for u in staff])), status


@bp.get("/antrian")
@role_required(*DESK_ROLES)
def index():
    return _render_queue(_filters(request.args))


def _picked(values: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """The ticked rows ("<case id>:<version>", as the page writes them) and the values that are not."""
    picked, bad = [], []
    for value in values[:bulk.MAX_BULK + 1]:
        case_id, _, version = value.partition(":")
        try:
            picked.append((int(case_id), version))
        except ValueError:
            bad.append(value)
    return picked, bad


@bp.post("/antrian/massal")
@role_required(*DESK_ROLES)
def bulk_action():
    """Claim or assign the ticked cases; each goes through on its own or is refused on its own, and the
    page that follows lists which and why."""
    filters = _filters(request.form)
    picked, bad = _picked(request.form.getlist("kasus"))
    action = request.form.get("aksi")
    assignee = request.form.get("assignee_nip", "").strip()
    errors: dict[str, list[str]] = {}
    if action not in ("klaim", "tugaskan"):
        errors["aksi"] = ["Pilih Klaim atau Tugaskan."]
    if not picked or bad:
        errors["kasus"] = ["Centang sedikitnya satu kasus dari daftar."]
    if len(picked) > bulk.MAX_BULK:
        errors["kasus"] = [f"Paling banyak {bulk.MAX_BULK} kasus sekaligus."]
    if action == "tugaskan" and not assignee:
        errors["assignee_nip"] = ["Pilih petugas yang ditugaskan."]
    if errors:
        return _render_queue(filters, 422, errors)
    outcomes = bulk.assign_many(current_user, picked, None if action == "klaim" else assignee)
    done = [o for o in outcomes if o.ok]
    verb = "diklaim" if action == "klaim" else "ditugaskan"
    if done:
        flash(f"{len(done)} kasus {verb}: " + ", ".join(o.ref or "" for o in done) + ".", "success")
    for o in outcomes:
        if not o.ok:
            flash(f"{o.ref or 'Satu kasus'} tidak {verb}: {o.message}", "error")
    kept: dict[str, Any] = {k: v for k, v in filters.items() if v}
    return redirect(url_for("queue.index", **kept))


CSV_HEADER = ["Nomor", "Jenis", "Judul", "Pemohon", "NIP pemohon", "Status", "Petugas",
              "Batas waktu terdekat", "Keadaan", "Sisa waktu", "Diajukan"]


def _csv_rows(filters: dict[str, str]) -> Iterator[str]:
    now, cal = clock.now(), load_calendar()
    view, state, case_type = _query_args(filters)
    words, _ = _typed_words(filters["q"])  # refused words were refused on the page the link came from

    def chunks() -> Iterator[list[tuple]]:
        for chunk in listings.iter_queue(current_user, view=view, state=state, case_type=case_type, words=words):
            rows = []
            for case in chunk:
                due = next_due(case, now, cal)
                rows.append((
                    case.ref, REGISTRY[case.case_type].title, case.title,
                    case.requester.name if case.requester else ANONYMOUS_LABEL,
                    case.requester.nip if case.requester else "",
                    REGISTRY[case.case_type].states.get(case.state, case.state),
                    case.owner.name if case.owner else "",
                    iso_wib(due.due_at) if due else "", STANDING_LABELS[due.standing] if due else "",
                    due.remaining_text if due else "", iso_wib(case.created_at),
                ))
            yield rows

    return csv_lines(CSV_HEADER, chunks())


@bp.get("/antrian/ekspor.csv")
@role_required(*DESK_ROLES)
def export_csv():
    """The queue as the person sees it now (same view and filters, every page), streamed as CSV."""
    filters = _filters(request.args)
    name = f"antrian-{filters['tampilan']}-{clock.now().date().isoformat()}.csv"
    return csv_download(name, _csv_rows(filters))


@bp.get("/tim")
@role_required(*LEAD_ROLES)
def team():
    words, errors = _typed_words()
    page = listings.list_team_cases(current_user, page=_page_number(), size=current_app.config["PAGE_SIZE"],
                                    words=words)
    filters = {"q": words.text} if words and words.text else {}
    return render_template("queue/team.html", page=page, filters=filters, dues=_dues(page),
                           errors=errors), 400 if errors else 200
