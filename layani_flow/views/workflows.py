"""Each case type's lifecycle, drawn from the same declaration the engine runs."""
from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, render_template

from layani_flow.roles import DESK_ROLES
from layani_flow.workflows import REGISTRY
from layani_flow.workflows.docs import transition_rows

from ..security_headers import inline_styles_allowed
from .auth import role_required

bp = Blueprint("workflows", __name__)

MERMAID = "vendor/mermaid.min.js"  # installed from npm by the set-up script; never committed


def mermaid_available() -> bool:
    folder = current_app.static_folder
    return folder is not None and os.path.exists(os.path.join(folder, MERMAID))


@bp.get("/alur")
@role_required(*DESK_ROLES)
def index():
    return render_template("workflows/index.html", registry=REGISTRY)


@bp.get("/alur/<case_type>")
@role_required(*DESK_ROLES)
@inline_styles_allowed  # mermaid styles its SVG inline; see security_headers
def detail(case_type: str):
    workflow = REGISTRY.get(case_type)
    if workflow is None:
        abort(404)
    return render_template("workflows/detail.html", workflow=workflow, diagram=workflow.diagram(),
                           rows=transition_rows(workflow), mermaid=MERMAID if mermaid_available() else None)
