"""Single-request latency against a bare-stack floor, at BENCH_RATE (20)
requests/s: `python -m bench.floor`.

Birlik: POST /api/v1/placements on the demo system (nginx, api, realtime, one
worker), timed until `placement.assigned` reaches an HQ socket
(`bench.dispatch.latency`). The floor does only what that path cannot do
without: a web process (gunicorn, one gevent worker, no nginx) inserts a row
into SQLite and queues an RQ job; an RQ worker updates the row and emits
through the same kind of Redis message queue; the socket hears it
(`bench/floor_app.py`). Both run side by side and take turns, FLOOR_PAIRS
(5) rounds of FLOOR_SECONDS (15) each; the figure is the median of the
rounds' ratios (Birlik over floor) for p50 and p99."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from flask_socketio import SocketIO
from redis import Redis

from bench.dispatch import latency, timed_round_trips
from bench.system import ROOT, DemoSystem, free_port
from coordinator.embedded_redis import PrivateRedis

_EMITTER: SocketIO | None = None


def assign(request_id: int) -> None:
    """The floor's job: the decision's write, then its event to every socket."""
    global _EMITTER
    with sqlite3.connect(os.environ["FLOOR_DB"], timeout=30) as con:
        con.execute("UPDATE requests SET status = 'assigned' WHERE id = ?", (request_id,))
    if _EMITTER is None:
        _EMITTER = SocketIO(message_queue=os.environ["FLOOR_REDIS"])
    _EMITTER.emit("event", {"type": "assigned", "subject_id": request_id})


class Floor:
    """The bare stack's web process and worker, on a private Redis and a fresh SQLite file."""

    def __enter__(self) -> Floor:
        self.dir = Path(tempfile.mkdtemp(prefix="birlik-floor-"))
        self.redis = PrivateRedis(self.dir)
        db = self.dir / "floor.db"
        with sqlite3.connect(db) as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("CREATE TABLE requests (id INTEGER PRIMARY KEY, status TEXT NOT NULL)")
        env = {**os.environ, "FLOOR_DB": str(db), "FLOOR_REDIS": self.redis.start()}
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        gunicorn = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}"]
        rq = str(Path(sys.executable).parent / "rq")
        worker = [rq, "worker", "floor", "-w", "rq.SimpleWorker", "--url", env["FLOOR_REDIS"]]
        self.procs = [
            subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for cmd in (gunicorn + ["bench.floor_app:app"], worker)
        ]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                workers = Redis.from_url(env["FLOOR_REDIS"]).scard("rq:workers")
                if requests.get(self.url + "/socket.io/?EIO=4&transport=polling", timeout=1).ok and workers:
                    return self
            except (requests.RequestException, OSError):
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the floor's processes did not start")

    def __exit__(self, *_exc) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.redis.stop()

    def latency(self, *, rate: float, seconds: float) -> dict:
        return timed_round_trips(
            self.url,
            "/requests",
            dict,
            headers={},
            auth=None,
            decided=lambda ev: ev["type"] == "assigned",
            rate=rate,
            seconds=seconds,
        )


def run() -> dict:
    rate = float(os.environ.get("BENCH_RATE", "20"))
    seconds = float(os.environ.get("FLOOR_SECONDS", "15"))
    pairs = int(os.environ.get("FLOOR_PAIRS", "5"))
    rounds = []
    with DemoSystem() as system, Floor() as floor:
        for _ in range(pairs):
            ours = latency(system, rate=rate, seconds=seconds)
            bare = floor.latency(rate=rate, seconds=seconds)
            rounds.append({"birlik": ours, "floor": bare})
    return {
        "rate_per_s": rate,
        "p50_ratio_median": round(statistics.median(r["birlik"]["p50_ms"] / r["floor"]["p50_ms"] for r in rounds), 2),
        "p99_ratio_median": round(statistics.median(r["birlik"]["p99_ms"] / r["floor"]["p99_ms"] for r in rounds), 2),
        "rounds": rounds,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
