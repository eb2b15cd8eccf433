"""Each case type's lifecycle, drawn from the same declaration the engine runs: an SVG made on the server
(workflows/svg.py; no script on the page) and a table of the steps in words, which is also its text alternative."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from markupsafe import Markup

from layani_flow.roles import DESK_ROLES
from layani_flow.workflows import REGISTRY
from layani_flow.workflows.docs import transition_rows
from layani_flow.workflows.svg import workflow_svg

from .auth import role_required

bp = Blueprint("workflows", __name__)


@bp.get("/alur")
@role_required(*DESK_ROLES)
def index():
    return render_template("workflows/index.html", registry=REGISTRY)


@bp.get("/alur/<case_type>")
@role_required(*DESK_ROLES)
def detail(case_type: str):
    workflow = REGISTRY.get(case_type)
    if workflow is None:
        abort(404)
    # workflow_svg escapes every label it writes; the declarations are code, not anyone's input.
    return render_template("workflows/detail.html", workflow=workflow, diagram=Markup(workflow_svg(workflow)),
                           rows=transition_rows(workflow))
