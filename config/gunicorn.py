"""Gunicorn settings, by process role (`BIRLIK_WEB_ROLE`).

- `all` (default): one process serving pages, the API and Socket.IO, on
  gthread (`BIRLIK_WEB_THREADS`, default 1000: an open socket holds a thread),
  for a small site and the tests' live server.
- `realtime`: a gevent worker, for `/socket.io/` (nginx routes that path to
  it): an open WebSocket is a greenlet and a few kilobytes, not an OS thread,
  so thousands of screens cost little and never starve a request. One
  worker per process, so a long-polling client always reaches the process
  that holds its session; run more processes on more ports behind nginx's
  consistent hash to scale.
- `api`: pages and the API, no sockets. gthread workers: several processes
  (one per core) with a modest number of threads each; they publish events
  through the Redis message queue like every other process.
"""

import gc
import os
import resource

ROLES = ("all", "realtime", "api")
role = os.environ.get("BIRLIK_WEB_ROLE", "all")
if role not in ROLES:
    raise SystemExit(f"BIRLIK_WEB_ROLE={role!r}: use one of {', '.join(ROLES)}")

bind = os.environ.get("BIRLIK_BIND", "127.0.0.1:5000")
# No sockets on threads. The app works on at most BIRLIK_MAX_IN_FLIGHT (16)
# requests at once; the threads beyond that answer the rest 503 at once
# instead of leaving them in gunicorn's queue (coordinator/ops/pressure.py).
# Read by gthread workers only (the api role, or a worker class given on the
# command line); gevent ignores it.
threads = int(os.environ.get("BIRLIK_WEB_THREADS", "32"))
if role == "api":
    worker_class = "gthread"
    workers = int(os.environ.get("BIRLIK_WEB_WORKERS", "2"))
elif role == "all":
    # One process for everything, as a small site or a test runs it: an open
    # socket holds one of its threads, so its thread count is the number of
    # screens it can serve. Thousands of screens need the realtime role.
    worker_class = "gthread"
    workers = 1
    threads = int(os.environ.get("BIRLIK_WEB_THREADS", "1000"))
else:
    # gunicorn monkey-patches the worker before loading the app, so psycopg,
    # redis and Socket.IO (async mode "gevent") all cooperate with the hub.
    worker_class = "gevent"
    workers = 1
    worker_connections = int(os.environ.get("BIRLIK_WEB_CONNECTIONS", "10000"))
    # gevent records every greenlet's spawning stack (a dozen frame objects
    # each, three greenlets per socket) for debugging; at thousands of sockets
    # that is tens of thousands of objects for the collector to walk.
    os.environ.setdefault("GEVENT_TRACK_GREENLET_TREE", "false")
    # Every socket is a descriptor: lift the soft limit (often 1024) as far as
    # the hard one allows, for the worker this master forks.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = worker_connections + 1024 if hard == resource.RLIM_INFINITY else min(hard, worker_connections + 1024)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
timeout = 120
accesslog = "-"
errorlog = "-"
# gunicorn's control socket (gunicornc) only where asked for: nothing of
# Birlik uses it, and stopped servers left their socket files behind (a
# test suite's run left 130 in /tmp).
if os.environ.get("BIRLIK_GUNICORN_CONTROL"):
    control_socket = os.environ["BIRLIK_GUNICORN_CONTROL"]
else:
    control_socket_disable = True


def post_worker_init(worker):
    """Load the gazetteer before the first request rather than during it."""
    from coordinator.geo import gazetteer

    gazetteer.settlements()
    # What is loaded by now (modules, the app, the gazetteer) lives as long as
    # the process: move it out of the collector's sight, so a full collection
    # walks only what came after (sockets, requests). At 2,000 sockets a full
    # collection of the realtime worker paused every delivery for 250-380 ms.
    # (The realtime worker also moves its full collections to the pauses
    # between events: coordinator/common/collector.py.)
    gc.freeze()


# Operations (coordinator/ops/gunicorn_hooks.py): JSON logs, the metrics
# directory rid of dead processes at start, a dead worker's live gauges dropped.
from coordinator.ops.gunicorn_hooks import LOGCONFIG as logconfig_dict  # noqa: E402, F401
from coordinator.ops.gunicorn_hooks import child_exit, on_starting, worker_int  # noqa: E402, F401
