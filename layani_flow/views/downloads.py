"""How an uploaded file leaves the app: a download, never rendered inline, never cached by a shared cache.
Every page that hands out a stored file (a case's documents, an announcement's materials) answers with this."""
from __future__ import annotations

import io

from flask import Response, abort, send_file

from ..services import file_storage


def stored_file(stored_name: str, content_type: str, original_name: str) -> Response:
    content = file_storage.read(stored_name)  # from the database, or this server's UPLOAD_FOLDER
    if content is None:
        abort(404)
    response = send_file(io.BytesIO(content), mimetype=content_type, as_attachment=True, download_name=original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
