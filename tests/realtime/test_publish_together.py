"""Many emits published together (a batch's events): through Redis in one
pipeline once the block ends, in the order they were made, and only the
emitting thread's; another thread's emit meanwhile goes out at once."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
import redis

from coordinator import create_app
from coordinator.extensions import socketio

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

COUNT = 1203  # more than two of the manager's pipelines (500 each)


def test_emits_made_together_reach_the_queue_at_the_end_in_order(config, redis_url, wait_for):
    channel = f"birlik-test-{uuid.uuid4().hex}"
    create_app({**config, "SOCKETIO_CHANNEL": channel})
    manager = socketio.server.manager
    listener = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel)
    heard: list = []

    def drain() -> list:
        while (message := listener.get_message(timeout=0.01)) is not None:
            heard.append(json.loads(message["data"])["data"][0]["mark"])
        return heard

    # The subscription is in place once a plain emit comes through.
    assert wait_for(lambda: socketio.emit("ping", {"mark": "ready"}, to=["nobody"]) or "ready" in drain())
    heard.clear()

    def other_thread() -> None:
        socketio.emit("event", {"mark": "other"}, to=["nobody"])

    with manager.together():
        for i in range(COUNT):
            socketio.emit("event", {"mark": i}, to=["nobody"])
        with manager.together():  # nested: still the outer block's
            socketio.emit("event", {"mark": "nested"}, to=["nobody"])
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert wait_for(lambda: "other" in drain())
        assert drain() == ["other"]  # the block's are still held

    assert wait_for(lambda: len(drain()) == COUNT + 2)
    assert heard == ["other", *range(COUNT), "nested"]
    # Outside a block an emit goes at once, as before.
    socketio.emit("event", {"mark": "after"}, to=["nobody"])
    assert wait_for(lambda: drain()[-1] == "after")
    listener.close()
