"""The realtime worker keeps Python's cyclic collector out of the way of
live delivery: at 2,000 sockets a full collection paused every delivery for
150-400 ms (bench/fanout.py: one event in fifty reached every screen 250 ms
late). Its worker starts with the loaded app frozen out of the collector's
sight and greenlets that do not record the stack that spawned them
(config/gunicorn.py), and its full collections wait for a pause between
events (coordinator/common/collector.py)."""

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coordinator.common.collector import DUE_AFTER, QuietCollector

ROOT = Path(__file__).resolve().parents[2]

# The worker's start as gunicorn runs it: the config read, then the hook
# that runs in the worker once the app is loaded (the gazetteer it loads is
# real; the app itself is not needed for what is checked here).
PROBE = """
import gc, json, os, runpy
config = runpy.run_path("config/gunicorn.py")
config["post_worker_init"](None)
import gevent
print(json.dumps({"frozen": gc.get_freeze_count(), "track_greenlet_tree": gevent.config.track_greenlet_tree}))
"""


def _worker_start(role: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "BIRLIK_WEB_ROLE": role, "BIRLIK_BIND": "127.0.0.1:0"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("role", ["realtime", "api", "all"])
def test_a_worker_freezes_what_it_loaded_out_of_every_full_collection(role):
    assert _worker_start(role)["frozen"] > 10_000  # modules, the app's tables, the gazetteer


def test_realtime_greenlets_do_not_record_their_spawning_stack():
    assert _worker_start("realtime")["track_greenlet_tree"] is False


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _middle_collections(quiet: QuietCollector, n: int) -> None:
    for _ in range(n):
        quiet.counted("start", {"generation": 1})
        quiet.counted("stop", {"generation": 1, "collected": 0, "uncollectable": 0})


def test_full_collection_waits_for_a_pause_between_events():
    clock, runs = Clock(), []
    quiet = QuietCollector(quiet=1.0, now=clock, collect=lambda: runs.append(clock.t))
    _middle_collections(quiet, DUE_AFTER)
    # Events every 200 ms: due, but never run while they flow.
    for _ in range(50):
        quiet.busy()
        clock.t += 0.2
        assert not quiet.step()
    assert runs == []
    clock.t += 0.8  # a second since the last event
    assert quiet.step()
    assert runs == [clock.t]
    assert not quiet.step()  # and not again until Python would consider one
    clock.t += 10
    assert not quiet.step()


def test_no_full_collection_before_python_would_consider_one():
    clock, runs = Clock(), []
    quiet = QuietCollector(quiet=1.0, now=clock, collect=lambda: runs.append(clock.t))
    _middle_collections(quiet, DUE_AFTER - 1)
    clock.t += 60
    assert not quiet.step()
    _middle_collections(quiet, 1)
    assert quiet.step()


def test_a_real_full_collection_resets_the_count():
    quiet = QuietCollector(quiet=0.0)
    _middle_collections(quiet, DUE_AFTER)
    gc.callbacks.append(quiet.counted)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(quiet.counted)
    assert quiet.since_full == 0 and not quiet.due()
