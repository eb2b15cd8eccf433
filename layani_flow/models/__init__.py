from .cases import CASE_TYPES, Case, CaseDocument, CaseEvent
from .outbox import OutboxMessage
from .sla import CalendarException, CaseClock, SlaNotice, SlaPolicy, UsedEmailToken
from .users import ApiToken, Role, User

__all__ = ["CASE_TYPES", "ApiToken", "Case", "CaseDocument", "CaseEvent", "CalendarException", "CaseClock", "OutboxMessage", "Role", "SlaNotice", "SlaPolicy", "UsedEmailToken", "User"]
