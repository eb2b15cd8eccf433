"""Constant queries per page (issue 11): every page and list costs the same number of SQL statements with 1 row of
what it lists as with 50. Each row of PAGES names the page, who reads it, and how to add n rows of what it lists
(cases with their clocks, events and search text, messages, documents, officers, slots, answers, users,
policies, closed days, acting appointments); the statement counter is tests/services/helpers.count_statements
(SQLAlchemy's `before_cursor_execute` on the app's engine, so the request's own statements are counted).

A list pages at PAGE_SIZE (25): 1 row against 50 also shows that the page does not pay for the rows past its
end. The older per-page checks (tests/views/test_queue.py, test_search_pages.py, test_case_page_leads.py,
tests/inbox/test_inbox_pages.py, tests/api/test_chat.py, test_sla_api.py) stay where they are: they fix
other details of their pages; this table is the one place that covers them all."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from layani_flow.extensions import db
from layani_flow.models import Case
from layani_flow.models.acting import ActingOfficial
from layani_flow.models.feedback import CaseFeedback
from layani_flow.models.sla import CalendarException
from layani_flow.services import admin_settings
from layani_flow.services import cases as case_service

from ..factories import (
    START,
    CaseDocumentFactory,
    CaseEventFactory,
    CaseFactory,
    ConsultationSlotFactory,
    UserFactory,
    anonymous_complaint,
)
from ..services.helpers import COMPLAINT, CUTI, KGB, statements_to_get
from .anonymous import track

WORDS = "Mohon segera diproses"


@dataclass
class Ctx:
    office: Any
    case: Case | None = None
    code: str | None = None
    added: int = 0


def _requests(ctx: Ctx, n: int) -> None:
    """n cases through open_case (clocks, first event, search text): KGB, leave (waiting on the kabid) and
    complaints, half by the office's employee and half by new people under the kabid, every third claimed by the
    officer, each with a message. The first is an unclaimed KGB request, which every list here shows."""
    o = ctx.office
    for _ in range(n):
        i = ctx.added
        ctx.added += 1
        requester = UserFactory(superior=o.kabid) if i % 2 else o.employee
        kind = i % 4
        if kind == 3:
            case = case_service.open_case("complaint", {**COMPLAINT, "description": f"{COMPLAINT['description']} "
                                                                                  f"{WORDS}."}, requester).case
        elif kind == 1:
            case = case_service.open_case("service_request", {**CUTI, "alasan": WORDS}, requester).case
        else:
            case = case_service.open_case("service_request", {**KGB, "keterangan": WORDS}, requester).case
        if i % 3 == 2 and kind != 1:
            case.owner_id = o.officer.id
        CaseEventFactory(case=case, kind="message", comment=f"Pesan {i}", actor_id=requester.id)
    db.session.commit()


def _leave_first(ctx: Ctx, n: int) -> None:
    """As _requests, but the first is a leave request waiting on the kabid: their inbox has a case with 1 row too
    (it reads the people its cases name in one statement, and none for no case)."""
    if ctx.added == 0 and n:
        case_service.open_case("service_request", {**CUTI, "alasan": WORDS}, UserFactory(superior=ctx.office.kabid))
        ctx.added, n = 1, n - 1
    _requests(ctx, n)


def _case_parts(ctx: Ctx, n: int) -> None:
    """On one case: n documents, n messages and n more officers (the assign list)."""
    o = ctx.office
    for i in range(n):
        CaseDocumentFactory(case=ctx.case, uploaded_by_id=o.employee.id)
        CaseEventFactory(case=ctx.case, kind="message", comment=f"Pesan {i}", actor_id=o.employee.id)
        UserFactory(role="officer", superior=o.kasubbag)


def _chats(ctx: Ctx, n: int) -> None:
    o = ctx.office
    for i in range(n):
        requester = UserFactory(superior=o.kabid) if i % 2 else o.employee
        chat = case_service.open_case("chat", {"body": f"Pertanyaan {i}: {WORDS}"}, requester).case
        if i % 2:
            chat.owner_id, chat.state = o.officer.id, "active"
            CaseEventFactory(case=chat, kind="message", comment=f"Jawaban {i}", actor_id=o.officer.id)
    db.session.commit()


def _chat_messages(ctx: Ctx, n: int) -> None:
    o = ctx.office
    for i in range(n):
        CaseEventFactory(case=ctx.case, kind="message", comment=f"Pesan {i}",
                         actor_id=(o.officer if i % 2 else o.employee).id)


def _slots(ctx: Ctx, n: int) -> None:
    """n slots in the coming days, half of them the office's officer's, half of them booked (the first both)."""
    o = ctx.office
    for _ in range(n):
        i = ctx.added
        ctx.added += 1
        officer = o.officer if i % 2 == 0 else UserFactory(role="officer", superior=o.kasubbag)
        start = START + dt.timedelta(days=1 + i % 5, minutes=30 * (i // 5))
        slot = ConsultationSlotFactory(officer=officer, start_at=start)
        if i % 4 < 2:  # the first is the office's officer's, booked
            booking = CaseFactory(case_type="consultation", service=None, state="booked", requester=o.employee,
                                  owner=officer, fields={"topic": f"Topik {i}", "slot_id": slot.id})
            slot.case_id = booking.id
    db.session.commit()


def _feedback(ctx: Ctx, n: int) -> None:
    o = ctx.office
    for i in range(n):
        officer = o.officer if i % 2 else UserFactory(role="officer", superior=o.kasubbag)
        case = CaseFactory(requester=o.employee, owner=officer, state="completed")
        db.session.add(CaseFeedback(case_id=case.id, requester_id=o.employee.id, officer_id=officer.id,
                                    channel=case.case_type, asked_at=START, rating=1 + i % 5, comment=f"Komentar {i}",
                                    answered_at=START))
    db.session.commit()


def _users(ctx: Ctx, n: int) -> None:
    """n employees ("Pegawai Uji …"), each under a new supervisor."""
    for _ in range(n):
        UserFactory(superior=UserFactory(role="supervisor"))


def _policies(ctx: Ctx, n: int) -> None:
    """n saved SLA policies (the history lists each with who saved it), by n admins."""
    for i in range(n):
        admin = UserFactory(role="admin")
        admin_settings.save_policy(admin, case_type="service_request", clock_name="resolution",
                                   service=("kgb", "cuti", None)[i % 3], target=f"{1 + i % 9}d", warn_percent=75,
                                   escalate_every="1d")


def _closed_days(ctx: Ctx, n: int) -> None:
    for i in range(n):
        db.session.add(CalendarException(on=dt.date(2027, 1, 4) + dt.timedelta(days=ctx.added + i), intervals=[],
                                         note=f"Tutup {i}", created_at=START, created_by_id=ctx.office.admin.id))
    ctx.added += n
    db.session.commit()


def _acting(ctx: Ctx, n: int) -> None:
    o = ctx.office
    for i in range(n):
        official = UserFactory(role="supervisor", superior=o.head)
        db.session.add(ActingOfficial(official_id=official.id, acting_id=UserFactory(superior=official).id,
                                      kind=("plt", "plh")[i % 2], starts_on=dt.date(2026, 11, 1),
                                      ends_on=dt.date(2026, 12, 31), created_at=START, created_by_id=o.admin.id))
    db.session.commit()


def _one_case(ctx: Ctx) -> None:
    o = ctx.office
    ctx.case = case_service.open_case("service_request", {**KGB, "keterangan": WORDS}, o.employee).case
    ctx.case.owner_id, ctx.case.state = o.officer.id, "in_verification"
    db.session.commit()


def _one_chat(ctx: Ctx) -> None:
    o = ctx.office
    ctx.case = case_service.open_case("chat", {"body": "Halo, saya mau bertanya."}, o.employee).case
    ctx.case.owner_id, ctx.case.state = o.officer.id, "active"
    db.session.commit()


def _one_tracked(ctx: Ctx) -> None:
    ctx.case, ctx.code = anonymous_complaint(state="in_follow_up", owner=ctx.office.officer)


@dataclass(frozen=True)
class Page:
    who: str  # an attribute of the office, or "" for nobody signed in
    url: str  # may name {case}
    add: Callable[[Ctx, int], None]
    setup: Callable[[Ctx], None] | None = None
    api: bool = False
    tracked: bool = False


PAGES: dict[str, Page] = {
    "queue": Page("kasubbag", "/antrian?tampilan=semua", _requests),
    "queue, officer's unclaimed": Page("officer", "/antrian", _requests),
    "queue csv export": Page("kasubbag", "/antrian/ekspor.csv?tampilan=semua", _requests),
    "team": Page("kabid", "/tim", _requests),
    "home inbox, employee": Page("employee", "/", _requests),
    "home inbox, officer": Page("officer", "/", _requests),
    "home inbox, superior (approvals)": Page("kabid", "/", _leave_first),
    "search": Page("officer", "/cari?q=segera", _requests),
    "search, employee": Page("employee", "/cari?q=segera", _requests),
    "case page": Page("officer", "/kasus/{case}", _case_parts, _one_case),
    "case page, requester": Page("employee", "/kasus/{case}", _case_parts, _one_case),
    "chat list, desk": Page("officer", "/chat", _chats),
    "chat list, employee": Page("employee", "/chat", _chats),
    "chat page": Page("officer", "/chat/{case}", _chat_messages, _one_chat),
    "consultations calendar": Page("employee", "/konsultasi", _slots),
    "consultations agenda": Page("officer", "/konsultasi/agenda", _slots),
    "feedback summary": Page("kasubbag", "/umpan-balik", _feedback),
    "person picker": Page("employee", "/kasus/baru/pihak?q=Pegawai+Uji", _users),
    "admin users": Page("admin", "/admin/pengguna", _users),
    "admin sla": Page("admin", "/admin/sla", _policies),
    "admin calendar": Page("admin", "/admin/kalender", _closed_days),
    "admin acting officials": Page("admin", "/admin/pejabat-pelaksana", _acting),
    "service standards": Page("", "/standar-pelayanan", _policies),
    "service standard": Page("", "/standar-pelayanan/kgb", _policies),
    "tracked complaint": Page("", "/lacak/kasus", _case_parts, _one_tracked, tracked=True),
    "api cases": Page("officer", "/api/v1/cases?limit=100", _requests, api=True),
    "api cases, employee": Page("employee", "/api/v1/cases?limit=100", _requests, api=True),
    "api inbox": Page("officer", "/api/v1/inbox", _requests, api=True),
    "api case": Page("officer", "/api/v1/cases/{case}", _case_parts, _one_case, api=True),
    "api case messages": Page("officer", "/api/v1/cases/{case}/messages", _chat_messages, _one_chat, api=True),
    "api consultation slots": Page("employee", "/api/v1/consultation-slots", _slots, api=True),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_costs_the_same_statements_for_1_or_50_rows(name, app, desk, web, login_as, api):
    page = PAGES[name]
    ctx = Ctx(desk)
    if page.setup is not None:
        page.setup(ctx)
    if page.api:
        reader = api(getattr(desk, page.who))
    elif page.tracked:
        track(web, ctx.code)
        reader = web
    else:
        reader = login_as(getattr(desk, page.who)) if page.who else web
    url = page.url.format(case=ctx.case.id if ctx.case is not None else "")
    page.add(ctx, 1)
    db.session.expire_all()
    one = statements_to_get(reader, url)
    page.add(ctx, 49)
    db.session.expire_all()
    fifty = statements_to_get(reader, url)
    assert fifty == one, f"{name}: {one} statements with 1 row, {fifty} with 50"
