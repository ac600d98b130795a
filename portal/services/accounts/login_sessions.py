"""Login sessions kept in the database: started at the password, completed by the second factor, ended for good."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import LoginSession, Organisation, User
from portal.models.base import utcnow
from portal.services.tokens import digest, new_secret

PENDING_LIFETIME = timedelta(minutes=10)  # from password to second factor
TOUCH_INTERVAL = timedelta(seconds=60)  # write last_seen_at at most once a minute


@dataclass(frozen=True)
class SessionTimeouts:
    """How long a login lasts without activity, per kind of account, and at most."""

    staff_idle: timedelta = timedelta(minutes=30)
    resident_idle: timedelta = timedelta(minutes=60)
    absolute: timedelta = timedelta(hours=12)

    def idle_for(self, user: User) -> timedelta:
        """The idle timeout of this account."""
        return self.staff_idle if user.is_staff else self.resident_idle


def start(user: User, device: str = "") -> tuple[LoginSession, str]:
    """Begin a login after the password: returns the row and the token for the cookie."""
    token = new_secret()
    login = LoginSession(user=user, token_hash=digest(token), device=device[:120])
    db.session.add(login)
    db.session.flush()
    return login, token


# The login by its token with its account and the account's organisation, in one query (every caller looks at the
# account; staff pages name the organisation, as in their audit records); built once per process, as every
# signed-in request runs it.
_BY_TOKEN = (
    select(LoginSession)
    .where(LoginSession.token_hash == bindparam("token_hash"))
    .options(joinedload(LoginSession.user, innerjoin=True).joinedload(User.organisation))
)


def _token_hash(token) -> str | None:
    """The stored hash of a cookie token; None for anything that cannot be one (empty, not text, too long)."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    return digest(token)


def find(token: str | None) -> LoginSession | None:
    """The login session a cookie token belongs to, ended or not, with its account loaded."""
    token_hash = _token_hash(token)
    return db.session.scalar(_BY_TOKEN, {"token_hash": token_hash}) if token_hash else None


def pending(token: str | None, now: datetime | None = None) -> LoginSession | None:
    """The login waiting for its second factor, if it is still open and young enough."""
    login = find(token)
    now = now or utcnow()
    if login is None or login.ended_at is not None or login.is_complete:
        return None
    if now - login.created_at > PENDING_LIFETIME or not login.user.is_active:
        return None
    return login


@dataclass(frozen=True)
class LoginCheck:
    """What the check of a request's login found: the live login's id and account (None when the token logs nobody
    in), and whether the check wrote to the login's row (ended it when it timed out, or moved its last-seen time)."""

    login_id: int | None = None
    user: User | None = None
    wrote: bool = False


# The per-request check: the account and its organisation as entities, of the login only the columns the check
# reads, in one statement; built once per process. Loading the login as a third entity cost about a sixth of a
# small signed-in page, and a joined eager load of the organisation more than a second entity in the same row.
_CHECK_BY_TOKEN = (
    select(
        User,
        Organisation,
        LoginSession.id,
        LoginSession.created_at,
        LoginSession.last_seen_at,
        LoginSession.second_factor_at,
        LoginSession.ended_at,
    )
    .join(LoginSession, LoginSession.user_id == User.id)
    .outerjoin(Organisation, User.organisation_id == Organisation.id)
    .where(LoginSession.token_hash == bindparam("token_hash"))
)


def active(token: str | None, timeouts: SessionTimeouts, now: datetime | None = None) -> LoginCheck:
    """The complete, live login a cookie token names; ends it (and names nobody) once it timed out."""
    token_hash = _token_hash(token)
    if token_hash is None:
        return LoginCheck()
    row = db.session.execute(_CHECK_BY_TOKEN, {"token_hash": token_hash}).first()
    if row is None:
        return LoginCheck()
    user, organisation, login_id, created_at, last_seen_at, second_factor_at, ended_at = row
    set_committed_value(user, "organisation", organisation)  # as loaded: no second statement when a page asks
    if ended_at is not None or second_factor_at is None or not user.is_active:
        return LoginCheck()
    now = now or utcnow()
    if now - last_seen_at > timeouts.idle_for(user):
        _end_by_id(login_id, "idle", now)
        return LoginCheck(wrote=True)
    if now - created_at > timeouts.absolute:
        _end_by_id(login_id, "expired", now)
        return LoginCheck(wrote=True)
    if now - last_seen_at > TOUCH_INTERVAL:
        db.session.execute(update(LoginSession).where(LoginSession.id == login_id).values(last_seen_at=now))
        return LoginCheck(login_id, user, wrote=True)
    return LoginCheck(login_id, user)


def _end_by_id(login_id: int, reason: str, now: datetime) -> None:
    """End the login with this id for good, as `end` does, without loading it."""
    statement = update(LoginSession).where(LoginSession.id == login_id, LoginSession.ended_at.is_(None))
    db.session.execute(statement.values(ended_at=now, end_reason=reason))


def complete(login: LoginSession, now: datetime | None = None) -> str:
    """Record the second factor and give the login a new token (a new session id after login)."""
    now = now or utcnow()
    token = new_secret()
    login.token_hash = digest(token)
    login.second_factor_at = now
    login.last_seen_at = now
    login.pending_totp_secret = None
    login.email_code_hash = None
    login.email_code_expires_at = None
    login.user.last_login_at = now
    return token


def end(login: LoginSession, reason: str, now: datetime | None = None) -> None:
    """End one login for good: its cookie no longer works."""
    if login.ended_at is None:
        login.ended_at = now or utcnow()
        login.end_reason = reason


def end_all(user: User, reason: str, keep: LoginSession | None = None) -> int:
    """End every open login of an account (except `keep`); returns how many ended."""
    statement = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(LoginSession.id != keep.id)
    statement = statement.values(ended_at=utcnow(), end_reason=reason).execution_options(synchronize_session="fetch")
    return db.session.execute(statement).rowcount


def open_sessions(user: User) -> list[LoginSession]:
    """The account's complete, open logins, newest first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(
                LoginSession.user_id == user.id,
                LoginSession.ended_at.is_(None),
                LoginSession.second_factor_at.is_not(None),
            )
            .order_by(LoginSession.last_seen_at.desc())
        )
    )
