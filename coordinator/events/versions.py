"""The data's version, and what hangs on it: ETags for conditional GETs and
a cache of figures many screens read. Every state change records an event
in its own transaction, so the newest event id changes whenever any data
does (on PostgreSQL a few milliseconds after the commit, when the event is
numbered); it is read before the data, so an answer is never labelled newer
than it is. Views whose answer also moves with the clock (ages, SLA
countdowns, stale teams) add the current minute to the version."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from redis.exceptions import RedisError

from coordinator.common.clock import now
from coordinator.events.service import last_id
from coordinator.extensions import db
from coordinator.redis_conn import get_redis

CACHE_SECONDS = 120  # a cached figure outlives its version only this long
WAIT_SECONDS = 2.0  # how long a reader waits for another's computation of the same figures
# An older answer serves (`cached`'s max_lag) only once the data has changed
# this many times since: a surge, never the change a person has just made.
LAG_MIN_CHANGES = 20
BEHIND_HEADER = "X-Birlik-Behind"  # the answer is older than the data (by at most the view's lag)
NOT_MODIFIED_DOC = {"description": "Not Modified: the `ETag` sent in `If-None-Match` is still current."}
ETAG_HEADER = {"ETag": {"description": "The answer's version, for `If-None-Match`.", "schema": {"type": "string"}}}


def version(*, per_minute: bool = False) -> tuple[int, ...]:
    """The data's version for this request (the newest event id, read once
    per request), with the current minute if asked."""
    if "data_version" not in g:
        g.data_version = last_id(session=db.session)
    return (g.data_version, int(now().timestamp() // 60)) if per_minute else (g.data_version,)


def _digest(parts: tuple[Hashable, ...]) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def _viewer() -> tuple[Hashable, ...]:
    """Whose answer it is: the user (their role and scope come with them) and their language."""
    user = current_user
    return (user.get_id(), getattr(user, "role", None), getattr(user, "region_id", None), str(get_locale()))


def etag(*, per_minute: bool = False) -> str:
    """The ETag of this GET: its path and query, the viewer and the data's version."""
    query = tuple(sorted(request.args.items(multi=True)))
    return _digest((request.path, query, _viewer(), version(per_minute=per_minute)))


def conditional(*, per_minute: bool = False) -> Callable:
    """Decorate a GET view (beneath flask-smorest's decorators): a request
    whose `If-None-Match` names the current ETag gets 304 without the view
    running; any other gets the view's answer with the ETag."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            tag = etag(per_minute=per_minute)
            if request.if_none_match.contains_weak(tag):
                response = Response(status=304)
                response.set_etag(tag)
                response.headers["Cache-Control"] = "private, no-cache"
                return response
            g.etag = tag
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _set_etag(response: Response) -> Response:
    tag = g.pop("etag", None)
    if g.pop("behind", False) and response.status_code == 200:
        # An older answer under the data's ETag would be kept by a later 304:
        # it goes without one, and the page asks again a little later.
        response.headers[BEHIND_HEADER] = "1"
        response.headers["Cache-Control"] = "no-store"
        return response
    if tag is not None and response.status_code == 200:
        response.set_etag(tag)
        # The browser keeps it but asks each time; only the caller may keep it.
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def cached(
    name: str,
    key: tuple[Hashable, ...],
    compute: Callable[[], bytes],
    *,
    per_minute: bool = False,
    max_lag: float = 0.0,
) -> bytes:
    """Figures computed once per data version and key (scope, language…),
    shared in Redis by every viewer and process: the first reader computes
    them, readers arriving meanwhile wait for that answer (up to
    WAIT_SECONDS), the rest read it. Without Redis, each reader computes.

    With `max_lag`, while the data changes many times a second (a surge:
    LAG_MIN_CHANGES since the last answer), that answer serves for up to
    `max_lag` seconds: the figures are computed about once per `max_lag`
    instead of once per change. Such an answer is marked (`BEHIND_HEADER`); pages ask again."""
    cache_key = f"birlik:cache:{name}:{_digest((key, version(per_minute=per_minute)))}"
    latest_key = f"birlik:cache:{name}:latest:{_digest(key)}"
    try:
        redis = get_redis()
        if max_lag:
            found, latest = redis.mget(cache_key, latest_key)
        else:
            found, latest = redis.get(cache_key), None
        if found is not None:
            return found
        if latest is not None and _surging(latest, max_lag):
            return _behind(latest)
        if not redis.set(cache_key + ":lock", 1, nx=True, ex=int(WAIT_SECONDS) + 1):
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.02)
                found = redis.get(cache_key)
                if found is not None:
                    return found
    except RedisError:
        return compute()
    value = compute()
    try:
        with redis.pipeline(transaction=False) as pipe:
            pipe.set(cache_key, value, ex=CACHE_SECONDS)
            if max_lag:
                stamp = f"{time.time():.3f} {version()[0]} ".encode()
                pipe.set(latest_key, stamp + value, ex=CACHE_SECONDS)
            pipe.execute()
    except RedisError:
        pass  # the next reader computes them again
    return value


def _surging(latest: bytes, max_lag: float) -> bool:
    computed, of_version, _ = latest.split(b" ", 2)
    recent = time.time() - float(computed) <= max_lag
    return recent and version()[0] - int(of_version) >= LAG_MIN_CHANGES


def _behind(latest: bytes) -> bytes:
    if has_request_context():
        g.behind = True
    return latest.split(b" ", 2)[2]


def init_app(app: Flask) -> None:
    app.after_request(_set_etag)
