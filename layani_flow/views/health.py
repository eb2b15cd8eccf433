"""GET /healthz: for the reverse proxy, the load balancer or the orchestrator. No sign-in, no session cookie,
no rate limit; 200 while this app server can reach the database, 503 when it cannot."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..extensions import limiter
from ..services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    if health.database_reachable():
        response = jsonify(status="ok", database="ok")
    else:
        response = jsonify(status="error", database="unreachable",
                           message="Basis data tidak dapat dihubungi. / The database cannot be reached.")
        response.status_code = 503
    response.headers["Cache-Control"] = "no-store"
    return response
