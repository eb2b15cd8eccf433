"""One place that turns domain errors and HTTP errors into answers: JSON under /api/, pages elsewhere."""
from __future__ import annotations

import logging
import math
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import clock
from ..extensions import limiter
from ..forms.base import INDONESIAN
from ..services.errors import DomainError
from . import drafts

logger = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: "Permintaan tidak valid.",
    401: "Anda perlu masuk terlebih dahulu.",
    403: "Anda tidak berhak melakukan ini.",
    404: "Halaman atau data tidak ditemukan.",
    405: "Metode tidak diizinkan untuk alamat ini.",
    409: "Terjadi konflik dengan perubahan lain.",
    413: "Berkas atau isian terlalu besar.",
    415: "Format isi permintaan tidak didukung.",
    422: "Isian tidak valid.",
    429: "Terlalu banyak permintaan; coba lagi sebentar lagi.",
    500: "Terjadi kesalahan pada sistem. Tim kami sudah dicatat; silakan coba lagi.",
}

# The page's heading says what happened in words (GOV.UK: "Page not found", never a bare number); the message
# below it says why or what to do. A domain error's own code picks a sharper heading than its status would.
HEADINGS = {
    400: "Permintaan tidak dapat diproses",
    401: "Anda perlu masuk terlebih dahulu",
    403: "Anda tidak berhak membuka halaman ini",
    404: "Halaman tidak ditemukan",
    405: "Alamat ini tidak dapat dibuka dengan cara itu",
    409: "Tindakan ini tidak dapat dilakukan sekarang",
    413: "Berkas atau isian terlalu besar",
    415: "Format kiriman tidak didukung",
    422: "Ada isian yang perlu diperbaiki",
    429: "Terlalu banyak percobaan",
    500: "Terjadi kesalahan pada sistem",
}
CODE_HEADINGS = {
    "stale_version": "Kasus ini baru saja diubah orang lain",
    "transition_not_allowed": "Tindakan ini tidak dapat dilakukan pada tahap ini",
    "csrf": "Formulir ini sudah kedaluwarsa",
}


def heading_for(status: int, code: str) -> str:
    return CODE_HEADINGS.get(code) or HEADINGS.get(status) or HEADINGS[500 if status >= 500 else 400]


CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests",
         500: "server_error"}


def _retry_after() -> int:
    """Seconds until the spent window resets (Flask-Limiter keeps the later of this and its own)."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, math.ceil(limit.window.reset_time - clock.now().timestamp()))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, errors: dict | None = None):
    if wants_json():
        body: dict[str, Any] = {"error": code, "message": message}
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    return render_template("error.html", status=status, heading=heading_for(status, code), message=message,
                           errors=errors or {}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, exc.code, exc.message, exc.errors)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        kept = drafts.keep_on_csrf_failure()  # a form whose token expired: its text is not lost
        if kept is not None:
            return kept
        return error_response(400, "csrf", INDONESIAN.get(exc.description, HTTP_MESSAGES[400]))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = HTTP_MESSAGES.get(status, exc.description or "")
        if isinstance(exc, RateLimitExceeded) and exc.limit.error_message:
            message = exc.description  # a limit's own message is ours, in Indonesian, with the wait
        response = make_response(error_response(status, CODES.get(status, "error"), message))
        # Our page replaces werkzeug's, not the headers that tell a client what to do next (Allow on
        # 405, Retry-After on 429, WWW-Authenticate on 401).
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        if isinstance(exc, RateLimitExceeded):
            response.headers["Retry-After"] = str(_retry_after())
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "server_error", HTTP_MESSAGES[500])
