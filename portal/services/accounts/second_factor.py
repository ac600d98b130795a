"""Second factors: TOTP with replay protection, one-time recovery codes and login codes by email."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update

from portal.extensions import db
from portal.models import LoginSession, RecoveryCode, User
from portal.models.base import utcnow
from portal.services.tokens import digest

ISSUER = "Wijkportaal"
TOTP_WINDOW = 1  # accept the code of the previous and the next 30-second step too (clock drift)
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as inline SVG markup (no styles, no scripts)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=True)


def grouped(secret: str) -> str:
    """The secret in groups of four letters, easier to type over."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def app_setup_context(secret: str, email: str) -> dict:
    """What the app set-up page shows: the QR code and the secret to type over."""
    return {"qr_svg": qr_svg(provisioning_uri(secret, email)), "secret": grouped(secret)}


def _clean_code(code: str) -> str:
    return "".join(ch for ch in str(code) if not ch.isspace())


def matching_counter(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose TOTP code is `code` (within the window), or None."""
    code = _clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_counter = int((time.time() if at is None else at) // totp.interval)
    for counter in range(now_counter - TOTP_WINDOW, now_counter + TOTP_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def verify_totp(user: User, code: str, at: float | None = None) -> bool:
    """True for a valid code not used before: the used time step is recorded by one conditional UPDATE."""
    if not user.totp_secret:
        return False
    counter = matching_counter(user.totp_secret, code, at)
    if counter is None:
        return False
    statement = (
        update(User)
        .where(User.id == user.id, or_(User.totp_last_counter.is_(None), User.totp_last_counter < counter))
        .values(totp_last_counter=counter)
        .execution_options(synchronize_session=False)
    )
    accepted = db.session.execute(statement).rowcount == 1
    if accepted:
        user.totp_last_counter = counter
    return accepted


def enable_totp(user: User, secret: str, code: str, at: float | None = None) -> bool:
    """Switch the account to TOTP when `code` proves the app has `secret`; the code cannot be used again."""
    counter = matching_counter(secret, code, at)
    if counter is None:
        return False
    user.totp_secret = secret
    user.second_factor = "totp"
    user.totp_last_counter = counter
    return True


def reset_second_factor(user: User) -> None:
    """Forget the account's second factor, so it is set up again at the next login."""
    user.second_factor = None
    user.totp_secret = None
    user.totp_last_counter = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def use_email_codes(user: User) -> None:
    """Switch a resident's account to login codes by email (the app and its recovery codes are forgotten)."""
    reset_second_factor(user)
    user.second_factor = "email"


def needs_setup(user: User) -> bool:
    """True when the account must set up its second factor before logging in: none yet, or staff without an app."""
    return user.second_factor is None or (user.is_staff and user.second_factor != "totp")


def pending_secret(login: LoginSession) -> str:
    """The TOTP secret this login is setting up, made on first use (the caller commits)."""
    if login.pending_totp_secret is None:
        login.pending_totp_secret = new_totp_secret()
    return login.pending_totp_secret


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _normalise_recovery_code(code: str) -> str:
    raw = "".join(ch for ch in str(code).lower() if ch.isalnum())[:32]
    return f"{raw[:5]}-{raw[5:]}"


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones; returns them in plain text, to show once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=digest(code)) for code in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """True when `code` is one of the account's unused recovery codes; it is then used up."""
    statement = (
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == digest(_normalise_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount == 1


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the account has."""
    return db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def new_email_code() -> str:
    """A six-digit login code."""
    return f"{secrets.randbelow(1_000_000):06d}"


EMAIL_CODE_LIFETIME_MINUTES = 10
EMAIL_CODE_MAX_ATTEMPTS = 5


def issue_email_code(login) -> str:
    """A new login code for a pending login (the old one stops working); returns it for the mail."""
    code = new_email_code()
    login.email_code_hash = digest(f"{login.id}:{code}")
    login.email_code_expires_at = utcnow() + timedelta(minutes=EMAIL_CODE_LIFETIME_MINUTES)
    login.email_code_attempts = 0
    return code


def _counted(login, column, most: int) -> bool:
    """Add one to a pending login's attempt counter in one conditional UPDATE; False once it reached `most`."""
    statement = (
        update(LoginSession)
        .where(LoginSession.id == login.id, column < most)
        .values({column: column + 1})
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount == 1


def check_email_code(login, code: str) -> bool:
    """True for the right, unexpired code; every try counts, and after five the code is spent."""
    code = _clean_code(code)
    if login.email_code_hash is None or login.email_code_expires_at is None or login.email_code_expires_at <= utcnow():
        return False
    if not _counted(login, LoginSession.email_code_attempts, EMAIL_CODE_MAX_ATTEMPTS):
        return False
    if not secrets.compare_digest(login.email_code_hash, digest(f"{login.id}:{code}")):
        return False
    login.email_code_hash = None
    return True


SECOND_FACTOR_MAX_ATTEMPTS = 10  # codes of any kind on one pending login; it lives 10 minutes


def count_attempt(login) -> bool:
    """Count one second-factor try on a pending login; False once it had its tries (the caller voids it)."""
    return _counted(login, LoginSession.second_factor_attempts, SECOND_FACTOR_MAX_ATTEMPTS)
