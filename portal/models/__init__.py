"""All models, imported here so that Alembic and the app see one metadata."""

from portal.models import programme_search  # noqa: F401  (its listeners keep the search columns in step)
from portal.models.account import AccountToken, Consent, Invitation, LoginSession, RecoveryCode
from portal.models.audit import AuditEvent
from portal.models.base import Base
from portal.models.booking import Booking, CalendarFeed
from portal.models.health_check import HealthCheck, HealthCheckEstimate, HealthCheckReminder, HealthCheckShare
from portal.models.mail import OutboxMail
from portal.models.messaging import (
    Attachment,
    AwayPeriod,
    CareRelation,
    InvolvementConsent,
    Message,
    MessageReceipt,
    Thread,
    ThreadEvent,
)
from portal.models.neighbourhood import Neighbourhood, Organisation
from portal.models.programme import (
    Location,
    Programme,
    ProgrammeAudience,
    ProgrammeChange,
    ProgrammeFit,
    ProgrammeLanguage,
    ProgrammeText,
    Session,
)
from portal.models.programme_order import sort_title
from portal.models.referrals import Referral, ReferralEvent
from portal.models.search import SearchWord
from portal.models.throttle import AuthThrottle
from portal.models.user import User

__all__ = [
    "SearchWord",
    "Attachment",
    "AwayPeriod",
    "CareRelation",
    "InvolvementConsent",
    "Message",
    "MessageReceipt",
    "Thread",
    "ThreadEvent",
    "AccountToken",
    "AuthThrottle",
    "AuditEvent",
    "Consent",
    "Invitation",
    "LoginSession",
    "RecoveryCode",
    "Base",
    "HealthCheck",
    "HealthCheckEstimate",
    "HealthCheckReminder",
    "HealthCheckShare",
    "Booking",
    "CalendarFeed",
    "Location",
    "Neighbourhood",
    "Organisation",
    "OutboxMail",
    "Programme",
    "Referral",
    "ReferralEvent",
    "ProgrammeAudience",
    "ProgrammeChange",
    "ProgrammeFit",
    "ProgrammeLanguage",
    "ProgrammeText",
    "Session",
    "User",
    "sort_title",
]
