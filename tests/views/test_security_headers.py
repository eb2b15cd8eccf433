"""Security headers on every answer: pages, redirects, error pages, the JSON API, static files, downloads.

The policy itself lives in layani_flow/security_headers.py; the browser leg checks that no page breaks under it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from layani_flow import create_app

from .helpers import case_id_of, file_kgb_with_two_documents, text_of

TEMPLATES = Path(__file__).resolve().parents[2] / "layani_flow" / "templates"


def csp(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header!r}"
        directives[name] = sources
    return directives


def assert_page_headers(response, *, inline_styles: bool = False) -> None:
    where = f"{response.request.path} ({response.status_code})"
    policy = csp(response)
    assert policy["default-src"] == ["'self'"], where
    assert policy["script-src"] == ["'self'"], where  # no inline script, no eval, nobody else's script
    assert policy["object-src"] == ["'none'"], where
    assert policy["base-uri"] == ["'self'"], where
    assert policy["form-action"] == ["'self'"], where
    assert policy["frame-ancestors"] == ["'none'"], where
    assert policy["style-src"] == (["'self'", "'unsafe-inline'"] if inline_styles else ["'self'"]), where
    assert response.headers["X-Frame-Options"] == "DENY", where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["Referrer-Policy"] == "no-referrer", where
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()", where
    assert "no-store" in response.headers.get("Cache-Control", ""), where
    assert "Strict-Transport-Security" not in response.headers, where  # BASE_URL is http in tests


@pytest.fixture
def filed_case(login_as, office):
    web = login_as(office.employee)
    response = file_kgb_with_two_documents(web)
    assert_page_headers(response)  # a redirect after a POST carries them too
    web.logout()
    return case_id_of(response)


def test_anonymous_pages_and_error_pages_carry_the_headers(web):
    for url in ("/masuk", "/lacak", "/aduan-anonim", "/email/aksi/bukan-token", "/tidak-ada", "/kasus/1"):
        response = web.get(url)
        assert response.mimetype == "text/html", url
        assert_page_headers(response)


def test_every_page_of_a_signed_in_person_carries_the_headers(web, office, filed_case):
    pages = {
        office.employee: ["/", "/kasus/baru", "/kasus/baru/service_request", "/kasus/baru/complaint",
                          f"/kasus/{filed_case}", "/kasus/999999", "/admin"],
        office.officer: ["/antrian", "/antrian?tampilan=semua", "/alur", f"/kasus/{filed_case}", "/lacak"],
        office.kasubbag: ["/tim"],
        office.admin: ["/admin", "/admin/sla", "/admin/kalender"],
    }
    for person, urls in pages.items():
        web.login(person)
        for url in urls:
            response = web.get(url)
            assert response.mimetype == "text/html", url
            assert_page_headers(response)
        web.logout()


def test_the_workflow_diagram_needs_no_inline_styles(login_as, office):
    """The diagram is SVG made on the server with presentation attributes: its page has the strict policy too."""
    web = login_as(office.officer)
    for case_type in ("service_request", "complaint", "mediation"):
        response = web.get(f"/alur/{case_type}")
        assert response.status_code == 200
        assert_page_headers(response)
        assert " style=" not in response.get_data(as_text=True) and "<style" not in response.get_data(as_text=True)
    assert_page_headers(web.get("/alur/tidak-ada"))  # its 404 page is an ordinary page


def test_the_json_api_gets_nosniff_no_store_and_a_policy_that_allows_nothing(api, office, client):
    for response in (api(office.employee).get("/api/v1/case-types"), client.get("/api/v1/cases"),
                     api(office.employee).post("/api/v1/cases", json={"type": "x"})):
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
        policy = csp(response)
        assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_static_files_keep_caching_and_get_nosniff(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_download_keeps_its_own_sandbox_policy(login_as, office, filed_case):
    web = login_as(office.employee)
    doc_id = re.search(rf'href="/kasus/{filed_case}/dokumen/(\d+)"', text_of(web.get(f"/kasus/{filed_case}"))).group(1)
    response = web.get(f"/kasus/{filed_case}/dokumen/{doc_id}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    response.close()


@pytest.mark.parametrize("base_url, expected", [
    ("https://layani.dkp.babelprov.go.id", "max-age=31536000"),
    ("HTTPS://layani.dkp.babelprov.go.id/", "max-age=31536000"),
    ("http://layani.dkp.babelprov.go.id", None),
    ("http://127.0.0.1:5000", None),
])
def test_strict_transport_security_only_when_the_app_is_served_over_https(app_config, base_url, expected):
    app = create_app({**app_config, "BASE_URL": base_url})
    client = app.test_client()
    for url in ("/masuk", "/api/v1/cases", "/static/css/app.css"):
        with client.get(url) as response:
            assert response.headers.get("Strict-Transport-Security") == expected, url


# --- the templates: nothing the policy would block --------------------------------------------------------

INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script> (script-src 'self' blocks it)"),
    (re.compile(r"<style\b", re.I), "a <style> element (style-src 'self' blocks it)"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute (style-src 'self' blocks it)"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= event handler (script-src 'self' blocks it)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL (script-src 'self' blocks it)"),
]


def test_page_templates_hold_no_inline_script_or_style():
    """Emails are not pages (a mail client, not this policy, renders them); every other template is."""
    templates = [p for p in TEMPLATES.rglob("*.html") if "emails" not in p.relative_to(TEMPLATES).parts]
    assert len(templates) > 10
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "\n".join(found)
