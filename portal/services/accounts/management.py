"""The coordinator's management of accounts: finding them, deactivating and resetting the second factor."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.models import User
from portal.services.accounts import login_sessions, second_factor

RESULT_LIMIT = 25


def find_accounts(query: str) -> list[User]:
    """Accounts whose name or email contains `query` (not erased ones), at most 25, by name."""
    query = (query or "").strip().lower()
    if not query:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.deleted_at.is_(None),
                or_(
                    func.lower(User.email).contains(query, autoescape=True),
                    func.lower(User.display_name).contains(query, autoescape=True),
                ),
            )
            .order_by(User.display_name, User.id)
            .limit(RESULT_LIMIT)
        )
    )


def staff_accounts() -> list[User]:
    """Every professional, beweegmakelaar and coordinator, by organisation and name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role != "resident", User.deleted_at.is_(None))
            .order_by(User.organisation_id, User.display_name)
        )
    )


def deactivate(account: User) -> None:
    """Block the account from logging in and end its logins."""
    account.is_active_account = False
    login_sessions.end_all(account, "account_closed")


def reactivate(account: User) -> None:
    """Let a deactivated account log in again."""
    account.is_active_account = True


def reset_second_factor(account: User) -> None:
    """For a lost phone: the account sets up its second factor again at the next login; its logins end."""
    second_factor.reset_second_factor(account)
    login_sessions.end_all(account, "account_closed")
