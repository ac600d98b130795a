"""The "auth" blueprint: logging in and out, registering, email links and invitations (one module per job)."""

from portal.routes.auth import invitations, login, password_reset, signup, unlock  # noqa: F401  (their views join bp)
from portal.routes.auth.blueprint import bp

__all__ = ["bp"]
