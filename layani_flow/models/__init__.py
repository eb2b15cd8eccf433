from .cases import CASE_TYPES, Case, CaseDocument, CaseEvent
from .outbox import OutboxMessage
from .users import ApiToken, Role, User

__all__ = ["CASE_TYPES", "ApiToken", "Case", "CaseDocument", "CaseEvent", "OutboxMessage", "Role", "User"]
