"""A web process subscribes to the event queue when its first socket
connects (python-socketio starts the listener then). A socket answered
before that subscription would miss what is published in between: CI saw
an event recorded right after a first connect never reach its screen."""

import redis
import socketio

from coordinator.events import service as events
from coordinator.extensions import db


def test_the_first_socket_is_answered_once_its_process_receives_the_event_queue(app, make, socket_client, config):
    hq = make.account("hq")
    link = redis.Redis.from_url(config["REDIS_URL"])
    channel = app.config["SOCKETIO_CHANNEL"]
    assert link.pubsub_numsub(channel) == [(channel.encode(), 0)]  # a fresh process: nobody listens yet
    socket_client(hq.token)
    assert link.pubsub_numsub(channel) == [(channel.encode(), 1)]


def test_the_first_sockets_are_not_told_to_resync(app, make, live_server, wait_for):
    """They waited for the subscription, so they missed nothing. A resync sent
    then reached them before their welcome, and a new page, with no event
    seen yet, asked for its whole history."""
    hq = make.account("hq")
    sio = socketio.Client(reconnection=False)
    heard: list[str] = []
    for name in ("resync", "welcome", "event"):
        sio.on(name, lambda payload, name=name: heard.append(name))
    try:
        sio.connect(live_server.url, auth={"token": hq.token}, transports=["websocket"], wait_timeout=10)
        assert wait_for(lambda: "welcome" in heard)
        with app.app_context():
            events.record(session=db.session, type="bench.after", subject_type="x", subject_id=1, rooms=["hq"])
            db.session.commit()
        assert wait_for(lambda: "event" in heard)  # what came before it on this socket has come too
        assert heard == ["welcome", "event"]
    finally:
        sio.disconnect()
