"""The one module that writes events. Every state change calls `record` inside
its own transaction; after that transaction commits, the events are published
to the socket rooms they concern. Nothing is published for a rollback."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import iso_utc, now
from coordinator.events.models import Event, EventRoom
from coordinator.extensions import socketio
from coordinator.ops import metrics, trace

log = logging.getLogger("birlik.events")
_PENDING = "birlik_pending_events"
SOCKET_EVENT = "event"
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


def to_payload(ev: Event, rooms: Iterable[str], actor: str | None = None) -> dict[str, Any]:
    """The JSON form of an event, as clients receive it live and on replay.
    `actor` is the acting user's display name, so a page can say who changed what."""
    return {
        "id": ev.id,
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
    """Append an event in the caller's transaction; publish it after commit."""
    room_set = sorted(set(rooms))
    if session.get_bind().dialect.name == "postgresql":
        # Serialise event inserts until commit so ids are handed out in commit
        # order; otherwise a reconnecting client could skip a late commit.
        session.execute(text("SELECT pg_advisory_xact_lock(7243001)"))
    ev = Event(
        type=type,
        actor_id=actor_id,
        subject_type=subject_type,
        subject_id=subject_id,
        before=jsonable(before),
        after=jsonable(after),
        created_at=now(),
    )
    ev.rooms = [EventRoom(room=r) for r in room_set]
    session.add(ev)
    session.flush()
    actor = session.get(User, actor_id) if actor_id else None
    payload = to_payload(ev, room_set, actor.display_name if actor else None)
    if trace.current():
        payload["request_id"] = trace.current()  # live only: follows a request through its jobs
    session.info.setdefault(_PENDING, []).append(payload)
    return ev


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
    """Like `replay`, saying whether events beyond `limit` were left out."""
    room_list = list(rooms)
    if not room_list:
        return Replay(events=[])
    ids = (
        select(EventRoom.event_id)
        .where(EventRoom.room.in_(room_list), EventRoom.event_id > after_id)
        .distinct()
        .scalar_subquery()
    )
    # One more than asked for tells, in the same query, whether more are left.
    rows = session.execute(
        select(Event, User.display_name)
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.id.in_(ids))
        .order_by(Event.id)
        .limit(limit + 1)
    ).all()
    items = [to_payload(ev, [r.room for r in ev.rooms], actor) for ev, actor in rows[:limit]]
    if len(rows) <= limit:
        return Replay(events=items)
    return Replay(events=items, truncated=True, next_after=items[-1]["id"] if items else after_id)


def last_id(*, session: Session) -> int:
    """The newest event id, or 0."""
    return session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0


def publish(payloads: list[dict[str, Any]]) -> None:
    """Send committed events to their rooms through the message queue."""
    if socketio.server is None:
        return
    for payload in payloads:
        socketio.emit(SOCKET_EVENT, payload, to=payload["rooms"])
        metrics.event_emitted(payload["type"])
        log.info("event %s #%s emitted", payload["type"], payload["id"], extra={"fields": {"event_id": payload["id"]}})


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; publish only when the transaction commits
    pending = session.info.pop(_PENDING, None)
    if pending:
        publish(pending)


def _after_rollback(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def init_app(app) -> None:
    """Hook publishing into every session's commit (once per process)."""
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_rollback)
