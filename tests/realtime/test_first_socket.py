"""A web process subscribes to the event queue when its first socket
connects (python-socketio starts the listener then). A socket answered
before that subscription would miss what is published in between: CI saw
an event recorded right after a first connect never reach its screen."""

import redis


def test_the_first_socket_is_answered_once_its_process_receives_the_event_queue(app, make, socket_client, config):
    hq = make.account("hq")
    link = redis.Redis.from_url(config["REDIS_URL"])
    channel = app.config["SOCKETIO_CHANNEL"]
    assert link.pubsub_numsub(channel) == [(channel.encode(), 0)]  # a fresh process: nobody listens yet
    socket_client(hq.token)
    assert link.pubsub_numsub(channel) == [(channel.encode(), 1)]
