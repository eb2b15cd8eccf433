"""Who may do what through the web pages: every page route × every role or relation × every kind of case.

Read a row as: this route, requested by each of these people (a POST always with a valid CSRF token and the
case's current version, so a refusal is about the person and not about a stale form), answers this.

  200 / 403 / 404 / 405 / 409 / 422 …  that status
  302        a redirect after success (to the case page, the tracked case …)
  303        a new case filed (named or anonymous: the status does not tell them apart)
  M          302 to the login page /masuk
  L          302 to the tracking page /lacak (no tracking cookie in this browser)
  _          that relation does not exist in this scenario

Every answer that is not a success (M, L, 4xx) is also checked to have changed nothing: the case's state,
owner, version, timeline, documents, and the files on disk; every successful POST on a case to have changed it.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db, limiter
from layani_flow.models import Case, CaseDocument, CaseEvent, ConsultationSlot, OutboxMessage
from layani_flow.services import escalations, file_storage, passwords

from ..conftest import FreshContextClient, WebClient, module_app
from ..factories import (
    PASSWORD_HASH,
    CaseDocumentFactory,
    CaseFactory,
    ConsultationSlotFactory,
    SlaNoticeFactory,
    anonymous_complaint,
)
from ..scenarios import build_cast, escalation_token
from ..services.helpers import COMPLAINT, KGB, written_mail
from .anonymous import ANONYMOUS_COMPLAINT, file_anonymously, track
from .helpers import PDF, fire, open_browser, text_of, version_on

M, L, _ = "302→/masuk", "302→/lacak", None
ACTORS = ("anon", "requester", "colleague", "superior", "party", "officer", "owner", "outsider", "head", "admin",
          "tracker", "desk_filer")
# anon       nobody signed in
# requester  the employee who filed the case (for the anonymous complaint: the account that filed it, ticking
#            "anonim"; the case keeps no link to it)
# colleague  another employee under the same superior
# superior   the requester's kabid
# party      the other party: the person a complaint is about, or the other side of a mediation
# officer    a desk officer who does not handle the case
# owner      the officer who handles it (the mediator of a mediation)
# outsider   a supervisor outside both the requester's and the owner's chain
# head       the desk head (DESK_HEAD_NIP, the kasubbag kepegawaian, the officers' superior)
# admin      an administrator
# tracker    not signed in, holding a tracking code in its tracking cookie (/lacak): this case's code for the
#            anonymous complaint, another anonymous complaint's code everywhere else
# desk_filer an officer who filed the case themselves (the case is set up with them as its requester): a party
#            on the desk, who acts on it only as a requester does, never as the desk (separation of duties)

# Routes that do not depend on one case.
GENERAL = {
    #                                          anon req  coll sup  party off  owner outs head adm  tracker  dfiler
    "GET /masuk":                              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /masuk (wrong password)":            (401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
    "POST /keluar":                            (M,   M,   M,   M,   M,   M,   M,   M,   M,   M,   M,   M),
    "GET /":                                   (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "GET /kasus/baru":                         (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "GET /kasus/baru/service_request":         (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "GET /kasus/baru/service_request?layanan": (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "GET /kasus/baru/complaint":               (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "GET /kasus/baru/mediation":               (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "GET /kasus/baru/<unknown type>":          (M,   404, 404, 404, 404, 404, 404, 404, 404, 404, M,   404),
    "POST /kasus/baru/service_request":        (M,   303, 303, 303, 303, 303, 303, 303, 303, 303, M,   303),
    "POST /kasus/baru/complaint (about party)": (M,   303, 303, 303, 422, 303, 303, 303, 303, 303, M,   303),
    # Filing anonymously never asks who is signed in: the same answer for everyone.
    "POST /kasus/baru/complaint (anonim)":     (303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303),
    "POST /kasus/baru/mediation (with party)": (M,   303, 303, 303, 422, 303, 303, 303, 303, 303, M,   303),
    "GET /aduan-anonim":                       (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /favicon.ico":                        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /aduan-anonim":                      (303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303),
    "GET /antrian":                            (M,   403, 403, 200, 403, 200, 200, 200, 200, 200, M,   200),
    "GET /tim":                                (M,   403, 403, 200, 403, 403, 403, 200, 200, 200, M,   403),
    "GET /lacak":                              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /lacak (a valid code)":              (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "POST /lacak (a wrong code)":              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /lacak/keluar":                      (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   L),
    "GET /alur":                               (M,   403, 403, 200, 403, 200, 200, 200, 200, 200, M,   200),
    "GET /alur/<case_type>":                   (M,   403, 403, 200, 403, 200, 200, 200, 200, 200, M,   200),
    "GET /alur/<unknown type>":                (M,   403, 403, 404, 403, 404, 404, 404, 404, 404, M,   404),
    # The link in an escalation email (sent to the desk head) is the credential of its addressee: signed out,
    # whoever holds it acts as the head; signed in as anybody else, both the page and the POST refuse.
    "GET /email/aksi/<link>":                  (200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403),
    "POST /email/aksi/<link>":                 (200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403),
    # ... and never for a party to the case (a notice sent before the sweep skipped parties, or a forged chain).
    "GET /email/aksi/<link to a party>":       (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /email/aksi/<link to a party>":      (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /email/aksi/<used link>":            (409, 409, 409, 409, 409, 409, 409, 409, 409, 409, 409, 409),
    "GET /email/aksi/<forged link>":           (400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    "POST /email/aksi/<forged link>":          (400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    "GET /kata-sandi":                         (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "POST /kata-sandi (wrong current password)": (M, 422, 422, 422, 422, 422, 422, 422, 422, 422, M,   422),
    "GET /admin/pengguna":                     (M,   403, 403, 403, 403, 403, 403, 403, 403, 200, M,   403),
    "POST /admin/pengguna/<id>/tautan-sandi":  (M,   403, 403, 403, 403, 403, 403, 403, 403, 302, M,   403),
    # A set-password link sent to the requester: like an escalation link, refused to anyone else signed in.
    # Setting the password signs the browser out, so success is a redirect to the login page (M) too.
    "GET /kata-sandi/atur/<link>":             (200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "POST /kata-sandi/atur/<link>":            (M,   M,   403, 403, 403, 403, 403, 403, 403, 403, M,   403),
    # ConsDesk: the free slots and booking one (a fresh slot of an officer outside the cast each time); the
    # agenda and publishing are the officers' own.
    "GET /konsultasi":                         (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "GET /konsultasi/jadwal/<slot>":           (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "POST /konsultasi/jadwal/<slot>":          (M,   303, 303, 303, 303, 303, 303, 303, 303, 303, M,   303),
    "GET /konsultasi/agenda":                  (M,   403, 403, 403, 403, 200, 200, 403, 403, 403, M,   200),
    "POST /konsultasi/agenda/jadwal":          (M,   403, 403, 403, 403, 303, 303, 403, 403, 403, M,   303),
    "POST /konsultasi/agenda/pola":            (M,   403, 403, 403, 403, 303, 303, 403, 403, 403, M,   303),
    "GET /chat":                               (M,   200, 200, 200, 200, 200, 200, 200, 200, 200, M,   200),
    "POST /chat":                              (M,   303, 303, 303, 303, 303, 303, 303, 303, 303, M,   303),
    "GET /umpan-balik":                        (M,   403, 403, 403, 403, 403, 403, 403, 200, 200, M,   403),
    # The published service standards are public and the same for everyone (no sign-in, no personal data).
    "GET /standar-pelayanan":                  (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /standar-pelayanan/<service>":        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /standar-pelayanan/<unknown>":        (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "POST /standar-pelayanan":                 (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "GET on every POST-only route":            (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
}

POST_ONLY = ("/keluar", "/admin/pengguna/1/tautan-sandi", "/konsultasi/agenda/jadwal", "/konsultasi/agenda/pola", "/kasus/{id}/tindakan/{step}", "/kasus/{id}/pesan", "/kasus/{id}/klaim",
             "/chat/{id}/pesan", "/kasus/{id}/penilaian",
             "/kasus/{id}/tugaskan", "/kasus/{id}/dokumen", "/kasus/{id}/dokumen/{doc}/periksa", "/lacak/pesan",
             "/lacak/tindakan/{step}", "/lacak/keluar")

# Scenarios (built in World.case):
#   unclaimed           KGB request just filed, nobody handles it yet ("owner's step": start verification)
#   service_request     KGB request in verification, handled by the owner
#   complaint           named complaint about the party, answered by the owner today
#   anonymous           anonymous complaint waiting for the filer's answer, handled by the owner
#   mediation           the owner is the mediator; the party not yet brought in
#   mediation_involved  the same after bring_in_other_party (mediation in progress)
#   consultation        a ConsDesk booking three days ahead, not yet confirmed by its officer (the owner)
#   chat_waiting        a chat nobody has taken ("owner's step": serve)
#   chat_active         a chat an officer (the owner) is answering ("close" is both steps)
# Each case has one document, uploaded by its requester (by the filer for the anonymous one).
CASES = {
    #                                     anon req  coll sup  party off  owner outs head adm  tracker  dfiler
    "unclaimed": {
        "GET /kasus/<id>":                (M,   200, 404, 200, _,   200, _,   404, 200, 200, M,   200),
        "POST tindakan/<owner's step>":   (M,   403, 404, 403, _,   302, _,   404, 403, 403, M,   403),
        "POST tindakan/<requester's step>": (M,   302, 404, 403, _,   403, _,   404, 403, 403, M,   302),
        "POST tindakan/<unknown step>":   (M,   409, 404, 409, _,   409, _,   404, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 302, _,   302, _,   404, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 302, _,   302, _,   404, 302, 302, M,   403),
        "POST klaim":                     (M,   403, 404, 403, _,   302, _,   404, 302, 403, M,   403),
        "POST tugaskan":                  (M,   403, 404, 403, _,   403, _,   404, 302, 403, M,   403),
        "POST dokumen":                   (M,   302, 404, 403, _,   403, _,   404, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 200, _,   200, _,   404, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 403, _,   403, _,   404, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
    },
    "service_request": {
        "GET /kasus/<id>":                (M,   200, 404, 200, _,   200, 200, 404, 200, 200, M,   200),
        "POST tindakan/<owner's step>":   (M,   403, 404, 403, _,   403, 302, 404, 403, 403, M,   403),
        "POST tindakan/<requester's step>": (M,   302, 404, 403, _,   403, 403, 404, 403, 403, M,   302),
        "POST tindakan/<unknown step>":   (M,   409, 404, 409, _,   409, 409, 404, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 302, _,   302, 302, 404, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 302, _,   302, 302, 404, 302, 302, M,   403),
        "POST klaim":                     (M,   403, 404, 403, _,   409, 409, 404, 302, 403, M,   403),
        "POST tugaskan":                  (M,   403, 404, 403, _,   403, 302, 404, 302, 403, M,   403),
        "POST dokumen":                   (M,   302, 404, 403, _,   403, 302, 404, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 200, _,   200, 200, 404, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 403, _,   403, 302, 404, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
    },
    "complaint": {
        "GET /kasus/<id>":                (M,   200, 404, 404, 404, 200, 200, 404, 200, 200, M,   200),
        "POST tindakan/<owner's step>":   (M,   302, 404, 404, 404, 403, 302, 404, 403, 403, M,   302),
        "POST tindakan/<requester's step>": (M,   302, 404, 404, 404, 403, 403, 404, 403, 403, M,   302),
        "POST tindakan/<unknown step>":   (M,   409, 404, 404, 404, 409, 409, 404, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 404, 404, 302, 302, 404, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 404, 404, 302, 302, 404, 302, 302, M,   403),
        "POST klaim":                     (M,   403, 404, 404, 404, 409, 409, 404, 302, 403, M,   403),
        "POST tugaskan":                  (M,   403, 404, 404, 404, 403, 302, 404, 302, 403, M,   403),
        "POST dokumen":                   (M,   302, 404, 404, 404, 403, 302, 404, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 404, 404, 200, 200, 404, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 404, 404, 403, 302, 404, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
    },
    "anonymous": {
        "GET /kasus/<id>":                (M,   404, 404, 404, _,   200, 200, 404, 200, 200, M,   _),
        "POST tindakan/<owner's step>":   (M,   404, 404, 404, _,   403, 409, 404, 403, 403, M,   _),
        "POST tindakan/<requester's step>": (M,   404, 404, 404, _,   403, 403, 404, 403, 403, M,   _),
        "POST tindakan/<unknown step>":   (M,   404, 404, 404, _,   409, 409, 404, 409, 409, M,   _),
        "POST pesan":                     (M,   404, 404, 404, _,   302, 302, 404, 302, 302, M,   _),
        "POST pesan (internal)":          (M,   404, 404, 404, _,   302, 302, 404, 302, 302, M,   _),
        "POST klaim":                     (M,   404, 404, 404, _,   409, 409, 404, 302, 403, M,   _),
        "POST tugaskan":                  (M,   404, 404, 404, _,   403, 302, 404, 302, 403, M,   _),
        "POST dokumen":                   (M,   404, 404, 404, _,   403, 302, 404, 403, 403, M,   _),
        "GET dokumen/<doc>":              (M,   404, 404, 404, _,   200, 200, 404, 200, 200, M,   _),
        "POST dokumen/<doc>/periksa":     (M,   404, 404, 404, _,   403, 302, 404, 403, 403, M,   _),
        "GET /lacak/kasus":               (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   200, _),
        "POST /lacak/pesan":              (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   302, _),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   302, _),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   403, _),
    },
    "mediation": {
        "GET /kasus/<id>":                (M,   200, 404, 200, 404, 404, 200, 200, 200, 200, M,   200),
        "POST tindakan/<owner's step>":   (M,   403, 404, 403, 404, 404, 302, 403, 403, 403, M,   403),
        "POST tindakan/<requester's step>": (M,   302, 404, 403, 404, 404, 403, 403, 403, 403, M,   302),
        "POST tindakan/<unknown step>":   (M,   409, 404, 409, 404, 404, 409, 409, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 302, 404, 404, 302, 302, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 302, 404, 404, 302, 302, 302, 302, M,   403),
        "POST klaim":                     (M,   409, 404, 409, 404, 404, 409, 409, 409, 409, M,   409),
        "POST tugaskan":                  (M,   409, 404, 409, 404, 404, 409, 409, 409, 409, M,   409),
        "POST dokumen":                   (M,   302, 404, 403, 404, 404, 302, 403, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 200, 404, 404, 200, 200, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 403, 404, 404, 302, 403, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
    },
    "mediation_involved": {
        "GET /kasus/<id>":                (M,   200, 404, 200, 200, 404, 200, 200, 200, 200, M,   200),
        "POST tindakan/<owner's step>":   (M,   403, 404, 403, 403, 404, 302, 403, 403, 403, M,   403),
        "POST tindakan/<requester's step>": (M,   409, 404, 403, 403, 404, 403, 403, 403, 403, M,   409),
        "POST tindakan/<unknown step>":   (M,   409, 404, 409, 409, 404, 409, 409, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 302, 302, 404, 302, 302, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 302, 403, 404, 302, 302, 302, 302, M,   403),
        "POST klaim":                     (M,   409, 404, 409, 409, 404, 409, 409, 409, 409, M,   409),
        "POST tugaskan":                  (M,   409, 404, 409, 409, 404, 409, 409, 409, 409, M,   409),
        "POST dokumen":                   (M,   302, 404, 403, 403, 404, 302, 403, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 200, 200, 404, 200, 200, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 403, 403, 404, 302, 403, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   L,   L,   L,   L,   L,   L,   _,   L),
    },
    "consultation": {
        "GET /kasus/<id>":                (M,   200, 404, 404, _,   200, 200, 404, 200, 200, M,   200),
        "POST tindakan/<owner's step>":   (M,   403, 404, 404, _,   403, 302, 404, 403, 403, M,   403),
        "POST tindakan/<requester's step>": (M,   302, 404, 404, _,   403, 403, 404, 403, 403, M,   302),
        "POST tindakan/<unknown step>":   (M,   409, 404, 404, _,   409, 409, 404, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 404, _,   302, 302, 404, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 404, _,   302, 302, 404, 302, 302, M,   403),
        "POST klaim":                     (M,   409, 404, 404, _,   409, 409, 404, 409, 409, M,   409),
        "POST tugaskan":                  (M,   409, 404, 404, _,   409, 409, 404, 409, 409, M,   409),
        "POST dokumen":                   (M,   302, 404, 404, _,   403, 302, 404, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 404, _,   200, 200, 404, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 404, _,   403, 302, 404, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
    },
    # A chat's case page is its conversation (/chat/<id>, tests/views/test_chat_pages.py): 302 there for
    # whoever reads it. The requester's superior does not read an employee's chats.
    "chat_waiting": {
        "GET /kasus/<id>":                (M,   302, 404, 404, _,   302, _,   404, 302, 302, M,   302),
        "POST tindakan/<owner's step>":   (M,   403, 404, 404, _,   302, _,   404, 403, 403, M,   403),
        "POST tindakan/<requester's step>": (M,   302, 404, 404, _,   403, _,   404, 403, 403, M,   302),
        "POST tindakan/<unknown step>":   (M,   409, 404, 404, _,   409, _,   404, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 404, _,   302, _,   404, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 404, _,   302, _,   404, 302, 302, M,   403),
        "POST klaim":                     (M,   403, 404, 404, _,   302, _,   404, 302, 403, M,   403),
        "POST tugaskan":                  (M,   403, 404, 404, _,   403, _,   404, 302, 403, M,   403),
        "POST dokumen":                   (M,   302, 404, 404, _,   403, _,   404, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 404, _,   200, _,   404, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 404, _,   403, _,   404, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   _,   L,   _,   L,   L,   L,   _,   L),
    },
    "chat_active": {
        "GET /kasus/<id>":                (M,   302, 404, 404, _,   302, 302, 404, 302, 302, M,   302),
        "POST tindakan/<owner's step>":   (M,   302, 404, 404, _,   403, 302, 404, 403, 403, M,   302),
        "POST tindakan/<requester's step>": (M,   302, 404, 404, _,   403, 302, 404, 403, 403, M,   302),
        "POST tindakan/<unknown step>":   (M,   409, 404, 404, _,   409, 409, 404, 409, 409, M,   409),
        "POST pesan":                     (M,   302, 404, 404, _,   302, 302, 404, 302, 302, M,   302),
        "POST pesan (internal)":          (M,   403, 404, 404, _,   302, 302, 404, 302, 302, M,   403),
        "POST klaim":                     (M,   403, 404, 404, _,   409, 409, 404, 302, 403, M,   403),
        "POST tugaskan":                  (M,   403, 404, 404, _,   403, 302, 404, 302, 403, M,   403),
        "POST dokumen":                   (M,   302, 404, 404, _,   403, 302, 404, 403, 403, M,   302),
        "GET dokumen/<doc>":              (M,   200, 404, 404, _,   200, 200, 404, 200, 200, M,   200),
        "POST dokumen/<doc>/periksa":     (M,   403, 404, 404, _,   403, 302, 404, 403, 403, M,   403),
        "GET /lacak/kasus":               (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/pesan":              (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<requester's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
        "POST /lacak/tindakan/<owner's step>": (L,   L,   L,   L,   _,   L,   L,   L,   L,   L,   _,   L),
    },
}

# scenario: (case type, state, owner's step, requester's step, other attributes)
SCENARIOS = {
    "unclaimed": ("service_request", "submitted", "start_verification", "withdraw", {"unowned": True}),
    "service_request": ("service_request", "in_verification", "request_revision", "withdraw", {}),
    "complaint": ("complaint", "answered", "close", "reopen", {"party": True, "answered": True}),
    "anonymous": ("complaint", "waiting_filer", "answer", "filer_replied", {"anonymous": True}),
    "mediation": ("mediation", "mediator_assigned", "bring_in_other_party", "withdraw", {"party": True}),
    "mediation_involved": ("mediation", "in_mediation", "record_agreement", "withdraw",
                           {"party": True, "involved": True}),
    "consultation": ("consultation", "booked", "confirm", "cancel", {"slot": True}),
    "chat_waiting": ("chat", "waiting", "serve", "close", {"unowned": True}),
    "chat_active": ("chat", "active", "close", "close", {}),
}

COMMENT = "Catatan uji."
NEW_PASSWORD = "ikan-tenggiri-bangka"
_slots = itertools.count(1)
_pattern_weeks = itertools.count(1)


class World:
    """One app and one office for the whole module; every test gets a fresh case and a fresh browser."""

    def __init__(self, app):
        self.app = app
        app.test_client_class = FreshContextClient
        self.people = build_cast()  # by ACTORS' names; plus "assignee", whom the head assigns cases to
        self.assignee = self.people["assignee"]
        app.config["DESK_HEAD_NIP"] = self.people["head"].nip
        app.config["ANONYMOUS_LIMIT_PER_ADDRESS"] = "10000 per hour"  # one address files every row here

    # -- set-up -----------------------------------------------------------------------------------

    def case(self, scenario: str, actor: str) -> tuple[Case, CaseDocument, str | None]:
        """A fresh case of the scenario; for the desk_filer the same case, filed by them."""
        case_type, state, _, _, attrs = SCENARIOS[scenario]
        p, code = self.people, None
        common = dict(state=state, owner=None if attrs.get("unowned") else p["owner"])
        if attrs.get("anonymous"):
            case, code = anonymous_complaint(**common)
        else:
            case = CaseFactory(
                case_type=case_type, requester=p["desk_filer" if actor == "desk_filer" else "requester"], **common,
                other_party=p["party"] if attrs.get("party") else None,
                is_other_party_involved=attrs.get("involved", False),
                answered_at=self.app.extensions["clock"].now() if attrs.get("answered") else None,
                fields={"slot_start": (self.app.extensions["clock"].now() + dt.timedelta(days=3)).isoformat()}
                if attrs.get("slot") else {})
        stored = file_storage.save(PDF, "pdf")
        doc = CaseDocumentFactory(case=case, uploaded_by_id=case.requester_id, stored_name=stored,
                                  size_bytes=len(PDF))
        return case, doc, code

    def fresh_slot(self) -> ConsultationSlot:
        """A free ConsDesk slot of an officer outside the cast (the assignee), a day further ahead each time."""
        start = self.app.extensions["clock"].now() + dt.timedelta(days=2 + next(_slots))
        return ConsultationSlotFactory(officer=self.assignee, start_at=start, end_at=start + dt.timedelta(minutes=30))

    def escalation_link(self, to_a_party: bool = False) -> str:
        """An 'instruksi' link of an escalation email sent to the desk head about an unclaimed request (with
        `to_a_party`, one the desk head filed themselves)."""
        case = CaseFactory(requester=self.people["head" if to_a_party else "requester"])
        return escalation_token(SlaNoticeFactory(case=case, recipient=self.people["head"]), "instruksi")

    def password_link(self) -> str:
        """The path of a set-password link emailed to the requester."""
        passwords.send_password_link(user_id=self.people["requester"].id)
        body = db.session.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())).first()
        return re.search(r"http://localhost(/kata-sandi/atur/\S+)", body).group(1)

    def browser(self, actor: str, tracked_code: str | None = None) -> WebClient:
        web = open_browser(self.app, self.people[actor] if actor not in ("anon", "tracker") else None)
        if actor == "tracker":
            if tracked_code is None:
                _, tracked_code = anonymous_complaint(state="triaged")
            track(web, tracked_code)
        return web


@pytest.fixture(scope="module")
def world(database_template, tmp_path_factory):
    with module_app(database_template, tmp_path_factory.mktemp("web-permissions")) as app:
        yield World(app)


@pytest.fixture(autouse=True)
def _close_world_transaction(request):
    """The module's app reads through one session; end its transaction after each test, or PostgreSQL
    keeps it open and the next function-scoped test's TRUNCATE waits for it forever."""
    yield
    if "world" in request.fixturenames:
        db.session.rollback()  # objects stay attached (and are reloaded on next use)
        limiter.reset()  # refused passwords of one row do not throttle the next (tests/views/test_throttle.py)


# -- what is checked -------------------------------------------------------------------------------

def outcome(response):
    """The status, with redirects to the login and tracking pages told apart from other redirects."""
    if response.status_code == 302:
        path = urlsplit(response.headers["Location"]).path
        if path == "/masuk":
            return M
        if path == "/lacak":
            return L
    return response.status_code


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Case, CaseEvent, CaseDocument))


def snapshot(world, case_id: int) -> tuple:
    """Everything a request on the case could change."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    docs = db.session.execute(select(CaseDocument.id, CaseDocument.review_status)
                              .where(CaseDocument.case_id == case_id).order_by(CaseDocument.id)).all()
    files = len(file_storage.stored_names())
    return (case.state, case.owner_id, case.version, case.is_other_party_involved, case.answered_at, events,
            tuple(map(tuple, docs)), files)


def refused(expected) -> bool:
    return expected in (M, L) or (isinstance(expected, int) and expected >= 400)


# -- the calls -------------------------------------------------------------------------------------

def general_request(world, web: WebClient, route: str):
    """Set up what the route needs, then answer the call to make (so the counts are taken just before it)."""
    p = world.people
    if route == "GET on every POST-only route":
        urls = [url.format(id=1, step="withdraw", doc=1) for url in POST_ONLY]

        def every_post_only_route():
            statuses = {url: web.get(url).status_code for url in urls}
            assert len(set(statuses.values())) == 1, statuses
            return next(iter(statuses.values()))

        return every_post_only_route
    simple = {
        "GET /kasus/baru/service_request?layanan": ("GET", "/kasus/baru/service_request?layanan=kgb", None),
        "GET /kasus/baru/<unknown type>": ("GET", "/kasus/baru/cuti", None),
        "GET /alur/<case_type>": ("GET", "/alur/mediation", None),
        "GET /alur/<unknown type>": ("GET", "/alur/cuti", None),
        "GET /standar-pelayanan/<service>": ("GET", "/standar-pelayanan/kgb", None),
        "GET /standar-pelayanan/<unknown>": ("GET", "/standar-pelayanan/service_request", None),
        "POST /masuk (wrong password)": ("POST", "/masuk", {"nip": p["requester"].nip, "password": "bukan-sandinya"}),
        "POST /kasus/baru/service_request": ("POST", "/kasus/baru/service_request", KGB),
        "POST /kasus/baru/complaint (about party)": ("POST", "/kasus/baru/complaint",
                                                     {**COMPLAINT, "reported_nip": p["party"].nip}),
        "POST /kasus/baru/complaint (anonim)": ("POST", "/kasus/baru/complaint", {**COMPLAINT, "anonymous": "y"}),
        "POST /kasus/baru/mediation (with party)": ("POST", "/kasus/baru/mediation", {
            "other_party_nip": p["party"].nip, "relation": "atasan", "subject": "Perbedaan penilaian SKP",
            "description": "Penilaian SKP saya turun tanpa dialog kinerja.", "discipline_concern": "tidak"}),
        "POST /aduan-anonim": ("POST", "/aduan-anonim", COMPLAINT),
        "POST /chat": ("POST", "/chat", {"body": "Halo, saya mau bertanya."}),
        "POST /lacak (a wrong code)": ("POST", "/lacak", {"code": "AAAA-BBBB-CCCC-DDDD"}),
    }
    if route in simple:
        method, url, data = simple[route]
    elif route in ("GET /konsultasi/jadwal/<slot>", "POST /konsultasi/jadwal/<slot>"):
        method, url = route.split(" ", 1)[0], f"/konsultasi/jadwal/{world.fresh_slot().id}"
        data = {"topic": "Perhitungan masa kerja"}
    elif route == "POST /konsultasi/agenda/jadwal":  # Monday 7 December 2026, 13.00–13.30
        method, url, data = "POST", "/konsultasi/agenda/jadwal", {"day": "2026-12-07", "start": "13:00", "end": "13:30",
                                                                  "mode": "telepon", "location": "0717-439012"}
    elif route == "POST /konsultasi/agenda/pola":  # Tuesdays 09.00–10.00 for a week, a later week each time
        first = dt.date(2026, 12, 7) + dt.timedelta(weeks=next(_pattern_weeks))
        method, url, data = "POST", "/konsultasi/agenda/pola", {
            "weekdays": "1", "start_time": "09:00", "end_time": "10:00", "minutes": "30", "first_day": first.isoformat(),
            "weeks": "1", "pattern_mode": "tatap_muka", "pattern_location": "Ruang Kepegawaian"}
    elif route == "POST /lacak (a valid code)":
        method, url, data = "POST", "/lacak", {"code": anonymous_complaint()[1]}
    elif route == "POST /kata-sandi (wrong current password)":
        method, url = "POST", "/kata-sandi"
        data = {"current_password": "bukan-sandinya", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    elif route == "POST /admin/pengguna/<id>/tautan-sandi":
        method, url, data = "POST", f"/admin/pengguna/{p['requester'].id}/tautan-sandi", {}
    elif route.startswith(("GET /kata-sandi/atur/", "POST /kata-sandi/atur/")):
        url = world.password_link()
        if route.startswith("GET"):
            return lambda: web.get(url)

        def set_then_restore():
            response = web.post_form(url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
            p["requester"].password_hash = PASSWORD_HASH  # the next tests sign in with the usual one
            db.session.commit()
            return response

        return set_then_restore
    elif route.startswith(("GET /email/aksi/", "POST /email/aksi/")):
        token = "bukan.tanda.tangan" if "forged" in route else world.escalation_link("party" in route)
        if "used" in route:
            escalations.perform_link(token, note="Sudah ditangani.")
        method, url = route.split(" ", 1)[0], f"/email/aksi/{token}"
        data = {"note": "Mohon segera ditangani."}
    else:
        method, url = route.split(" ", 1)
        data = None
    return (lambda: web.get(url)) if method == "GET" else (lambda: web.post_form(url, data))


def case_request(world, web: WebClient, scenario: str, route: str, case: Case, doc: CaseDocument):
    _, _, owner_step, requester_step, _ = SCENARIOS[scenario]
    base = f"/kasus/{case.id}"
    db.session.expire_all()
    version = str(db.session.get(Case, case.id).version)
    step = {"owner's step": owner_step, "requester's step": requester_step, "unknown step": "terbang"}
    if route == "GET /kasus/<id>":
        return web.get(base)
    if route.startswith("POST tindakan/"):
        trigger = step[route.split("<")[1].rstrip(">")]
        return web.post_form(f"{base}/tindakan/{trigger}", {"version": version, "comment": COMMENT})
    if route == "POST pesan":
        return web.post_form(f"{base}/pesan", {"body": "Mohon kabarnya."})
    if route == "POST pesan (internal)":
        return web.post_form(f"{base}/pesan", {"body": "Catatan meja layanan.", "internal": "y"})
    if route == "POST klaim":
        return web.post_form(f"{base}/klaim", {"version": version})
    if route == "POST tugaskan":
        return web.post_form(f"{base}/tugaskan", {"assignee_nip": world.assignee.nip, "version": version,
                                                   "comment": COMMENT})
    if route == "POST dokumen":
        return web.post_form(f"{base}/dokumen", {"requirement": "lainnya", "file": (io.BytesIO(PDF), "lampiran.pdf")},
                             content_type="multipart/form-data")
    # Documents are numbered within their case: the case's one document is number 1.
    if route == "GET dokumen/<doc>":
        return web.get(f"{base}/dokumen/1")
    if route == "POST dokumen/<doc>/periksa":
        return web.post_form(f"{base}/dokumen/1/periksa", {"decision": "verified", "note": ""})
    if route == "GET /lacak/kasus":
        return web.get("/lacak/kasus")
    if route == "POST /lacak/pesan":
        return web.post_form("/lacak/pesan", {"body": "Keterangan tambahan dari pelapor."})
    if route.startswith("POST /lacak/tindakan/"):
        trigger = step[route.split("<")[1].rstrip(">")]
        return web.post_form(f"/lacak/tindakan/{trigger}", {"version": version, "comment": COMMENT})
    raise AssertionError(route)  # pragma: no cover


# -- the tests -------------------------------------------------------------------------------------

def _params(table: dict, scenario: str | None = None):
    return [pytest.param(route, actor, expected, id=f"{scenario + '|' if scenario else ''}{route}|{actor}")
            for route, row in table.items()
            for actor, expected in zip(ACTORS, row, strict=True)
            if expected is not _]


def test_the_tables_cover_every_scenario_and_actor():
    assert set(CASES) == set(SCENARIOS)
    for rows in CASES.values():
        assert list(rows) == list(CASES["service_request"])
        assert all(len(row) == len(ACTORS) for row in rows.values())
    assert all(len(row) == len(ACTORS) for row in GENERAL.values())


@pytest.mark.parametrize("route, actor, expected", _params(GENERAL))
def test_page(world, route, actor, expected):
    web = world.browser(actor)
    call = general_request(world, web, route)
    before = counts()
    response = call()
    got = response if isinstance(response, int) else outcome(response)
    assert got == expected, text_of(response)[:500] if not isinstance(response, int) else got
    if refused(expected):
        assert counts() == before, "a refused request wrote something"
    elif route.startswith("POST /kasus/baru") or route in ("POST /aduan-anonim", "POST /konsultasi/jadwal/<slot>",
                                                            "POST /chat"):
        assert counts()[0] == before[0] + 1


CASE_PARAMS = [pytest.param(scenario, *p.values, id=p.id) for scenario, table in CASES.items()
               for p in _params(table, scenario)]


@pytest.mark.parametrize("scenario, route, actor, expected", CASE_PARAMS)
def test_case_page(world, scenario, route, actor, expected):
    case, doc, code = world.case(scenario, actor)
    web = world.browser(actor, tracked_code=code)
    before = snapshot(world, case.id)
    response = case_request(world, web, scenario, route, case, doc)
    response.close()  # a download holds its file open until closed
    assert outcome(response) == expected, text_of(response)[:500]
    after = snapshot(world, case.id)
    if refused(expected) or route.startswith("GET"):
        assert after == before, "a refused or read-only request changed the case"
    else:
        assert after != before, "a successful POST changed nothing"
    if route == "GET /lacak/kasus" and expected == 200:
        assert case.ref in text_of(response)


# -- anonymity -------------------------------------------------------------------------------------

ANON_COMPLAINT = {**ANONYMOUS_COMPLAINT, "anonymous": "y"}
PAGES = ("/", "/antrian", "/antrian?tampilan=semua", "/antrian?tampilan=saya", "/antrian?jenis=complaint",
         "/tim", "/kasus/{id}", "/kasus/{id}/dokumen/{doc}", "/lacak/kasus")


def test_an_anonymous_complaint_filed_while_signed_in_shows_the_filer_to_nobody(app, client, desk):
    """The filer ticks "anonim" while signed in. No page anyone opens afterwards (the desk's, the supervisors',
    the filer's own, the tracker's) and no email names them; only the code opens the case through /lacak."""
    filer = desk.employee
    identity = (filer.name, filer.nip, filer.email)

    code = file_anonymously(open_browser(app, filer), "/kasus/baru/complaint", ANON_COMPLAINT)
    db.session.expire_all()
    case = db.session.scalars(select(Case).where(Case.is_anonymous)).one()
    assert case.is_anonymous and case.requester_id is None

    # The desk works it: takes it, asks the filer, leaves an internal note, adds a document.
    desk_web = open_browser(app, desk.officer)
    assert fire(desk_web, case.id, "triage").status_code == 302
    assert fire(desk_web, case.id, "ask_filer", "Kapan tepatnya?").status_code == 302
    assert desk_web.post_form(f"/kasus/{case.id}/pesan", {"body": "Cek CCTV loket.", "internal": "y"}).status_code == 302
    assert desk_web.post_form(f"/kasus/{case.id}/dokumen", {"requirement": "lainnya", "file": (io.BytesIO(PDF), "bukti.pdf")},
                          content_type="multipart/form-data").status_code == 302

    # The filer answers with the code only.
    tracker = open_browser(app)
    track(tracker, code)
    html = text_of(tracker.get("/lacak/kasus"))
    assert tracker.post_form("/lacak/pesan", {"body": "Senin pagi, loket 2."}).status_code == 302
    assert tracker.post_form("/lacak/tindakan/filer_replied", {"version": version_on(html, "filer_replied"),
                                                               "comment": "Ada saksi."}).status_code == 302
    doc_number = 1  # the desk's upload, the case's first document

    seen_by = {}
    people = {name: getattr(desk, name) for name in ("head", "kasubbag", "officer", "officer2", "kabid", "employee",
                                                       "colleague", "admin", "outsider")}
    for name, person in [*people.items(), ("tracker", None)]:
        web = tracker if person is None else open_browser(app, person)
        for page in PAGES:
            response = web.get(page.format(id=case.id, doc=doc_number))
            response.close()
            if page == "/lacak/kasus" and person is not None:
                # Signed in is not enough, not even for the account that filed it: only the code opens it.
                assert outcome(response) == L, (name, page)
            if response.status_code != 200:
                continue
            body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            if case.ref in body:
                seen_by.setdefault(name, []).append(page)
            if person is not filer:  # the filer's own pages carry their own name in the header
                for secret in identity:
                    assert secret not in body, (name, page, secret)
    # The desk and the desk head see it, the filer's own account does not (no link is kept), nor their kabid.
    assert {"officer", "officer2", "kasubbag", "admin", "tracker"} <= set(seen_by)
    assert not {"employee", "colleague", "kabid", "outsider"} & set(seen_by), seen_by
    assert "/lacak/kasus" in seen_by["tracker"]

    # No email written about the case goes to, or names, the filer.
    db.session.expire_all()
    for message in written_mail():
        for secret in identity:
            assert secret not in (f"{message.to_addr} {message.subject} {message.body_text} {message.body_html} "
                                  f"{message.context}")
