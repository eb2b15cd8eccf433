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
from .rate_limits import RateLimitCounter
from .reminders import SentReminder
from .search import CaseSearchText
from .sla import CalendarException, CaseClock, SettingsStamp, SlaNotice, SlaPolicy, UsedEmailToken
from .stored_files import StoredFile
from .users import ApiToken, Role, User, UserSession
from .workers import WorkerHeartbeat

__all__ = ["ActingOfficial", "Announcement", "AnnouncementAudience", "AnnouncementEvent", "AnnouncementFile",
           "AnnouncementRead", "EventRsvp", "ApiToken", "Case", "CaseDocument", "CaseEvent", "CaseFeedback", "CaseReadMarker", "CaseSearchText", "CalendarException", "FormDraft", "ImportJob", "CaseClock", "ConsultationSlot", "InboundMessage", "OutboxMessage", "RateLimitCounter", "Role", "SentReminder", "SettingsStamp", "SlaNotice", "SlaPolicy", "StoredFile", "UsedEmailToken", "User", "UserSession", "WorkerHeartbeat"]
