"""The Socket.IO message queue between Birlik's processes (Redis pub/sub):
live events relayed in id order (`InOrder`), the subscription resumed when
the link drops, and many emits published in one round trip (`together`)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import socketio as python_socketio
from redis.exceptions import RedisError
from socketio.manager import Manager
from sqlalchemy.exc import SQLAlchemyError

from coordinator.events import service as events

# Emits gathered by `together` are sent in pipelines of at most this many.
PIPELINE_MESSAGES = 500


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
        # Per thread (per greenlet under gevent): what `together` gathers.
        self.gathering = threading.local()

    @contextmanager
    def together(self) -> Iterator[None]:
        """Publishes the emits made inside in pipelines, in order, once the
        block ends: a batch's 3,000 events took 3,000 round trips to Redis
        (2.9 s of the batch's 6.8 s, profiled), which its worker and, on
        PostgreSQL, every other process's numbering waited out."""
        if getattr(self.gathering, "messages", None) is not None:
            yield  # nested: the outer block publishes
            return
        self.gathering.messages = []
        try:
            yield
        finally:
            messages, self.gathering.messages = self.gathering.messages, None
            self._publish_many(messages)

    def _publish(self, data: dict[str, Any]) -> None:
        messages = getattr(self.gathering, "messages", None)
        if messages is None:
            super()._publish(data)
        else:
            messages.append(data)

    def _publish_many(self, messages: list[dict[str, Any]]) -> None:
        """As python-socketio's `_publish` for each (reconnect, one retry,
        then log and give up: screens replay what they miss), one pipeline
        per PIPELINE_MESSAGES. A retry sends the whole pipeline again: a
        client may get an event twice, never out of order."""
        for start in range(0, len(messages), PIPELINE_MESSAGES):
            chunk = [self.json.dumps(m) for m in messages[start : start + PIPELINE_MESSAGES]]
            for retries_left in (1, 0):
                try:
                    if not self.connected:
                        self._redis_connect()
                    pipe = self.redis.pipeline(transaction=False)
                    for data in chunk:
                        pipe.publish(self.channel, data)
                    pipe.execute()
                    break
                except (RedisError, OSError) as exc:
                    self.connected = False
                    self._get_logger().error(
                        f"Cannot publish {len(chunk)} messages to redis ({exc})"
                        + ("; retrying" if retries_left else "; giving up")
                    )

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
