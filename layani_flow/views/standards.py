"""The published service standards (/standar-pelayanan): public, the same for every reader, signed in or not.
They show no person and no case: only the catalogue, the workflows and the SLA targets in force."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from layani_flow import catalogue
from layani_flow.services import standards
from layani_flow.services.errors import InvalidInput
from layani_flow.workflows.svg import workflow_svg

bp = Blueprint("standards", __name__)


def apply_url(standard: standards.Standard) -> str:
    return url_for(standard.apply_endpoint, **standard.apply_values)


@bp.get("/standar-pelayanan")
def index():
    query = (request.args.get("q") or "").strip()
    topic = request.args.get("topik") if request.args.get("topik") in catalogue.TOPICS else ""
    errors: dict[str, list[str]] = {}
    try:
        found = standards.list_standards(query, topic or None)
    except InvalidInput as exc:
        errors, found = exc.errors, []
    return render_template("standards/index.html", found=found, times=standards.resolution_times(found),
                           filters={"q": query, "topik": topic}, topics=catalogue.TOPICS, errors=errors,
                           maklumat=standards.MAKLUMAT, maklumat_by=standards.MAKLUMAT_BY,
                           total=len(standards.all_standards())), 400 if errors else 200


@bp.get("/standar-pelayanan/<key>")
def detail(key: str):
    page = standards.standard_page(key)
    if page is None:
        abort(404)
    # workflow_svg escapes every label it writes; the declarations are code, not anyone's input.
    return render_template("standards/detail.html", page=page, s=page.standard, cost=standards.COST,
                           diagram=Markup(workflow_svg(page.standard.workflow)), apply_url=apply_url(page.standard),
                           working_time_note=standards.WORKING_TIME_NOTE)
