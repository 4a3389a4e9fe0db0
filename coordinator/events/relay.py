"""Events in commit order, and their publication.

Clients replay "every event after N" on reconnect, so what they see as an
event's id must grow in the order events become visible: an event that
became visible after a client's cursor passed must get a larger number.
Database ids do not (a transaction that inserted early may commit late).

So an event's number is its `seq`, given after its transaction commits.
On PostgreSQL, `number_and_publish` runs in its own short transaction after
every commit that wrote events, on a numbering thread of the process
(`submit`), and in the worker's sweep, for a process that died in between.
Under an advisory lock that only these numbering steps take (a few
milliseconds, never the writers), it numbers every committed event still
without one, oldest id first, after the largest number so far. Numbering
steps are one at a time and each sees everything committed before it, so
numbers become visible in order with no gaps: a reader that has seen
number N has seen every number below it.
They are published in the same order, before the lock is released, so a
live client never receives a number below one it already has.

The thread numbers whatever has been committed when it wakes, so under load
one numbering commit covers many writes (and other processes' events too).
A worker does not wait for it: the step costs a second durable commit, and
done in line it halved what one worker could write. A web request waits for
it, so that its answer comes with its events in place, but only so long
(`EVENT_NUMBER_WAIT`): at a surge's start six processes each stepped, a
step's holder that lost its core held everyone, and POSTs waited 135 ms for
their numbers (p50 of the first second). A client loses nothing by an answer
that comes first: the events come live once numbered, and in a replay from
any cursor below their numbers.

On SQLite one transaction writes at a time, so ids already follow commit
order: `seq` equals `id`, set in the writing transaction itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import iso_utc
from coordinator.common.handover import Handover
from coordinator.events.models import Event
from coordinator.extensions import socketio
from coordinator.ops import metrics

log = logging.getLogger("birlik.events")
SOCKET_EVENT = "event"
LOCK_WAIT = "2s"  # the longest a numbering step waits for the lock
LOCK_KEY = 7243001  # the advisory lock of the numbering step (and only of it)
STEP_WAIT = 5.0  # longer than a step takes, lock wait included

# One statement: the largest number so far, then every committed event
# without a number, oldest id first, numbered after it.
_NUMBER = text(
    """
    WITH top AS (SELECT coalesce(max(seq), 0) AS n FROM events),
         todo AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM events WHERE seq IS NULL)
    UPDATE events SET seq = top.n + todo.k FROM top, todo WHERE events.id = todo.id
    RETURNING events.id, events.seq
    """
)


def to_payload(ev: Event, rooms: Iterable[str], actor: str | None = None) -> dict[str, Any]:
    """The JSON form of an event, as clients receive it live and on replay:
    its `id` is its place in commit order (`seq`). `actor` is the acting
    user's display name, so a page can say who changed what."""
    return {
        "id": ev.seq,
        "type": ev.type,
        "actor_id": ev.actor_id,
        "actor": actor,
        "subject_type": ev.subject_type,
        "subject_id": ev.subject_id,
        "before": ev.before,
        "after": ev.after,
        "at": iso_utc(ev.created_at),
        "rooms": sorted(rooms),
    }


# An event for no room (a sign-in token issued) still goes through the queue,
# so every relay sees its number in order, but to a room no page joins: an
# empty `to` means "everyone" to Socket.IO, which sent it to every screen
# and, bypassing the relay's order, held the next events for a second.
UNROUTED = "events:unrouted"


def publish(payloads: list[dict[str, Any]]) -> None:
    """Send committed, numbered events to their rooms through the message queue."""
    if socketio.server is None:
        return
    # Many (a batch's placements) go in pipelines, where the message queue
    # can (coordinator.realtime.message_queue): one round trip to Redis each
    # held a batch's worker, and on PostgreSQL the numbering lock, for seconds.
    together = getattr(socketio.server.manager, "together", None)
    with together() if together is not None and len(payloads) > 1 else nullcontext():
        for payload in payloads:
            socketio.emit(SOCKET_EVENT, payload, to=payload["rooms"] or [UNROUTED])
            metrics.event_emitted(payload["type"])
            log.info(
                "event %s #%s emitted", payload["type"], payload["id"], extra={"fields": {"event_id": payload["id"]}}
            )


def _payloads(session: Session, numbered: list[tuple[int, int]], own: Mapping[int, dict]) -> list[dict[str, Any]]:
    """The payloads of the events just numbered, in number order: this
    process's own from memory, the rest (another process's, or a dead one's)
    read back with their request id."""
    others = [event_id for event_id, _ in numbered if event_id not in own]
    read: dict[int, dict[str, Any]] = {}
    if others:
        rows = session.execute(
            select(Event, User.display_name).outerjoin(User, User.id == Event.actor_id).where(Event.id.in_(others))
        ).all()
        for ev, actor in rows:
            read[ev.id] = to_payload(ev, [r.room for r in ev.rooms], actor)
            if ev.request_id:
                read[ev.id]["request_id"] = ev.request_id
    out = []
    for event_id, seq in sorted(numbered, key=lambda pair: pair[1]):
        payload = own.get(event_id) or read.get(event_id)
        if payload is not None:
            out.append({**payload, "id": seq})
    return out


def number_and_publish(
    engine: Engine, *, own: Mapping[int, dict] | None = None, publish: Callable[[list[dict]], None] = publish
) -> int:
    """PostgreSQL: number every committed event that has no `seq` yet and
    publish them in that order (see the module docstring); `own` maps this
    process's just-committed event ids to their payloads. Returns how many
    were numbered. Raises SQLAlchemyError when the database is away (the
    events then wait for the next numbering, or the worker's sweep)."""
    with engine.connect() as conn:
        # A holder stuck publishing (Redis hung, not down) must not stall
        # every writer's answer: past this wait the events are numbered by
        # the next step or the worker's sweep (the error is SQLAlchemy's).
        conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        conn.commit()
        try:
            with Session(bind=conn) as session, session.begin():
                numbered = [(int(i), int(s)) for i, s in session.execute(_NUMBER).all()]
                payloads = _payloads(session, numbered, own or {})
            # Committed, and still under the lock: the next numbering step's
            # events are published after these.
            publish(payloads)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            conn.commit()
    return len(numbered)


def sweep(engine: Engine) -> int:
    """Number and publish events whose process died between their commit
    and their numbering (run by every worker's upkeep loop); returns how many."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as conn:
        waiting = conn.scalar(select(Event.id).where(Event.seq.is_(None)).limit(1))
    if waiting is None:
        return 0
    return number_and_publish(engine)


def _number(pending: dict[Engine, list[tuple[int, dict]]]) -> None:
    for engine, own in pending.items():
        try:
            # Numbers every committed event still without one: `own` were
            # committed before they were handed over, so this round numbers
            # them unless another process's step already did.
            number_and_publish(engine, own=dict(own))
        except (SQLAlchemyError, RedisError) as exc:
            log.warning("events committed but not yet numbered (%s); the sweep will", exc)


# This process's numbering thread, and the engines whose writers do not wait for it.
_NUMBERING = Handover("birlik-numbering", _number)
_NOT_WAITING: set[Engine] = set()


def number_in_background(engine: Engine) -> bool:
    """From now on, writers on `engine` in this process hand their events to
    the numbering thread and do not wait for it (PostgreSQL only; a worker:
    its next job need not wait for the last one's numbering)."""
    if engine.dialect.name != "postgresql":
        return False
    _NOT_WAITING.add(engine)
    return True


def submit(engine: Engine, own: Mapping[int, dict], *, wait: float) -> bool:
    """Hand a transaction's committed events to the numbering thread, and
    wait up to `wait` seconds for them to be numbered (not at all where
    `number_in_background`). True if the thread's round that took them has
    ended: numbered and published, or failed and logged (the sweep numbers
    them). On False they are numbered after the caller goes on."""
    ticket = _NUMBERING.put(engine, own.items())
    if engine in _NOT_WAITING or wait <= 0:
        return False
    return _NUMBERING.wait(ticket, timeout=wait)


def stop_background() -> None:
    """Number what was handed over, here and now (a worker stopping)."""
    _NOT_WAITING.clear()
    _NUMBERING.flush(wait=10)
