"""Users, password hashing (Argon2id), API tokens and sign-in."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth.models import ROLES, ApiToken, User
from coordinator.auth.throttle import LoginThrottle
from coordinator.common.clock import now
from coordinator.common.errors import Invalid
from coordinator.events import service as events
from coordinator.i18n import N_, text

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """Whether the password matches; rehashes are not needed at this scale."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    region_id: int | None = None,
    team_id: int | None = None,
    organization_id: int | None = None,
) -> User:
    """Create a user; raises Invalid for an unknown role or a taken name."""
    if role not in ROLES:
        raise Invalid(text(N_("Unknown role '%(role)s'."), role=role), field="role")
    if session.scalar(select(User.id).where(User.username == username)):
        raise Invalid(text(N_("The username '%(username)s' is taken."), username=username), field="username")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        region_id=region_id,
        team_id=team_id,
        organization_id=organization_id,
    )
    session.add(user)
    session.flush()
    return user


def get_by_username(*, session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, user: User, name: str) -> str:
    """Create an API token and return it; only its hash is stored."""
    token = "bk_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token), created_at=now())
    session.add(row)
    session.flush()
    # Audit only: no room hears about tokens.
    events.record(
        session=session,
        type="auth.token_issued",
        subject_type="user",
        subject_id=user.id,
        rooms=[],
        actor_id=user.id,
        after={"token_id": row.id, "name": name},
    )
    return token


def set_locale(*, session: Session, user: User, locale: str) -> None:
    """Remember a user's UI language."""
    before = user.locale
    user.locale = locale
    events.record(
        session=session,
        type="user.locale_changed",
        subject_type="user",
        subject_id=user.id,
        rooms=[],
        actor_id=user.id,
        before={"locale": before},
        after={"locale": locale},
    )


def user_for_token(*, session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or not row.user.active:
        return None
    return row.user


def authenticate(*, session: Session, throttle: LoginThrottle, username: str, password: str, address: str) -> User:
    """The user for a username and password. Raises TooManyAttempts from an
    address that failed too often (before the password is checked), else
    Invalid for a wrong username or password."""
    throttle.before_attempt(username, address)
    user = get_by_username(session=session, username=username)
    if user is None or not user.active or not check_password(user, password):
        throttle.failed(username, address)
        raise Invalid(text(N_("Wrong username or password.")), field="password")
    throttle.succeeded(username)
    return user
