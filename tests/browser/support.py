"""What the browser tests share besides fixtures: the people, axe-core checks, and what a person does."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("LAYANI_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "rahasia-browser-123"
BLOCKING_IMPACTS = {"serious", "critical"}
# The smallest file the upload checks accept as a real PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# --- the people -----------------------------------------------------------------------------------

@dataclass
class Person:
    nip: str
    name: str
    role: str
    password: str = PASSWORD


PEOPLE = {
    "kasubbag": Person("197809172003121002", "Agus Salim", "supervisor"),
    "officer": Person("198506222010012015", "Siti Nurhaliza", "officer"),
    "employee": Person("198912032014031002", "Andi Pratama", "employee"),
    "colleague": Person("199203152019032011", "Rahmawati", "employee"),
    # Only tests/browser/test_accounts.py signs in as these two: one changes her password, the other's NIP
    # is throttled for the rest of the run.
    "changer": Person("199406202020122012", "Nurul Hidayah", "employee"),
    "throttled": Person("198511252009031004", "Bayu Setiawan", "employee"),
}
SUPERIORS = {"officer": "kasubbag", "employee": "kasubbag", "colleague": "kasubbag", "changer": "kasubbag",
             "throttled": "kasubbag"}


# --- the Content-Security-Policy ------------------------------------------------------------------

CSP_PREFIX = "CSP violation:"
# Installed in every page before its own scripts run (an init script is not subject to the page's policy):
# each refusal becomes a console line the `page` fixture collects.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) => console.error(
    `CSP violation: ${e.effectiveDirective} refused ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
    + (e.sample ? ` (${e.sample})` : "")));"""


# --- accessibility ---------------------------------------------------------------------------------

def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; the violations, each with `impact`, `id`, `help`, `nodes`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, which the page's Content-Security-Policy does not govern: an injected
        # <script> is inline script, and script-src 'self' rightly refuses it.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"][:10]:
            target = " ".join(" ".join(t) if isinstance(t, list) else t for t in node["target"])
            reasons = [ln.strip() for ln in node.get("failureSummary", "").splitlines()
                       if ln.strip() and not ln.startswith("Fix ")]
            lines.append(f"    at {target}: {'; '.join(reasons)[:300]}")
    return "\n".join(lines)


def assert_accessible(page, *, context: str = "") -> None:
    """No axe-core violation of impact serious or critical on the current page, no uncaught JS error and
    nothing refused by the Content-Security-Policy (on this page or any visited since the page was opened)."""
    page.wait_for_load_state("load")
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    where = f"{context or page.url}"
    assert not blocking, f"accessibility violations on {where}:\n{format_violations(blocking)}"
    errors = getattr(page, "js_errors", [])
    assert not errors, f"JavaScript errors on {where}: {errors}"
    refused = getattr(page, "csp_violations", [])
    assert not refused, f"Content-Security-Policy violations on {where}:\n" + "\n".join(refused)


# --- what a person does ----------------------------------------------------------------------------

def visit(page, path: str):
    """Go to `path`, expect a page that is not an error, and check it with axe."""
    response = page.goto(path)
    assert response is not None and response.status < 400, f"GET {path} → {response and response.status}"
    assert_accessible(page)
    return response


def log_in(page, person: Person) -> None:
    visit(page, "/masuk")
    page.get_by_label("NIP").fill(person.nip)
    page.get_by_label("Kata sandi").fill(person.password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")
    assert not re.search(r"/masuk(\?|$)", page.url), f"login as {person.nip} failed: still on {page.url}"
    assert_accessible(page, context=f"first page after login ({page.url})")


def open_menu(page) -> None:
    """On a phone the header's menu is folded behind "Menu" (a <details>): unfold it, as a person taps it."""
    summary = page.locator("details.menu > summary")
    if summary.is_visible() and page.locator("details.menu[open]").count() == 0:
        summary.click()


def log_out(page) -> None:
    open_menu(page)
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(re.compile(r"/masuk"))
    assert_accessible(page, context="page after logout")


# LAYANI_SCREENSHOT_DIR=docs/screenshots scripts/test tests/browser refreshes the pictures in docs/.
SCREENSHOT_DIR = os.environ.get("LAYANI_SCREENSHOT_DIR")


def photograph(page, name: str) -> None:
    """Keep a picture of the page as it is now, when LAYANI_SCREENSHOT_DIR names a folder (docs/screenshots)."""
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"), full_page=True)
