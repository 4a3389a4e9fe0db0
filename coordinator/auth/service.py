"""Users, password hashing (Argon2id), API tokens and login throttling."""

from __future__ import annotations

import hashlib
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth.models import ROLES, ApiToken, User
from coordinator.common.clock import now
from coordinator.common.errors import Invalid, TooManyAttempts
from coordinator.events import service as events

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
        raise Invalid(f"Unknown role '{role}'.", field="role")
    if session.scalar(select(User.id).where(User.username == username)):
        raise Invalid(f"The username '{username}' is taken.", field="username")
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


class LoginThrottle:
    """Counts failed logins per account and per address in Redis. After
    `slow_after` failures each attempt is delayed; after `lock_after` the
    account or address is refused until the window passes."""

    def __init__(self, redis: Redis, *, slow_after: int, lock_after: int, window: int, delay: float) -> None:
        self.redis, self.slow_after, self.lock_after = redis, slow_after, lock_after
        self.window, self.delay = window, delay

    def _keys(self, username: str, address: str) -> list[str]:
        return [f"birlik:login:user:{username.lower()}", f"birlik:login:addr:{address}"]

    def before_attempt(self, username: str, address: str) -> None:
        """Refuse or slow an attempt according to recent failures."""
        counts = [int(v or 0) for v in self.redis.mget(self._keys(username, address))]
        worst = max(counts)
        if worst >= self.lock_after:
            ttl = max(self.redis.ttl(k) for k in self._keys(username, address))
            minutes = max(1, (ttl + 59) // 60)
            raise TooManyAttempts(
                f"Too many failed sign-ins. Try again in {minutes} minute(s).", retry_after=max(ttl, 1)
            )
        if worst >= self.slow_after:
            time.sleep(self.delay * (worst - self.slow_after + 1))

    def failed(self, username: str, address: str) -> None:
        pipe = self.redis.pipeline()
        for key in self._keys(username, address):
            pipe.incr(key)
            pipe.expire(key, self.window)
        pipe.execute()

    def succeeded(self, username: str) -> None:
        self.redis.delete(self._keys(username, "")[0])


def authenticate(*, session: Session, throttle: LoginThrottle, username: str, password: str, address: str) -> User:
    """The user for a username and password; raises Invalid or TooManyAttempts."""
    throttle.before_attempt(username, address)
    user = get_by_username(session=session, username=username)
    if user is None or not user.active or not check_password(user, password):
        throttle.failed(username, address)
        raise Invalid("Wrong username or password.", field="password")
    throttle.succeeded(username)
    return user
