"""All models, imported here so that Alembic and the app see one metadata."""

from portal.models.base import Base
from portal.models.neighbourhood import Neighbourhood, Organisation
from portal.models.programme import (
    Location,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
    Session,
)
from portal.models.user import User

__all__ = [
    "Base",
    "Location",
    "Neighbourhood",
    "Organisation",
    "Programme",
    "ProgrammeAudience",
    "ProgrammeLanguage",
    "ProgrammeText",
    "Session",
    "User",
]
