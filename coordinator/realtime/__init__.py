"""Socket.IO: authenticated connections, scoped rooms and missed-event replay.

A client connects with the session cookie or `auth={"token": ...}`. It may
send `auth={"last_event_id": N}` to receive, before anything else, every event
after N that concerns its rooms, in order, up to `events.REPLAY_LIMIT`. The
`welcome` that ends the replay says whether it was cut short (`truncated`,
and `next_after`, the last replayed id): the client then refreshes what it
shows rather than trust a partial catch-up.

Live events reach a socket in id order, whichever process published them
(`message_queue.InOrder`): a client keeps the newest id it has seen and replays after it,
so an event delivered after a newer one would be skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request, session
from flask_login import current_user
from flask_socketio import disconnect, emit, join_room, leave_room

from coordinator import authz
from coordinator.api.ids import MAX_EVENT_ID
from coordinator.auth import service as auth_service
from coordinator.auth.models import User
from coordinator.common import collector, green
from coordinator.events import service as events
from coordinator.extensions import db, socketio
from coordinator.ops import metrics
from coordinator.realtime.message_queue import ResumingRedisManager

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
