"""factory_boy factories for test set-up only (cases in any state, people anywhere in the office)."""
from __future__ import annotations

import datetime as dt
import itertools

import factory
from werkzeug.security import generate_password_hash

from layani_flow import clock as app_clock
from layani_flow.clock import FrozenClock
from layani_flow.extensions import db
from layani_flow.models import (
    ApiToken,
    Case,
    CaseClock,
    CaseDocument,
    CaseEvent,
    ConsultationSlot,
    SlaNotice,
    User,
)
from layani_flow.services import anonymity
from layani_flow.services import cases as case_service

PASSWORD = "rahasia123"
# A cheap hash so logging in during tests costs microseconds; production uses werkzeug's default (scrypt).
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
START = FrozenClock().now()

_serial = itertools.count(1)


def next_nip(gender: str = "1") -> str:
    """A well-formed NIP (born 1990-01-DD, TMT 2015-03), unique for the first 28,000 calls of a run."""
    n = next(_serial)
    return f"199001{n // 1000 % 28 + 1:02d}201503{gender}{n % 1000:03d}"


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    nip = factory.LazyFunction(next_nip)
    name = factory.Sequence(lambda n: f"Pegawai Uji {n}")
    email = factory.Sequence(lambda n: f"pegawai{n}@dkp.babelprov.go.id")
    unit = "Bidang Perikanan Tangkap"
    position = "Pelaksana"
    role = "employee"
    password_hash = PASSWORD_HASH
    created_at = START


class CaseFactory(BaseFactory):
    """A case placed directly in any state; `requester` defaults to a new employee."""

    class Meta:
        model = Case

    # An anonymous complaint gets a random negative id, as open_case gives it; the others the sequence's.
    id = factory.LazyAttribute(lambda o: anonymity.new_case_id() if o.is_anonymous else None)
    is_anonymous = False
    case_type = "service_request"
    service = factory.LazyAttribute(lambda o: "kgb" if o.case_type == "service_request" else None)
    title = factory.LazyAttribute(lambda o: f"Kasus uji {o.case_type}")
    state = "submitted"
    fields = factory.LazyFunction(dict)
    requester = factory.SubFactory(UserFactory)
    created_at = START
    updated_at = START


def anonymous_complaint(**attrs) -> tuple[Case, str]:
    """An anonymous complaint placed directly in any state (no requester, a random negative id, as CaseFactory
    gives it) with the hash of a fresh tracking code: (the case, the code that opens it at /lacak)."""
    code = case_service.new_tracking_code()
    case = CaseFactory(case_type="complaint", requester=None, is_anonymous=True,
                       tracking_code_hash=case_service.hash_code(code), **attrs)
    return case, code


class ConsultationSlotFactory(BaseFactory):
    """A free ConsDesk slot, placed directly (services.consultations.publish_slot checks the hours)."""

    class Meta:
        model = ConsultationSlot

    officer = factory.SubFactory(UserFactory, role="officer")
    start_at = factory.LazyFunction(lambda: START + dt.timedelta(days=1))
    end_at = factory.LazyAttribute(lambda o: o.start_at + dt.timedelta(minutes=30))
    mode = "tatap_muka"
    location = "Ruang Kepegawaian"
    cancel_reason = ""
    created_at = START


class CaseEventFactory(BaseFactory):
    class Meta:
        model = CaseEvent

    at = START
    actor_label = "Sistem"
    kind = "message"
    comment = "catatan"


class CaseDocumentFactory(BaseFactory):
    class Meta:
        model = CaseDocument

    requirement = "lainnya"
    original_name = "dokumen.pdf"
    stored_name = factory.Sequence(lambda n: f"stored{n:06d}.pdf")
    content_type = "application/pdf"
    size_bytes = 100
    sha256 = "0" * 64
    uploaded_at = START


class CaseClockFactory(BaseFactory):
    """One SLA clock of `case` placed directly, due at `due_at` (give it): by default the first cycle of a
    running 5-working-day resolution clock started at START and warned at its due instant."""

    class Meta:
        model = CaseClock

    name = "resolution"
    cycle = 1
    target = "5d"
    started_at = START
    warn_at = factory.LazyAttribute(lambda o: o.due_at)
    paused_minutes = 0
    escalation_level = 0


class SlaNoticeFactory(BaseFactory):
    """An escalation already sent about `case` to `recipient`, now: by default level 1 of the first cycle of
    the first-response clock, as the sweep writes it (sign its links with tests/scenarios.py's
    escalation_token)."""

    class Meta:
        model = SlaNotice

    class Params:
        case = None

    case_id = factory.LazyAttribute(lambda o: o.case.id)
    clock = "first_response"
    cycle = 1
    level = 1
    at = factory.LazyFunction(app_clock.now)  # the app's clock


__all__ = ["ApiToken", "CaseClockFactory", "CaseDocumentFactory", "CaseEventFactory", "CaseFactory",
           "SlaNoticeFactory", "UserFactory", "anonymous_complaint", "next_nip"]
