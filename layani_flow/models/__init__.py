from .acting import ActingOfficial
from .cases import Case, CaseDocument, CaseEvent
from .consultations import ConsultationSlot
from .outbox import InboundMessage, OutboxMessage
from .sla import CalendarException, CaseClock, SlaNotice, SlaPolicy, UsedEmailToken
from .users import ApiToken, Role, User, UserSession

__all__ = ["ActingOfficial", "ApiToken", "Case", "CaseDocument", "CaseEvent", "CalendarException", "CaseClock", "ConsultationSlot", "InboundMessage", "OutboxMessage", "Role", "SlaNotice", "SlaPolicy", "UsedEmailToken", "User", "UserSession"]
