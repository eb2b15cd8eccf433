from .cases import Case, CaseDocument, CaseEvent
from .outbox import InboundMessage, OutboxMessage
from .search import CaseSearchText
from .sla import CalendarException, CaseClock, SlaNotice, SlaPolicy, UsedEmailToken
from .users import ApiToken, Role, User, UserSession

__all__ = ["ApiToken", "Case", "CaseDocument", "CaseEvent", "CaseSearchText", "CalendarException", "CaseClock", "InboundMessage", "OutboxMessage", "Role", "SlaNotice", "SlaPolicy", "UsedEmailToken", "User", "UserSession"]
