from .acting import ActingOfficial
from .cases import Case, CaseDocument, CaseEvent
from .chat import CaseReadMarker
from .feedback import CaseFeedback
from .outbox import InboundMessage, OutboxMessage
from .sla import CalendarException, CaseClock, SlaNotice, SlaPolicy, UsedEmailToken
from .users import ApiToken, Role, User, UserSession

__all__ = ["ActingOfficial", "ApiToken", "Case", "CaseDocument", "CaseEvent", "CaseFeedback", "CaseReadMarker", "CalendarException", "CaseClock", "InboundMessage", "OutboxMessage", "Role", "SlaNotice", "SlaPolicy", "UsedEmailToken", "User", "UserSession"]
