"""Each role's inbox ("Perlu tindakan Anda") and an approval given from the email, in chromium, with axe at
1280 and 360 px."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from layani_flow.extensions import db as _db
from layani_flow.models import OutboxMessage

from .support import PDF_BYTES, assert_accessible, log_in, log_out, photograph, visit

pytestmark = pytest.mark.browser

VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 360, "height": 780})
LINK = re.compile(r"http://127\.0\.0\.1(/email/aksi/[A-Za-z0-9_.\-]+)")


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    assert_accessible(page)


def check_both_sizes(page, what: str, picture: str | None = None) -> None:
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        assert_accessible(page, context=f"{what} at {viewport['width']} px")
        if picture:
            photograph(page, f"{picture}-{viewport['width']}")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{what} scrolls sideways at {viewport['width']} px: {wide}")
    page.set_viewport_size(VIEWPORTS[0])


def file_cuti(page, reason: str) -> str:
    """The signed-in employee files a cuti through the form; its reference."""
    start = dt.date.today() + dt.timedelta(days=30)
    visit(page, "/kasus/baru/service_request?layanan=cuti")
    page.get_by_label("Jenis cuti").select_option("tahunan")
    page.get_by_label("Tanggal mulai").fill(start.isoformat())
    page.get_by_label("Tanggal selesai").fill((start + dt.timedelta(days=2)).isoformat())
    page.get_by_label("Alamat selama cuti").fill("Jl. Merdeka 12, Pangkalpinang")
    page.locator("textarea[name=alasan]").fill(reason)
    page.get_by_label("Formulir permintaan cuti").set_input_files(
        {"name": "formulir-cuti.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    click_and_wait(page, page.get_by_role("button", name="Ajukan permohonan"))
    assert re.search(r"/kasus/\d+$", page.url), page.url
    return page.locator("p.ref").inner_text().split("·")[0].strip()


def approval_email(live_server, ref: str, to: str) -> str:
    """The approval request email the app wrote for `ref` (the live server's outbox: mail is not sent there)."""
    with live_server.app.app_context():
        body = _db.session.scalars(select(OutboxMessage.body_text).where(
            OutboxMessage.subject.contains(ref), OutboxMessage.to_addr == to,
            OutboxMessage.dedupe_key.like("approval:%"))).one()
        _db.session.remove()
    return body


def test_each_roles_inbox(page, people):
    log_in(page, people["employee"])
    ref = file_cuti(page, "Menghadiri pernikahan saudara.")
    assert "Menunggu persetujuan: Agus Salim" in page.locator("main").inner_text()
    visit(page, "/")
    assert page.get_by_role("heading", name=re.compile("Perlu tindakan Anda")).is_visible()
    assert page.get_by_role("heading", name="Kasus saya").is_visible()
    check_both_sizes(page, "the employee's home page")
    log_out(page)

    # The superior finds the approval at the top of their inbox, with approve and decline at hand.
    log_in(page, people["kasubbag"])
    item = page.locator("li.inbox-item").filter(has_text=ref)
    assert "Menunggu persetujuan Anda" in item.inner_text()
    assert item.get_by_role("button", name=re.compile("^Setujui")).is_visible()
    assert page.locator(".who .inbox-count").is_visible()
    check_both_sizes(page, "the superior's inbox", "inbox-superior")
    log_out(page)

    # The officer's inbox lists unclaimed desk cases; a cuti still waiting on the superior is not one.
    log_in(page, people["officer"])
    assert page.get_by_role("heading", name=re.compile("Perlu tindakan Anda")).is_visible()
    assert page.locator("li.inbox-item").filter(has_text=ref).count() == 0
    check_both_sizes(page, "the officer's inbox", "inbox-officer")
    log_out(page)

    # Approved from the inbox: it leaves the superior's inbox and reaches the officer's as unclaimed.
    log_in(page, people["kasubbag"])
    item = page.locator("li.inbox-item").filter(has_text=ref)
    click_and_wait(page, item.get_by_role("button", name=re.compile("^Setujui")))
    visit(page, "/")
    assert page.locator("li.inbox-item").filter(has_text=ref).count() == 0
    log_out(page)
    log_in(page, people["officer"])
    item = page.locator("li.inbox-item").filter(has_text=ref)
    assert "Belum diklaim" in item.inner_text()
    click_and_wait(page, item.get_by_role("button", name=re.compile("^Klaim")))
    assert "Agus Salim" not in page.locator("p.sla-headline").inner_text()


def test_an_approval_from_the_email(page, people, live_server):
    log_in(page, people["colleague"])
    ref = file_cuti(page, "Mengurus dokumen keluarga.")
    case_url = page.url
    log_out(page)

    body = approval_email(live_server, ref, "kasubbag@dkp.babelprov.go.id")
    assert "Lihat kasus:" in body
    approve = LINK.search(next(line for line in body.splitlines() if line.startswith("- Setujui permohonan"))).group(1)

    # Opened from the mail program, signed out: the page confirms and changes nothing until the button.
    visit(page, approve)
    assert page.get_by_role("heading", name="Setujui permohonan").is_visible()
    check_both_sizes(page, "the approval confirmation", "approval-from-email")
    click_and_wait(page, page.get_by_role("button", name="Konfirmasi: Setujui permohonan"))
    assert "sudah dicatat" in page.locator("main").inner_text()
    # The link works once.
    response = page.goto(approve)
    assert response is not None and response.status == 409

    log_in(page, people["colleague"])
    visit(page, case_url)
    assert "Diajukan" in page.locator("main").inner_text()
    assert "Menunggu persetujuan:" not in page.locator("main").inner_text()
