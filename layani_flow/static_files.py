"""Static files: cached for a year under a versioned URL, compressed, and a favicon where browsers look for it.

- `url_for('static', filename=…)` adds `?v=<first 12 hex of the file's SHA-256>`. A request that carries the
  file's current version is answered `Cache-Control: public, max-age=31536000, immutable`: the browser never
  asks again, and a deploy that changes the file changes its URL, so nobody keeps a stale stylesheet. Without
  the version (or with an old one) the answer is `no-cache`: kept, but revalidated with its ETag (304).
- CSS, SVG, JavaScript and other text files are gzipped when the browser accepts it, once per file version,
  in memory (app.css: 10.7 KB → 3.2 KB). Pages are not: an HTML page carries a CSRF token and personal
  data next to text an attacker can make it reflect (a search term, a filled-in field), which is what BREACH
  needs to read the secret from compressed sizes. Pages are small (13–24 KB) and not worth that risk; a
  reverse proxy in front must likewise leave text/html uncompressed (README, "Production").
- `/favicon.ico` for browsers and tools that ask for it by that fixed name (pages also link favicon.svg).
"""
from __future__ import annotations

import gzip
import hashlib
import os
from typing import Any

from flask import Flask, Response, current_app, request

YEAR = 31_536_000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = {"text/css", "image/svg+xml", "text/javascript", "application/javascript", "application/json",
                "text/plain"}
MIN_GZIP_BYTES = 512  # below this the gzip header costs more than it saves

_versions: dict[str, tuple[float, str]] = {}  # filename → (mtime, version)
_gzipped: dict[tuple[str, str], bytes] = {}  # (filename, version) → compressed body


def static_version(filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256; recomputed only when the file's mtime changes."""
    folder = current_app.static_folder
    if folder is None:
        return None
    path = os.path.join(folder, filename)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    known = _versions.get(filename)
    if known is None or known[0] != mtime:
        with open(path, "rb") as handle:
            known = (mtime, hashlib.sha256(handle.read()).hexdigest()[:12])
        _versions[filename] = known
    return known[1]


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_version(values["filename"])
        if version:
            values["v"] = version


def _is_static() -> bool:
    return request.endpoint in ("static", "favicon")


def _gzip(response: Response, filename: str, version: str) -> None:
    response.direct_passthrough = False  # send_file streams the file; we need its bytes once
    key = (filename, version)
    body = _gzipped.get(key)
    if body is None:
        body = gzip.compress(response.get_data(), compresslevel=9, mtime=0)
        _gzipped[key] = body
    response.close()  # the open file behind send_file; its bytes are no longer what we send
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, _ = response.get_etag()
    if etag:  # another representation of the same file: the same validator, weak (RFC 9110 8.8.1)
        response.set_etag(etag, weak=True)


def cache_and_compress(response: Response) -> Response:
    if not _is_static() or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "favicon.ico")
    version = static_version(filename)
    asked = request.args.get("v")
    response.headers["Cache-Control"] = IMMUTABLE if version and asked == version else REVALIDATE
    if request.endpoint == "favicon":  # asked for by a fixed name: a day, then revalidate
        response.headers["Cache-Control"] = "public, max-age=86400"
    response.vary.add("Accept-Encoding")
    if (response.status_code == 200 and response.mimetype in COMPRESSIBLE and version
            and request.accept_encodings["gzip"] > 0 and (response.content_length or 0) >= MIN_GZIP_BYTES
            and "Content-Encoding" not in response.headers and request.method == "GET"):
        _gzip(response, filename, version)
    return response


def favicon() -> Response:
    # 164 bytes: read whole rather than streamed, so no open file outlives the answer.
    with open(os.path.join(current_app.static_folder or "", "favicon.ico"), "rb") as handle:
        response = Response(handle.read(), mimetype="image/vnd.microsoft.icon")
    response.add_etag()
    response.make_conditional(request)  # 304 to an If-None-Match that matches; changes `response` in place
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.after_request(cache_and_compress)
