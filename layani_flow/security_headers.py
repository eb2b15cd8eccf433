"""Security headers on every answer, in one place: what a browser may run, frame, send on and keep.

- Pages (text/html, redirects and error pages included) get a Content-Security-Policy that allows only our
  own files: no inline script, no inline style, no plugins, no <base>, forms post only here, no framing.
  The templates hold no inline script, style or on…= handler (tests/views/test_security_headers.py checks).
- Everything else (the JSON API, static files) gets a policy that allows nothing: a JSON answer opened as a
  document runs nothing, and a static file is never a page.
- A view that sets its own policy keeps it: a download's `sandbox`. (The workflow diagram needed inline styles
  while mermaid drew it in the browser; it is server-made SVG with presentation attributes now, so no page does.)
- Every dynamic answer is `Cache-Control: no-store`: pages show case data, personal data or a CSRF token, and a
  rule by path would miss the next page that does. Static files are cached by static_files.py.
- `Referrer-Policy: no-referrer`: an email action link carries its signed token in the path, and must not leak
  through the Referer of anything the page links to or loads.
- `Strict-Transport-Security` only when BASE_URL is https: over plain http browsers ignore it, and a test or
  intranet install on http must not be told to use https.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, request

PAGE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The JSON API and static files: nothing may load, nothing may frame them.
NOTHING_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# A year, without includeSubDomains: other hosts under the office's domain may still be plain http.
HSTS = "max-age=31536000"


def page_policy(**overrides: str) -> str:
    return "; ".join(f"{name} {value}" for name, value in {**PAGE_POLICY, **overrides}.items())


def _is_static() -> bool:
    endpoint = request.endpoint or ""
    return endpoint in ("static", "favicon") or endpoint.endswith(".static")


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    for name, value in ALWAYS.items():
        headers.setdefault(name, value)
    if "Content-Security-Policy" not in headers:  # a view's own policy (a download's sandbox) wins
        headers["Content-Security-Policy"] = page_policy() if response.mimetype == "text/html" else NOTHING_POLICY
    if not _is_static() and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("BASE_URL", "").lower().startswith("https://"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
