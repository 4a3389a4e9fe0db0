"""Socket.IO: authenticated connections, scoped rooms and missed-event replay.

A client connects with the session cookie or `auth={"token": ...}`. It may
send `auth={"last_event_id": N}` to receive, before anything else, every event
after N that concerns its rooms, in order, up to `events.REPLAY_LIMIT`. The
`welcome` that ends the replay says whether it was cut short (`truncated`,
and `next_after`, the last replayed id): the client then refreshes what it
shows rather than trust a partial catch-up.

Live events reach a socket in id order, whichever process published them
(`InOrder`): a client keeps the newest id it has seen and replays after it,
so an event delivered after a newer one would be skipped.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import socketio as python_socketio
from flask import Flask, request, session
from flask_login import current_user
from flask_socketio import disconnect, emit, join_room, leave_room
from redis.exceptions import RedisError
from socketio.manager import Manager
from sqlalchemy.exc import SQLAlchemyError

from coordinator import authz
from coordinator.api.ids import MAX_EVENT_ID
from coordinator.auth import service as auth_service
from coordinator.auth.models import User
from coordinator.common import collector, green
from coordinator.events import service as events
from coordinator.extensions import db, socketio
from coordinator.ops import metrics

_USER_KEY = "socket_user_id"


def _authenticate(auth: dict[str, Any] | None) -> User | None:
    token = (auth or {}).get("token")
    if token:
        return auth_service.user_for_token(session=db.session, token=str(token))
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return auth_service.user_for_token(session=db.session, token=header[7:].strip())
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def socket_user() -> User | None:
    """The user of the current socket connection."""
    user_id = session.get(_USER_KEY)
    return db.session.get(User, user_id) if user_id else None


def _on_connect(auth: dict[str, Any] | None = None):
    manager = socketio.server.manager
    if isinstance(manager, ResumingRedisManager):
        # Before the rooms and `last_event_id` (from here on, nothing passes
        # this socket by), and before any database read: a waiting socket
        # holds no pooled connection, which the subscription needs.
        manager.until_subscribed()
    user = _authenticate(auth if isinstance(auth, dict) else None)
    if user is None or not user.active:
        raise ConnectionRefusedError("authentication required")
    session[_USER_KEY] = user.id
    rooms = authz.rooms_for(user)
    for room in rooms:
        join_room(room)
    after = (auth or {}).get("last_event_id") if isinstance(auth, dict) else None
    missed = events.Replay(events=[])
    if after is not None:
        try:
            # Beyond the largest event id there is nothing to replay (and the
            # database could not compare such a number).
            after_id = min(max(0, int(after)), MAX_EVENT_ID)
        except (TypeError, ValueError, OverflowError):
            after_id = 0
        missed = events.replay_page(session=db.session, rooms=rooms, after_id=after_id)
        for payload in missed.events:
            emit(events.SOCKET_EVENT, payload)
    emit(
        "welcome",
        {
            "user": {"id": user.id, "role": user.role, "name": user.display_name},
            "rooms": rooms,
            "replayed": len(missed.events),
            "truncated": missed.truncated,
            "next_after": missed.next_after,
            "last_event_id": events.last_id(session=db.session),
        },
    )
    # Counted once accepted (a refused one has no disconnect to count it out).
    metrics.socket_opened()  # coordinator.monitor counts it out on disconnect
    return None


def _on_sync(data: dict[str, Any] | None):
    """The client asks for every event of its rooms after an id (after the
    server said `resync`); they come back in order, in the answer, with
    `truncated` and `next_after` as in the welcome."""
    user = socket_user()
    if user is None:
        disconnect()
        return {"ok": False, "error": "authentication required"}
    try:
        after_id = max(0, int((data or {}).get("after") or 0))
    except (TypeError, ValueError, AttributeError):
        return {"ok": False, "error": "Give 'after' as an event id."}
    missed = events.replay_page(session=db.session, rooms=authz.rooms_for(user), after_id=after_id)
    return {
        "ok": True,
        "events": missed.events,
        "truncated": missed.truncated,
        "next_after": missed.next_after,
        "last_event_id": events.last_id(session=db.session),
    }


def _newest_event_id(app: Flask) -> int:
    with app.app_context():
        try:
            return events.last_id(session=db.session)
        finally:
            db.session.remove()


def _event_id(message: Any) -> int | None:
    """The event id of a message-queue `emit` of an event, else None (the
    queue carries an emit's arguments as a list: one payload here)."""
    if not isinstance(message, dict) or message.get("event") != events.SOCKET_EVENT:
        return None
    data = message.get("data")
    payload = data[0] if isinstance(data, list) and len(data) == 1 else data
    event_id = payload.get("id") if isinstance(payload, dict) else None
    return event_id if isinstance(event_id, int) else None


class InOrder:
    """Relays numbered events in id order. Every process publishes its
    events right after its own commit, so two that commit in id order may
    reach Redis the other way round (a process paused between commit and
    publish). An event that comes before an earlier one is held until the
    earlier one arrives, for at most `hold` seconds (an id may never come:
    its transaction rolled back, or its publisher died); then the held ones
    go on in order, and `gave_up` is told where the gap began, so screens
    replay it from the database. An event older than one already relayed
    goes on at once."""

    def __init__(
        self,
        deliver: Callable[[Any], None],
        later: Callable[[Callable[[], None]], None],
        hold: float,
        gave_up: Callable[[int], None] | None = None,
    ):
        self.deliver, self.later, self.hold = deliver, later, hold
        # Told the id after which events were given up on (the screens then
        # ask for them: a late one would be dropped as older than what they have).
        self.gave_up = gave_up
        self.expected: int | None = None
        self.held: dict[int, Any] = {}
        self.since = 0.0  # when the wait for `expected` began
        self.waiting = False
        self.lock = threading.Lock()

    def start(self, after: int | None) -> None:
        """From a fresh subscription: the next event is `after + 1` (None: any)."""
        with self.lock:
            for event_id in sorted(self.held):
                self.deliver(self.held.pop(event_id))
            self.expected = None if after is None else after + 1

    def add(self, event_id: int, message: Any) -> None:
        with self.lock:
            if self.expected is None or event_id == self.expected:
                self._send(event_id, message)
            elif event_id < self.expected:
                self.deliver(message)  # late: its place was given up on (or a repeat)
            else:
                if not self.held:
                    self.since = time.monotonic()
                self.held[event_id] = message
                if not self.waiting:
                    self.waiting = True
                    self.later(self._expire)

    def _send(self, event_id: int, message: Any) -> None:
        self.deliver(message)
        self.expected = event_id + 1
        while self.expected in self.held:
            self.deliver(self.held.pop(self.expected))
            self.expected += 1
        self.since = time.monotonic()  # a wait for the next gap, if any, begins

    def _expire(self) -> None:
        # One timer at a time, for whichever gap is awaited now.
        while True:
            skipped = None
            with self.lock:
                if not self.held:
                    self.waiting = False
                    return
                left = self.since + self.hold - time.monotonic()
                if left <= 0:
                    skipped = self.expected
                    first = min(self.held)
                    self._send(first, self.held.pop(first))
            if skipped is None:
                time.sleep(left)
            elif self.gave_up is not None:
                self.gave_up(skipped - 1)


class ResumingRedisManager(python_socketio.RedisManager):
    """The Redis message queue, resubscribing every second when the link drops
    (not with a back-off of up to a minute), and, once back, telling this
    process's clients to `resync` from the last event it relayed: what was
    published while the link was down never reached them."""

    RETRY_SECONDS = 1.0
    HOLD_SECONDS = 1.0  # how long a later event waits for an earlier one (InOrder)
    # How long a connecting socket waits for this process's first subscription
    # (`until_subscribed`): a few milliseconds normally; past this (Redis
    # away) it goes on, and the resync on subscribing covers what it missed.
    SUBSCRIBE_WAIT = 1.0

    def __init__(
        self,
        *args: Any,
        newest: Callable[[], int] | None = None,
        busy: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.newest = newest
        self.busy = busy  # told of every message relayed (coordinator.common.collector)
        self.last_relayed = 0
        self.order = InOrder(self._relay, self._later, self.HOLD_SECONDS, gave_up=self._resync_after)
        self.subscribed = threading.Event()  # set at the first subscription, never cleared
        self.answered_early = False  # a socket gave up waiting for the first subscription
        self.first_lock = threading.Lock()

    def until_subscribed(self) -> None:
        """Returns once this process receives the queue (or after SUBSCRIBE_WAIT).
        python-socketio subscribes when the first socket connects; a socket
        answered before that misses whatever is published in between, and a
        client that asks for nothing to replay never learns it did."""
        if not self.subscribed.wait(self.SUBSCRIBE_WAIT):
            with self.first_lock:
                if not self.subscribed.is_set():  # else it came meanwhile: answered after it
                    self.answered_early = True

    def _first_subscription(self) -> bool:
        """Marks the first subscription; whether a socket was answered before it."""
        with self.first_lock:
            self.subscribed.set()
            return self.answered_early

    def _relay(self, message: dict[str, Any]) -> None:
        super()._handle_emit(message)

    def _later(self, fn: Callable[[], None]) -> None:
        self.server.start_background_task(fn)

    def _resync_after(self, event_id: int) -> None:
        # Local clients only: the gap is this process's view of the stream.
        Manager.emit(self, "resync", {"after": event_id}, namespace="/")

    def _handle_emit(self, message: dict[str, Any]) -> None:
        # Our own emits come here directly, the other processes' from Redis.
        # Only live events (sent to their rooms) are ordered; a replay to one
        # connecting socket goes at once.
        if self.busy is not None:
            self.busy()
        event_id = _event_id(message)
        if event_id is None or not isinstance(message.get("room"), list):
            super()._handle_emit(message)
        else:
            self.order.add(event_id, message)

    def _redis_listen_with_retries(self):  # pragma: no cover  (exercised through a live server)
        # The first subscription counts as a recovery too if a socket was
        # answered before it (it gave up waiting) and so may have missed an
        # event. Read the newest event first, so the resync covers that gap
        # and no more (a resync from 0 would send a screen its whole history).
        first = True
        known = None
        if self.newest is not None:
            try:
                self.last_relayed = known = self.newest()
            except SQLAlchemyError as exc:
                self._get_logger().error(f"Cannot read the newest event id ({exc})")
        self.order.start(known)
        while True:
            try:
                self._redis_connect()
                # The confirmation is the moment this process receives the
                # queue (python-socketio's pubsub would drop it).
                self.pubsub.ignore_subscribe_messages = False
                self.pubsub.subscribe(self.channel)
                for message in self.pubsub.listen():
                    # One channel, so each confirmation is a (re)subscription,
                    # ours or one redis-py made when it reconnected by itself.
                    if message.get("type") == "subscribe":
                        # The first time, sockets waited for this (`until_subscribed`):
                        # a resync would reach those still waiting before their
                        # welcome, and a new page would ask for its whole history.
                        # Only if one gave up waiting may it have missed anything.
                        if not first:
                            # What was missed comes by resync; live ones go on in order from here.
                            self.order.start(None)
                        if not first or self._first_subscription():
                            # Local clients only: every process sends its own.
                            self._resync_after(self.last_relayed)
                        first = False
                    yield message
            except (RedisError, OSError) as exc:
                self._get_logger().error(f"Cannot receive from redis ({exc}); retrying in {self.RETRY_SECONDS} s")
                time.sleep(self.RETRY_SECONDS)

    def _listen(self):  # pragma: no cover
        for data in super()._listen():
            self._note(data)
            yield data

    def _note(self, data: Any) -> None:
        try:
            message = json.loads(data) if isinstance(data, bytes | str) else data
            event_id = _event_id(message)
        except (ValueError, AttributeError):
            return
        if event_id is not None:
            self.last_relayed = max(self.last_relayed, event_id)


def _on_join(data: dict[str, Any] | None):
    user = socket_user()
    room = (data or {}).get("room") if isinstance(data, dict) else None
    if user is None:
        disconnect()
        return {"ok": False, "error": "authentication required"}
    if not isinstance(room, str) or not authz.may_join(user, room):
        return {"ok": False, "error": f"You may not join room {room!r}."}
    join_room(room)
    return {"ok": True, "room": room}


def _on_leave(data: dict[str, Any] | None):
    room = (data or {}).get("room") if isinstance(data, dict) else None
    if isinstance(room, str):
        leave_room(room)
    return {"ok": True}


class Uncompressed:
    """WSGI: hides a WebSocket client's offer of permessage-deflate from the
    Socket.IO server, so it sends plain frames. Every browser makes the
    offer, and the server accepts it: then each event is compressed once
    per socket, with a zlib context of about 190 KB per socket. At 2,000
    screens that was 2.5 times the CPU of each delivery (80 us instead of
    32) and 380 MB more memory, for events of a few hundred bytes."""

    def __init__(self, app: Callable, path: str) -> None:
        self.app, self.path = app, "/" + path.strip("/") + "/"

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        if environ.get("PATH_INFO", "").startswith(self.path):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.app(environ, start_response)


def green_task(fn: Callable[[], None]) -> None:
    """Runs `fn` in a greenlet of its own (the gevent worker's hub)."""
    import gevent  # only a gevent worker asks; the threaded processes never import it

    gevent.spawn(fn)


def server_async_mode() -> str:
    """Gevent's mode when gunicorn's gevent worker has patched this process, threads otherwise."""
    return "gevent" if green.patched() else "threading"


def init_app(app: Flask) -> None:
    async_mode = app.config["SOCKETIO_ASYNC_MODE"] or server_async_mode()
    # A gevent process holds thousands of sockets: its full garbage
    # collections wait for a pause between events (coordinator/common/collector.py).
    quiet = collector.install(green_task) if green.patched() else None
    socketio.init_app(
        app,
        async_mode=async_mode,
        client_manager=ResumingRedisManager(
            app.config["REDIS_URL"],
            channel=app.config["SOCKETIO_CHANNEL"],
            newest=lambda: _newest_event_id(app),
            busy=quiet.busy if quiet is not None else None,
        ),
        cors_allowed_origins=list(app.config["SOCKETIO_CORS_ORIGINS"] or []) or None,
    )
    app.wsgi_app = Uncompressed(app.wsgi_app, "socket.io")  # Flask-SocketIO's path, the one nginx routes
    socketio.on_event("connect", _on_connect)
    socketio.on_event("join", _on_join)
    socketio.on_event("sync", _on_sync)
    socketio.on_event("leave", _on_leave)
