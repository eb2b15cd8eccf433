from .cases import CASE_TYPES, Case, CaseDocument, CaseEvent
from .users import ApiToken, Role, User

__all__ = ["CASE_TYPES", "ApiToken", "Case", "CaseDocument", "CaseEvent", "Role", "User"]
