"""Gunicorn settings. Flask-SocketIO's threading mode runs one worker process
with many threads; scale out with more processes behind a sticky proxy."""

import os

bind = os.environ.get("BIRLIK_BIND", "127.0.0.1:5000")
workers = 1
# In threading mode each open WebSocket holds a thread for its lifetime, so the
# thread count is the number of screens one process can serve at once.
threads = int(os.environ.get("BIRLIK_WEB_THREADS", "1000"))
worker_class = "gthread"
timeout = 120
accesslog = "-"
errorlog = "-"
# Several servers may run side by side (tests, several web processes): give
# each its own control socket rather than one shared under $HOME.
control_socket = os.environ.get("BIRLIK_GUNICORN_CONTROL", f"/tmp/birlik-gunicorn-{bind.replace(':', '-')}.ctl")


def post_worker_init(worker):
    """Load the gazetteer before the first request rather than during it."""
    from coordinator.geo import gazetteer

    gazetteer.settlements()


# Operations (coordinator/ops/gunicorn_hooks.py): JSON logs, the metrics
# directory rid of dead processes at start, a dead worker's live gauges dropped.
from coordinator.ops.gunicorn_hooks import LOGCONFIG as logconfig_dict  # noqa: E402, F401
from coordinator.ops.gunicorn_hooks import child_exit, on_starting  # noqa: E402, F401
