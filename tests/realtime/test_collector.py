"""The realtime worker keeps Python's cyclic collector out of the way of
live delivery: at 2,000 sockets a full collection paused every delivery for
150-380 ms (bench/fanout.py: one event in fifty arrived 250 ms late to every
screen). Its worker starts with the loaded app frozen out of the collector's
sight, full collections rarer, and greenlets that do not record the stack
that spawned them (config/gunicorn.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The worker's start as gunicorn runs it: the config read, then the hook
# that runs in the worker once the app is loaded (the gazetteer it loads is
# real; the app itself is not needed for what is checked here).
PROBE = """
import gc, json, os, runpy
config = runpy.run_path("config/gunicorn.py")
config["post_worker_init"](None)
import gevent
print(json.dumps({
    "threshold": gc.get_threshold(),
    "frozen": gc.get_freeze_count(),
    "track_greenlet_tree": gevent.config.track_greenlet_tree,
}))
"""


def _worker_start(role: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "BIRLIK_WEB_ROLE": role, "BIRLIK_BIND": "127.0.0.1:0"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_realtime_worker_freezes_the_loaded_app_and_collects_fully_seldom():
    started = _worker_start("realtime")
    assert started["frozen"] > 10_000  # modules and the gazetteer, out of every full collection
    assert started["threshold"][2] >= 100  # Python's default, 10, ran one every few seconds
    assert started["track_greenlet_tree"] is False


@pytest.mark.parametrize("role", ["api", "all"])
def test_other_roles_freeze_the_loaded_app_but_keep_the_default_thresholds(role):
    started = _worker_start(role)
    assert started["frozen"] > 10_000
    assert started["threshold"] == [700, 10, 10]
