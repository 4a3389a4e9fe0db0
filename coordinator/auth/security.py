"""Wires sessions, bearer tokens, CSRF and the login throttle into the app."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from coordinator.auth import service
from coordinator.auth.models import User
from coordinator.auth.throttle import LoginThrottle, ProcessCounters
from coordinator.extensions import csrf, db, login_manager
from coordinator.redis_conn import get_redis

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_FALLBACK = "birlik_login_fallback"


def bearer_token() -> str | None:
    """The bearer token of the current request, if any."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def throttle() -> LoginThrottle:
    """The login throttle: on the app's Redis, or this process's counters while Redis is away."""
    cfg = current_app.config
    return LoginThrottle(
        get_redis(),
        current_app.extensions[_FALLBACK],
        slow_after=cfg["LOGIN_SLOW_AFTER"],
        lock_after=cfg["LOGIN_LOCK_AFTER"],
        window=cfg["LOGIN_LOCK_SECONDS"],
        delay=cfg["LOGIN_SLOW_SECONDS"],
    )


def client_address() -> str:
    """The client's address: the peer's, or the one a trusted proxy forwarded
    (see coordinator.proxies)."""
    return request.remote_addr or "unknown"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def _bearer_user() -> None:
    # A request with a bearer token is that token's user, whatever cookie it
    # carries; an invalid token is anonymous (never the cookie's user).
    token = bearer_token()
    if token is None:
        return
    user = service.user_for_token(session=db.session, token=token)
    g._login_user = user if user is not None else login_manager.anonymous_user()
    g.via_token = user is not None


def _csrf_check() -> None:
    # Forgery rides on the session cookie. Bearer-token calls, and API calls
    # with no signed-in session (such as asking for a token), carry none.
    if request.method not in UNSAFE_METHODS or bearer_token() is not None:
        return
    if request.path.startswith("/api/") and "_user_id" not in session:
        return
    csrf.protect()


def init_csrf(app: Flask) -> None:
    """Check CSRF tokens; registered after the access rules, so a forbidden
    request is refused as forbidden first."""
    csrf.init_app(app)
    app.before_request(_csrf_check)


def init_app(app: Flask) -> None:
    """Sessions, bearer tokens and the throttle's in-process counters."""
    app.extensions[_FALLBACK] = ProcessCounters()
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.before_request(_bearer_user)

    @app.context_processor
    def _user():
        return {"user": current_user}
