from .acting import ActingOfficial
from .announcements import (
    Announcement,
    AnnouncementAudience,
    AnnouncementEvent,
    AnnouncementFile,
    AnnouncementRead,
    EventRsvp,
)
from .cases import Case, CaseDocument, CaseEvent
from .chat import CaseReadMarker
from .consultations import ConsultationSlot
from .drafts import FormDraft
from .feedback import CaseFeedback
from .imports import ImportJob
from .outbox import InboundMessage, OutboxMessage
from .reminders import SentReminder
from .search import CaseSearchText
from .sla import CalendarException, CaseClock, SlaNotice, SlaPolicy, UsedEmailToken
from .users import ApiToken, Role, User, UserSession

__all__ = ["ActingOfficial", "Announcement", "AnnouncementAudience", "AnnouncementEvent", "AnnouncementFile",
           "AnnouncementRead", "EventRsvp", "ApiToken", "Case", "CaseDocument", "CaseEvent", "CaseFeedback", "CaseReadMarker", "CaseSearchText", "CalendarException", "FormDraft", "ImportJob", "CaseClock", "ConsultationSlot", "InboundMessage", "OutboxMessage", "Role", "SentReminder", "SlaNotice", "SlaPolicy", "UsedEmailToken", "User", "UserSession"]
