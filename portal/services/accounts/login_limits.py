"""The limits on logging in, codes and resets, counted in the database (docs/security.md explains the choice).

A password try is counted before the password is checked, so 20 tries at once get exactly the limit
through. The tight limit is per account *and* address, so a stranger elsewhere cannot lock the owner
out; the loose limit per account stops a spread-out attack, and the owner lifts it for their own
browser with the unlock link mailed to the account."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from portal.services.accounts import throttle
from portal.services.accounts.users import normalise_email
from portal.services.tokens import digest


@dataclass(frozen=True)
class Limit:
    """At most `attempts` in each `window`."""

    attempts: int
    window: timedelta


PAIR = Limit(5, timedelta(minutes=15))  # failed passwords, one account from one address
ACCOUNT = Limit(20, timedelta(hours=1))  # failed passwords, one account from all addresses
ADDRESS = Limit(100, timedelta(hours=1))  # failed passwords, one address over all accounts
UNLOCK_MAIL = Limit(1, timedelta(minutes=15))  # unlock mails to one account
CODE_RESEND = Limit(3, timedelta(minutes=10))  # login codes mailed again, per pending login
RESET_ACCOUNT = Limit(3, timedelta(hours=1))  # password-reset mails to one account
RESET_ADDRESS = Limit(20, timedelta(hours=1))  # password-reset requests from one address


class Refusal(enum.Enum):
    """Why a password try was not let through."""

    ADDRESS = "address"
    PAIR = "pair"
    ACCOUNT = "account"


# Keys hold digests only: the table names no e-mail address and no client address.
def _account(email: str) -> str:
    return digest(normalise_email(email))[:32]


def _address(address: str) -> str:
    return digest(f"address:{address}")[:24]


def _pair_key(email: str, address: str) -> str:
    return f"pw-pair:{_account(email)}:{_address(address)}"


def password_try(email: str, address: str, trusted_device: bool) -> Refusal | None:
    """Count one password try before checking it; the reason when a limit refuses it, else None."""
    if not throttle.take(f"pw-addr:{_address(address)}", ADDRESS.attempts, ADDRESS.window):
        return Refusal.ADDRESS
    if not throttle.take(_pair_key(email, address), PAIR.attempts, PAIR.window):
        return Refusal.PAIR
    if not trusted_device and not throttle.take(f"pw-acct:{_account(email)}", ACCOUNT.attempts, ACCOUNT.window):
        return Refusal.ACCOUNT
    return None


def password_ok(email: str, address: str) -> None:
    """The right password: forget this address's failures for the account, and counters a day old, in the caller's
    transaction (so the table never grows beyond a day of attempts)."""
    throttle.clear(_pair_key(email, address))
    throttle.purge()


def may_mail_unlock(email: str) -> bool:
    """Whether an unlock link may be mailed to this account now (one per 15 minutes)."""
    return throttle.take(f"unlock-mail:{_account(email)}", UNLOCK_MAIL.attempts, UNLOCK_MAIL.window)


def may_resend_code(login_id: int) -> bool:
    """Whether a new login code may be mailed for this pending login."""
    return throttle.take(f"code-resend:{login_id}", CODE_RESEND.attempts, CODE_RESEND.window)


def may_mail_reset(email: str, address: str) -> bool:
    """Whether a password-reset request from `address` for `email` may send a mail."""
    if not throttle.take(f"reset-addr:{_address(address)}", RESET_ADDRESS.attempts, RESET_ADDRESS.window):
        return False
    return throttle.take(f"reset-acct:{_account(email)}", RESET_ACCOUNT.attempts, RESET_ACCOUNT.window)


def forget_account(email: str) -> None:
    """Delete the counters that name this account (when it is erased), in the caller's transaction."""
    throttle.forget_matching(f"%:{_account(email)}%")
