"""Login throttling: failed sign-ins counted per address and per account.

An address with too many recent failures is refused. An account is only ever
slowed, never refused: otherwise anyone could lock `admin` out by guessing at
it. Counts live in Redis, shared by every process. While Redis does not
answer they live in this process's memory instead, so sign-in keeps working;
each process then counts on its own, which is weaker but never a 500."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from redis import Redis, RedisError

from coordinator.common.errors import TooManyAttempts
from coordinator.i18n import N_, text

log = logging.getLogger(__name__)
T = TypeVar("T")


class Counters(Protocol):
    def state(self, keys: list[str]) -> list[tuple[int, int]]:
        """(failures, seconds until forgotten) of each key."""

    def add_failure(self, keys: list[str], window: int) -> None:
        """Count one failure on each key and remember it for `window` seconds."""

    def forget(self, key: str) -> None:
        """Drop a key's failures."""


class RedisCounters:
    """Counters in Redis: INCR, with the expiry renewed on each failure."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def state(self, keys: list[str]) -> list[tuple[int, int]]:
        pipe = self.redis.pipeline(transaction=False)
        pipe.mget(keys)
        for key in keys:
            pipe.ttl(key)
        counts, *ttls = pipe.execute()
        return [(int(count or 0), max(ttl, 0)) for count, ttl in zip(counts, ttls, strict=True)]

    def add_failure(self, keys: list[str], window: int) -> None:
        pipe = self.redis.pipeline()
        for key in keys:
            pipe.incr(key)
            pipe.expire(key, window)
        pipe.execute()

    def forget(self, key: str) -> None:
        self.redis.delete(key)


class ProcessCounters:
    """Counters in this process's memory, for when Redis is away. Bounded: past
    MAX_KEYS the expired entries go, then the oldest."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (failures, monotonic expiry)

    def state(self, keys: list[str]) -> list[tuple[int, int]]:
        now = time.monotonic()
        with self._lock:
            found = [self._counts.get(key, (0, now)) for key in keys]
        return [(count, int(until - now + 0.999)) if until > now else (0, 0) for count, until in found]

    def add_failure(self, keys: list[str], window: int) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                count, until = self._counts.get(key, (0, now))
                self._counts[key] = (count + 1 if until > now else 1, now + window)
            if len(self._counts) > self.MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                while len(self._counts) > self.MAX_KEYS:
                    del self._counts[next(iter(self._counts))]

    def forget(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class LoginThrottle:
    """After `lock_after` failures from one address in `window` seconds, that
    address is refused until the window passes. After `slow_after` failures
    on an account or from an address, each attempt waits `delay` seconds more
    per failure, up to the lock threshold's worth, and then no longer."""

    def __init__(
        self,
        redis: Redis,
        fallback: ProcessCounters,
        *,
        slow_after: int,
        lock_after: int,
        window: int,
        delay: float,
    ) -> None:
        self.shared, self.fallback = RedisCounters(redis), fallback
        self.slow_after, self.lock_after = slow_after, lock_after
        self.window, self.delay = window, delay

    def _counted(self, action: Callable[[Counters], T]) -> T:
        try:
            return action(self.shared)
        except RedisError as exc:
            log.warning("Login throttle: Redis does not answer (%s); counting in this process.", exc)
            return action(self.fallback)

    @staticmethod
    def _keys(username: str, address: str) -> list[str]:
        return [f"birlik:login:user:{username.lower()}", f"birlik:login:addr:{address}"]

    def before_attempt(self, username: str, address: str) -> None:
        """Refuse an attempt from a locked address (TooManyAttempts), or delay it."""
        keys = self._keys(username, address)
        (account, _), (by_address, seconds_left) = self._counted(lambda c: c.state(keys))
        if by_address >= self.lock_after:
            minutes = max(1, (seconds_left + 59) // 60)
            raise TooManyAttempts(
                text(
                    N_("Too many failed sign-ins from your address. Try again in %(minutes)s minute(s)."),
                    minutes=minutes,
                ),
                retry_after=max(seconds_left, 1),
            )
        worst = min(max(account, by_address), self.lock_after)
        if worst >= self.slow_after:
            time.sleep(self.delay * (worst - self.slow_after + 1))

    def failed(self, username: str, address: str) -> None:
        """Count a failed attempt against the account and the address."""
        keys = self._keys(username, address)
        self._counted(lambda c: c.add_failure(keys, self.window))

    def succeeded(self, username: str) -> None:
        """Forget the account's failures (the address's stay counted)."""
        key = self._keys(username, "")[0]
        self._counted(lambda c: c.forget(key))
