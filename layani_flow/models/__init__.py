from .acting import ActingOfficial
from .cases import Case, CaseDocument, CaseEvent
from .consultations import ConsultationSlot
from .drafts import FormDraft
from .outbox import InboundMessage, OutboxMessage
from .search import CaseSearchText
from .sla import CalendarException, CaseClock, SlaNotice, SlaPolicy, UsedEmailToken
from .users import ApiToken, Role, User, UserSession

__all__ = ["ActingOfficial", "ApiToken", "Case", "CaseDocument", "CaseEvent", "CaseSearchText", "CalendarException", "FormDraft", "CaseClock", "ConsultationSlot", "InboundMessage", "OutboxMessage", "Role", "SlaNotice", "SlaPolicy", "UsedEmailToken", "User", "UserSession"]
