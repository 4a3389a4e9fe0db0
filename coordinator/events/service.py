"""The one module that writes events. Every state change calls `record` inside
its own transaction; after that transaction commits, the events are numbered
in commit order and published to the socket rooms they concern (see
`coordinator.events.relay`). Nothing is published for a rollback."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, scoped_session

from coordinator.auth.models import User
from coordinator.common.clock import iso_utc, now
from coordinator.events import relay
from coordinator.events.models import Event, EventRoom
from coordinator.events.relay import SOCKET_EVENT, publish, to_payload
from coordinator.ops import trace

__all__ = ["SOCKET_EVENT", "publish", "to_payload"]  # re-exported: the form and the sending of an event

log = logging.getLogger("birlik.events")
_PENDING = "birlik_pending_events"  # this transaction's events: {event id: payload}
_ENGINE = "birlik_events_engine"  # where they were written, for numbering them after commit
_SAVEPOINTS = "birlik_event_savepoints"  # {event id: the savepoint it was recorded in, or None}
_BULK = "birlik_events_in_bulk"  # within `in_bulk`: [(event, rooms, savepoint)] awaiting their one flush
# The most events one replay sends (on reconnect, or one HTTP page); a client
# that missed more is told so (`Replay.truncated`) and refreshes what it shows.
REPLAY_LIMIT = 5000


def jsonable(value: Any) -> Any:
    """Datetimes as ISO strings in UTC with the offset (dates as ISO dates),
    recursively, so a value can be stored or sent as JSON."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def rooms(
    *,
    regions: Iterable[int | None] = (),
    facilities: Iterable[int | None] = (),
    teams: Iterable[int | None] = (),
    warehouses: Iterable[int | None] = (),
    organizations: Iterable[int | None] = (),
    hotline: bool = False,
) -> list[str]:
    """The socket rooms an event concerns: national HQ always, and each
    region, facility, team, warehouse and organization named (None skipped)."""
    out = ["hq"] + (["hotline"] if hotline else [])
    for kind, ids in (
        ("region", regions),
        ("facility", facilities),
        ("team", teams),
        ("warehouse", warehouses),
        ("organization", organizations),
    ):
        out += [f"{kind}:{i}" for i in ids if i is not None]
    return sorted(set(out))


def record(
    *,
    session: Session,
    type: str,
    subject_type: str,
    subject_id: int | None,
    rooms: Iterable[str],
    actor_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Append an event in the caller's transaction; number and publish it after commit."""
    room_set = sorted(set(rooms))
    ev = Event(
        type=type,
        actor_id=actor_id,
        subject_type=subject_type,
        subject_id=subject_id,
        before=jsonable(before),
        after=jsonable(after),
        created_at=now(),
        request_id=trace.current(),
    )
    # The savepoint it was recorded in, if any: rolled back, it takes the event with it.
    own = session() if isinstance(session, scoped_session) else session
    savepoint = own.get_nested_transaction()
    if _BULK in session.info:
        session.info[_BULK].append((ev, room_set, savepoint))  # written with the bulk's one INSERT
        return ev
    ev.rooms = [EventRoom(room=r) for r in room_set]
    session.add(ev)
    session.flush()
    _pend(session, ev, room_set, savepoint)
    return ev


@contextmanager
def in_bulk(session: Session) -> Iterator[None]:
    """Events recorded within are written at the end, with one INSERT for the
    events and one for their rooms, not one ORM flush each: a batch that
    places 3,000 groups spent 2.6 s flushing them one by one, and then 1.2 s
    in the unit of work's one flush. Inside, `record` returns events that are
    not in the session and have no id yet."""
    if _BULK in session.info:
        yield  # already in one
        return
    session.info[_BULK] = []
    try:
        yield
        _write_bulk(session, session.info[_BULK])
    finally:
        session.info.pop(_BULK, None)


_COLUMNS = ("type", "actor_id", "subject_type", "subject_id", "before", "after", "created_at", "request_id")


def _write_bulk(session: Session, recorded: list[tuple[Event, list[str], Any]]) -> None:
    session.flush()  # what the events describe goes first, as in a flush of its own
    if not recorded:
        return
    rows = [{c: getattr(ev, c) for c in _COLUMNS} for ev, _, _ in recorded]
    table = Event.__table__
    ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    for (ev, _, _), event_id in zip(recorded, ids, strict=True):
        ev.id = event_id
    rooms = [{"event_id": ev.id, "room": room} for ev, room_set, _ in recorded for room in room_set]
    if rooms:
        session.execute(insert(EventRoom.__table__), rooms)
    if session.connection().engine.dialect.name != "postgresql":
        # One writer at a time: ids already follow commit order (`_pend`).
        # Only this transaction writes, so the range holds its events alone.
        span = table.c.id.between(min(ids), max(ids))
        session.execute(update(table).where(span, table.c.seq.is_(None)).values(seq=table.c.id))
    for ev, room_set, savepoint in recorded:
        _pend(session, ev, room_set, savepoint)


def _pend(session: Session, ev: Event, room_set: list[str], savepoint) -> None:
    """A flushed event, to be numbered and published once its transaction commits."""
    engine = session.connection().engine
    if engine.dialect.name != "postgresql":
        # One writer at a time: ids already follow commit order.
        ev.seq = ev.id
    actor = session.get(User, ev.actor_id) if ev.actor_id else None
    payload = to_payload(ev, room_set, actor.display_name if actor else None)
    if ev.request_id:
        payload["request_id"] = ev.request_id  # live only: follows a request through its jobs
    session.info.setdefault(_PENDING, {})[ev.id] = payload
    session.info.setdefault(_SAVEPOINTS, {})[ev.id] = savepoint
    session.info[_ENGINE] = engine


@dataclass(frozen=True)
class Replay:
    """Missed events, oldest first. `truncated`: there are more after them;
    continue from `next_after` (the last one's id), or refresh from scratch."""

    events: list[dict[str, Any]]
    truncated: bool = False
    next_after: int | None = None


def replay(*, session: Session, rooms: Iterable[str], after_id: int, limit: int = REPLAY_LIMIT) -> list[dict[str, Any]]:
    """Events after `after_id` that concern any of `rooms`, oldest first (at most `limit`)."""
    return replay_page(session=session, rooms=rooms, after_id=after_id, limit=limit).events


def replay_page(*, session: Session, rooms: Iterable[str], after_id: int, limit: int = REPLAY_LIMIT) -> Replay:
    """Like `replay`, saying whether events beyond `limit` were left out.
    Ids here are events' places in commit order (`seq`); an event committed
    but not yet numbered (for a few milliseconds) comes in a later replay."""
    room_list = list(rooms)
    if not room_list:
        return Replay(events=[])
    # Numbers follow ids closely but not exactly, so bound the rooms' scan by
    # the oldest id among the events numbered after the cursor.
    oldest = select(func.min(Event.id)).where(Event.seq > after_id).scalar_subquery()
    ids = (
        select(EventRoom.event_id)
        .where(EventRoom.room.in_(room_list), EventRoom.event_id >= oldest)
        .distinct()
        .scalar_subquery()
    )
    # One more than asked for tells, in the same query, whether more are left.
    rows = session.execute(
        select(Event, User.display_name)
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.id.in_(ids), Event.seq > after_id)
        .order_by(Event.seq)
        .limit(limit + 1)
    ).all()
    items = [to_payload(ev, [r.room for r in ev.rooms], actor) for ev, actor in rows[:limit]]
    if len(rows) <= limit:
        return Replay(events=items)
    return Replay(events=items, truncated=True, next_after=items[-1]["id"] if items else after_id)


def last_id(*, session: Session) -> int:
    """The newest event's id (its place in commit order), or 0."""
    return session.scalar(select(func.max(Event.seq))) or 0


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; publish only when the transaction commits
    pending = session.info.pop(_PENDING, None)
    session.info.pop(_SAVEPOINTS, None)
    engine: Engine | None = session.info.pop(_ENGINE, None)
    if not pending:
        return
    if engine is None or engine.dialect.name != "postgresql":
        publish(list(pending.values()))
        return
    # A worker goes on at once; a request waits a little (`relay` says why);
    # a command (seeding, a script) as long as a step may take: its process
    # may exit right after, and only a worker's sweep would number the rest.
    wait = current_app.config["EVENT_NUMBER_WAIT"] if has_request_context() else relay.STEP_WAIT
    relay.submit(engine, pending, wait=wait)


def _after_rollback(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)
        session.info.pop(_SAVEPOINTS, None)
        session.info.pop(_ENGINE, None)
        return
    # A savepoint rolled back (an import's bad row, one case of a bulk
    # action): its events never happened, so they are not published.
    pending = session.info.get(_PENDING, {})
    for event_id, savepoint in list(session.info.get(_SAVEPOINTS, {}).items()):
        if _within(savepoint, previous):
            pending.pop(event_id, None)
            session.info[_SAVEPOINTS].pop(event_id)


def _within(transaction, savepoint) -> bool:
    """Whether `transaction` is `savepoint` or nested inside it."""
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False


def sweep(*, engine: Engine) -> int:
    """Number and publish committed events left without a number (their
    process died right after committing); returns how many. For the worker."""
    return relay.sweep(engine)


def number_in_background(*, engine: Engine) -> None:
    """Writers on `engine` in this process do not wait for their events'
    numbers (a worker: its next job need not wait for the last one's)."""
    relay.number_in_background(engine)


def stop_numbering() -> None:
    """Number what is still waiting, here and now (a worker stopping)."""
    relay.stop_background()


def init_app(app) -> None:
    """Hook numbering and publishing into every session's commit (once per process)."""
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_rollback)
