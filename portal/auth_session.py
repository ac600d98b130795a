"""The browser side of a login: the cookie's token, Flask-Login's user loader, logging in and out."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, request, session
from flask_login import login_user, logout_user

from portal.extensions import db, login_manager
from portal.models import LoginSession, User
from portal.request_log import request_id
from portal.services.accounts import login_sessions
from portal.services.audit import AuditContext

SESSION_TOKEN = "sid"  # noqa: S105  (a session key name, not a secret)
PENDING_TOKEN = "pending"  # noqa: S105
NEXT_PAGE = "next"  # where to go after logging in


def timeouts() -> login_sessions.SessionTimeouts:
    """The idle and absolute timeouts from the settings."""
    config = current_app.config
    return login_sessions.SessionTimeouts(
        staff_idle=timedelta(seconds=config["PORTAL_STAFF_IDLE_SECONDS"]),
        resident_idle=timedelta(seconds=config["PORTAL_RESIDENT_IDLE_SECONDS"]),
        absolute=timedelta(seconds=config["PORTAL_SESSION_MAX_SECONDS"]),
    )


def device_summary() -> str:
    """A short description of the browser, to tell logins apart on the account page."""
    agent = request.user_agent.string or ""
    return agent[:120]


def audit_context() -> AuditContext:
    """The request id and client address for audit records."""
    return AuditContext(request_id=request_id() or "", client_address=request.remote_addr or "")


def begin_login(user: User) -> LoginSession:
    """After the password: a fresh session with a new pending login, waiting for the second factor."""
    target = session.get(NEXT_PAGE)
    session.clear()
    login, token = login_sessions.start(user, device_summary())
    session[PENDING_TOKEN] = token
    if target:
        session[NEXT_PAGE] = target
    return login


def pending_login() -> LoginSession | None:
    """The login of this browser that waits for its second factor."""
    return login_sessions.pending(session.get(PENDING_TOKEN))


def finish_login(login: LoginSession) -> None:
    """After the second factor: a new session cookie naming the completed login."""
    token = login_sessions.complete(login)
    db.session.commit()
    target = session.get(NEXT_PAGE)
    session.clear()
    session[SESSION_TOKEN] = token
    if target:
        session[NEXT_PAGE] = target
    login_user(login.user)


def current_login() -> LoginSession | None:
    """The completed login of this request, if any (loaded by its id when a page asks for it)."""
    login_id = g.get("login_session_id")
    return db.session.get(LoginSession, login_id) if login_id is not None else None


def end_login(reason: str = "logout") -> None:
    """Log out: the login ends in the database, so a copy of the cookie no longer works."""
    complete = current_login() or login_sessions.find(session.get(SESSION_TOKEN))
    for login in (complete, login_sessions.find(session.get(PENDING_TOKEN))):
        if login is not None:
            login_sessions.end(login, reason)
    db.session.commit()
    logout_user()
    session.clear()


def _load_user(user_id: str) -> User | None:
    check = login_sessions.active(session.get(SESSION_TOKEN), timeouts())
    if check.wrote:
        db.session.commit()
    if check.user is None or str(check.user.id) != user_id:
        return None
    g.login_session_id = check.login_id
    return check.user


def init_app(app: Flask) -> None:
    """Let Flask-Login find users through their database-backed login session."""
    login_manager.user_loader(_load_user)
    login_manager.session_protection = None  # the login session in the database does this job
