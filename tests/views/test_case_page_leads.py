"""The case page that leads: whose move it is at the top, one action panel with one comment box, the note
that sent a case back as a banner, every document reviewed in one round, withdrawal that asks first, and
assignees who are the desk."""
from __future__ import annotations

import re

import pytest

from layani_flow.extensions import db
from layani_flow.models import Case, CaseEvent
from layani_flow.services import cases, outbox
from layani_flow.workflows import REGISTRY

from ..factories import CaseDocumentFactory, CaseEventFactory, CaseFactory, UserFactory
from ..services.helpers import KGB, statements_to_get, upload
from .helpers import fire, fresh_case, text_of, version_on
from .test_markup import assert_accessible

KGB_DOCUMENTS = ("sk_pangkat_terakhir", "sk_kgb_terakhir", "skp")


@pytest.fixture
def app_config(mail_config):
    """Email goes to the loopback SMTP server for real (tests/conftest.py: smtp_server)."""
    return mail_config


def next_step(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'id="langkah-berikut">(.*?)</p>', html, re.S).group(1)).strip()


@pytest.fixture
def kgb(desk):
    """A KGB request office.employee filed with its three documents, in verification by office.officer."""
    case = cases.open_case("service_request", KGB, desk.employee,
                           uploads=[upload(r) for r in KGB_DOCUMENTS]).case
    return cases.transition_case(case.id, "start_verification", desk.officer, case.version)


def test_a_steps_task_reads_after_anda_perlu():
    for workflow in REGISTRY.values():
        for step in workflow.steps:
            assert step.task is None or (step.task[0].islower() and not step.task.endswith(".")), step.trigger


def test_the_top_says_state_owner_due_and_whose_move_it_is(login_as, desk, kgb):
    html = text_of(login_as(desk.officer).get(f"/kasus/{kgb.id}"))
    head = html.split('<header class="case-head', 1)[1].split("</header>", 1)[0]
    assert "Verifikasi berkas" in head and "Petugas Satu" in head and "Target selesai" in head
    assert next_step(html) == "Anda perlu: memverifikasi 3 dokumen."
    # The requester waits: told so, in words, and on whom.
    assert next_step(text_of(login_as(desk.employee).get(f"/kasus/{kgb.id}"))) == (
        "Tidak ada yang perlu Anda lakukan; menunggu petugas.")
    # Another officer reads whose it is.
    assert next_step(text_of(login_as(desk.officer2).get(f"/kasus/{kgb.id}"))) == (
        "Tidak ada yang perlu Anda lakukan; menunggu Petugas Satu.")


def test_an_unclaimed_case_asks_the_desk_to_claim_it(login_as, desk):
    case = cases.open_case("service_request", KGB, desk.employee).case
    assert next_step(text_of(login_as(desk.officer).get(f"/kasus/{case.id}"))).startswith(
        "Anda perlu: mengambil kasus ini (Klaim)")


def test_a_revision_is_a_banner_and_the_requesters_task(login_as, desk, kgb):
    cases.transition_case(kgb.id, "request_revision", desk.officer, kgb.version, "SKP 2025 belum ditandatangani.")
    html = text_of(login_as(desk.employee).get(f"/kasus/{kgb.id}"))
    banner = html.split('class="banner-revision"', 1)[1].split("</section>", 1)[0]
    assert "Minta perbaikan berkas" in banner and "SKP 2025 belum ditandatangani." in banner
    assert next_step(html) == "Anda perlu: memperbaiki berkas sesuai catatan petugas, lalu mengirim perbaikan."
    # The conversation comes before the documents and the form's answers for the requester.
    assert html.index('id="judul-riwayat"') < html.index('id="judul-dokumen"') < html.index('id="judul-ringkasan"')
    assert_accessible(html)


def test_one_panel_one_comment_box_every_button_posts_to_its_step(login_as, desk, kgb):
    html = text_of(login_as(desk.officer).get(f"/kasus/{kgb.id}"))
    assert html.count("<textarea") == 1 and html.count('class="panel action-panel"') == 1
    panel = html.split('class="panel action-panel"', 1)[1].split("</section>", 1)[0]
    actions = set(re.findall(r'formaction="[^"]*/kasus/\d+/(tindakan/\w+|pesan|tugaskan|klaim)"', panel))
    assert {"tindakan/request_revision", "tindakan/start_processing", "tindakan/reject", "pesan",
            "tugaskan"} <= actions
    assert 'name="internal" value="y"' in panel  # an internal note is its own button, never a ticked box
    # The comment typed in the panel goes with the step chosen.
    response = fire(login_as(desk.officer), kgb.id, "request_revision", "Lengkapi SKP.")
    assert response.status_code == 302 and fresh_case(kgb.id).state == "revision_requested"
    assert_accessible(html)


def test_a_refused_step_keeps_what_was_typed(login_as, desk, kgb):
    web = login_as(desk.officer)
    html = text_of(web.post_form(f"/kasus/{kgb.id}/tindakan/request_revision",
                                 {"version": str(kgb.version), "comment": ""}))
    assert 'href="#comment"' in html and 'aria-invalid="true"' in html


# -- documents: one round ------------------------------------------------------------------------------

def _round(web, case_id, **fields):
    return web.post_form(f"/kasus/{case_id}/dokumen/periksa", fields)


def test_documents_are_reviewed_in_one_round(login_as, desk, kgb, smtp_server):
    web = login_as(desk.officer)
    response = _round(web, kgb.id, doc1_decision="verified", doc2_decision="rejected", doc2_note="Buram.",
                      doc3_decision="verified")
    assert response.status_code == 302
    case = fresh_case(kgb.id)
    assert [d.review_status for d in case.documents] == ["verified", "rejected", "verified"]
    assert case.documents[1].review_note == "Buram."
    # One email to the requester, naming the rejected document and why, with a link to the case.
    outbox.deliver_pending()
    mails = [m for to, m in smtp_server.messages if desk.employee.email in to and "ditolak" in m["Subject"]]
    assert len(mails) == 1 and mails[0]["Subject"] == f"[{case.ref}] Dokumen Anda ditolak"
    body = mails[0].get_body(("plain",)).get_content()
    assert "Buram." in body and case.documents[1].original_name in body and f"/kasus/{kgb.id}" in body
    assert next_step(text_of(login_as(desk.employee).get(f"/kasus/{kgb.id}"))).startswith("Tidak ada")


def test_a_round_with_one_bad_entry_saves_nothing(login_as, desk, kgb):
    web = login_as(desk.officer)
    before = db.session.query(CaseEvent).filter_by(case_id=kgb.id).count()
    response = _round(web, kgb.id, doc1_decision="verified", doc2_decision="rejected", doc2_note="  ",
                      doc3_decision="mungkin")
    assert response.status_code == 422
    html = text_of(response)
    assert 'href="#doc2_note"' in html and 'href="#doc3_decision"' in html
    assert "Tuliskan mengapa dokumen ditolak." in html
    assert 'id="doc2_decision-rejected" name="doc2_decision" value="rejected" checked' in html  # kept as chosen
    case = fresh_case(kgb.id)
    assert [d.review_status for d in case.documents] == ["pending"] * 3
    assert db.session.query(CaseEvent).filter_by(case_id=kgb.id).count() == before
    assert _round(web, kgb.id).status_code == 422  # nothing chosen: nothing to save, said so


def test_verify_the_rest_fills_only_pending_documents(login_as, desk, kgb):
    web = login_as(desk.officer)
    assert _round(web, kgb.id, doc2_decision="rejected", doc2_note="Kedaluwarsa.", semua="verified").status_code == 302
    assert [d.review_status for d in fresh_case(kgb.id).documents] == ["verified", "rejected", "verified"]


@pytest.mark.parametrize("who", ["employee", "officer2", "kabid", "kasubbag", "admin"])
def test_only_the_owner_reviews(login_as, desk, kgb, who):
    response = _round(login_as(getattr(desk, who)), kgb.id, doc1_decision="verified")
    assert response.status_code in (403, 404)
    assert fresh_case(kgb.id).documents[0].review_status == "pending"


# -- withdrawal asks first ---------------------------------------------------------------------------

def test_withdrawal_asks_on_a_page_of_its_own(login_as, desk):
    case = cases.open_case("service_request", KGB, desk.employee).case
    web = login_as(desk.employee)
    html = text_of(web.get(f"/kasus/{case.id}"))
    assert f'formaction="/kasus/{case.id}/tindakan/withdraw"' not in html  # no one-tap button
    link = f"/kasus/{case.id}/tindakan/withdraw/konfirmasi"
    assert f'href="{link}"' in html
    page = web.get(link)
    assert page.status_code == 200 and fresh_case(case.id).state == "submitted"  # GET changes nothing
    confirm = text_of(page)
    assert "Ya, batalkan permohonan" in confirm and "Tidak, kembali ke kasus" in confirm
    assert_accessible(confirm)
    response = web.post_form(f"/kasus/{case.id}/tindakan/withdraw",
                             {"version": version_on(confirm), "comment": "Salah layanan."})
    assert response.status_code == 302 and fresh_case(case.id).state == "withdrawn"
    # Once withdrawn, the confirmation page says it is no longer possible instead of offering it.
    again = web.get(link)
    assert again.status_code == 302


@pytest.mark.parametrize("who, status", [("officer", 302), ("colleague", 404), ("kabid", 302)])
def test_the_confirmation_page_is_only_for_whoever_may_withdraw(login_as, desk, who, status):
    case = cases.open_case("service_request", KGB, desk.employee).case
    response = login_as(getattr(desk, who)).get(f"/kasus/{case.id}/tindakan/withdraw/konfirmasi")
    assert response.status_code == status  # others are sent back to the case, with the reason
    assert fresh_case(case.id).state == "submitted"


def test_a_step_without_confirmation_has_no_confirmation_page(login_as, desk, kgb):
    web = login_as(desk.officer)
    assert web.get(f"/kasus/{kgb.id}/tindakan/start_processing/konfirmasi").status_code == 404
    assert web.get(f"/kasus/{kgb.id}/tindakan/terbang/konfirmasi").status_code == 404
    assert web.post_form(f"/kasus/{kgb.id}/tindakan/withdraw/konfirmasi", {}).status_code == 405


# -- assignees are the desk ----------------------------------------------------------------------------

def _listed(html: str) -> dict[str, str]:
    select = html.split('id="assignee_nip"', 1)[1].split("</select>", 1)[0]
    return dict(re.findall(r'<option value="(\d{18})"[^>]*>([^<]*)</option>', select))


def test_assign_offers_only_the_desk_with_their_open_cases(login_as, desk, kgb):
    CaseFactory(owner=desk.officer2, state="in_verification")
    CaseFactory(owner=desk.officer2, state="processing")
    CaseFactory(owner=desk.officer2, state="completed")  # closed: not counted
    listed = _listed(text_of(login_as(desk.kasubbag).get(f"/kasus/{kgb.id}")))
    assert set(listed) == {desk.officer2.nip, desk.kasubbag.nip}  # not the owner; no kabid, head of office, admin
    assert "2 kasus terbuka" in listed[desk.officer2.nip] and "0 kasus terbuka" in listed[desk.kasubbag.nip]


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "employee"])
def test_nobody_off_the_desk_is_accepted_page_api_and_email(login_as, api, desk, kgb, who):
    person = getattr(desk, who)
    before = fresh_case(kgb.id).owner_id
    page = login_as(desk.kasubbag).post_form(f"/kasus/{kgb.id}/tugaskan",
                                             {"assignee_nip": person.nip, "version": str(kgb.version)})
    assert page.status_code == 422 and "Hanya petugas layanan" in text_of(page)
    answer = api(desk.kasubbag).post(f"/api/v1/cases/{kgb.id}/assign",
                                     json={"assignee_nip": person.nip, "version": kgb.version})
    assert answer.status_code == 422
    assert fresh_case(kgb.id).owner_id == before


# -- cost ------------------------------------------------------------------------------------------------

def test_the_case_page_costs_the_same_for_1_or_50_documents_events_and_officers(login_as, desk):
    case = CaseFactory(requester=desk.employee, owner=desk.officer, state="in_verification")

    def add(n):
        for i in range(n):
            CaseDocumentFactory(case=case, uploaded_by_id=desk.employee.id)
            CaseEventFactory(case=case, kind="message", comment=f"Pesan {i}")
            UserFactory(role="officer", superior=desk.kasubbag)

    web = login_as(desk.kasubbag)  # the desk head: reviews nothing, but is offered everyone to assign to
    add(1)
    few = statements_to_get(web, f"/kasus/{case.id}")
    add(49)
    many = statements_to_get(web, f"/kasus/{case.id}")
    assert few == many
    db.session.expire_all()
    assert len(db.session.get(Case, case.id).documents) == 50


def test_the_escalation_email_reassigns_only_to_the_desk_with_their_load(client, desk, kgb):
    from ..conftest import csrf_token_from
    from ..factories import SlaNoticeFactory
    from ..scenarios import escalation_token

    CaseFactory(owner=desk.officer2, state="processing")
    token = escalation_token(SlaNoticeFactory(case=fresh_case(kgb.id), recipient=desk.head), "alihkan")
    html = text_of(client.get(f"/email/aksi/{token}"))
    options = dict(re.findall(r'<option value="(\d{18})"[^>]*>([^<]*)</option>', html))
    assert set(options) == {desk.officer.nip, desk.officer2.nip, desk.kasubbag.nip}  # no kabid, head, admin
    assert "1 kasus terbuka" in options[desk.officer2.nip]
    csrf = csrf_token_from(html)
    for outsider in (desk.kabid, desk.head, desk.admin):
        response = client.post(f"/email/aksi/{token}", data={"note": "Tolong.", "assignee_nip": outsider.nip,
                                                               "csrf_token": csrf})
        assert response.status_code == 422
        assert "Hanya petugas layanan atau kepala layanan kepegawaian yang dapat ditugaskan." in text_of(response)
    assert fresh_case(kgb.id).owner_id == desk.officer.id
