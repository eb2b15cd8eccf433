from .cases import CASE_TYPES, Case, CaseDocument, CaseEvent
from .outbox import InboundMessage, OutboxMessage
from .sla import CalendarException, CaseClock, SlaNotice, SlaPolicy, UsedEmailToken
from .users import ApiToken, Role, User, UserSession

__all__ = ["CASE_TYPES", "ApiToken", "Case", "CaseDocument", "CaseEvent", "CalendarException", "CaseClock", "InboundMessage", "OutboxMessage", "Role", "SlaNotice", "SlaPolicy", "UsedEmailToken", "User", "UserSession"]
