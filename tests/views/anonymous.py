"""Anonymous complaints through the pages: file one, read its tracking code, follow it by code. No fixtures."""
from __future__ import annotations

import re

from .helpers import text_of

# What people file anonymously in the page tests (the named complaint form takes it too).
ANONYMOUS_COMPLAINT = {"category": "pengaduan", "subject": "Pungutan saat urus KGB",
                       "description": "Diminta uang saat menyerahkan berkas di loket."}
TRACKING_CODE = re.compile(r'<output id="kode-pelacakan"[^>]*>([A-Z0-9-]+)</output>')


def tracking_code_on(html: str) -> str:
    """The tracking code on the page shown once after an anonymous filing (/lacak/kode)."""
    match = TRACKING_CODE.search(html)
    assert match, "no tracking code on the page"
    return match.group(1)


def file_anonymously(web, url: str = "/aduan-anonim", data: dict | None = None) -> str:
    """File through the form, follow the 303 to the page that shows the code once; answer the code."""
    response = web.post_form(url, data or ANONYMOUS_COMPLAINT)
    assert response.status_code == 303, text_of(response)[:1000]
    assert response.headers["Location"] == "/lacak/kode"
    return tracking_code_on(text_of(web.get("/lacak/kode")))


def track(web, code: str) -> None:
    """Follow a complaint by its tracking code in this browser, as its filer does (/lacak)."""
    response = web.post_form("/lacak", {"code": code})
    assert response.status_code == 302, text_of(response)[:500]
