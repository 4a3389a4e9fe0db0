"""Housing benchmarks.

1. End-to-end dispatch latency: from sending the POST that creates a
   placement request to the `placement.assigned` event reaching a Socket.IO
   client in the `hq` room; a steady RATE requests/s for SECONDS seconds.
2. Throughput: placements per second one worker sustains on a backlog.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio

from bench.system import ROOT, DemoSystem
from coordinator.embedded_redis import PrivateRedis

ORIGINS = [
    "Almaty",
    "Astana",
    "Shymkent",
    "Karagandy",
    "Aktobe",
    "Taraz",
    "Pavlodar",
    "Semey",
    "Oral",
    "Kostanay",
    "Kyzylorda",
    "Atyrau",
    "Aktau",
    "Petropavl",
    "Turkistan",
    "Kokshetau",
    "Taldykorgan",
    "Ekibastuz",
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latency(system: DemoSystem, *, rate: float, seconds: float) -> dict:
    """POST a placement request, until `placement.assigned` (or waiting) reaches an HQ socket."""
    token = system.token()
    rng = random.Random(1)

    def body() -> dict:
        head_count, origin = rng.choice([1, 1, 2, 3, 4]), rng.choice(ORIGINS)
        return {"head_count": head_count, "contact_phone": "+7 700 000 0000", "origin": origin}

    return timed_round_trips(
        system.url,
        "/api/v1/placements",
        body,
        headers={"Authorization": f"Bearer {token}"},
        auth={"token": token},
        decided=lambda ev: ev["type"] in ("placement.assigned", "placement.waiting"),
        rate=rate,
        seconds=seconds,
    )


def timed_round_trips(
    url: str,
    path: str,
    body: Callable[[], dict],
    *,
    headers: dict,
    auth: dict | None,
    decided: Callable[[dict], bool],
    rate: float,
    seconds: float,
) -> dict:
    """POSTs at a steady rate; each one's time from sending it until an
    `event` for its id (`subject_id`) that `decided` accepts reaches a socket."""
    sent: dict[int, float] = {}
    done: dict[int, float] = {}
    lock = threading.Lock()
    sio = socketio.Client(reconnection=False)

    @sio.on("event")
    def _event(ev):
        if decided(ev):
            with lock:
                done.setdefault(ev["subject_id"], time.perf_counter())

    sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)
    http = requests.Session()
    errors = 0

    def post(_i: int) -> None:
        nonlocal errors
        start = time.perf_counter()
        resp = http.post(url + path, json=body(), headers=headers, timeout=30)
        if resp.status_code != 201:
            errors += 1
            return
        with lock:
            sent[resp.json()["id"]] = start

    total = int(rate * seconds)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for i in range(total):
            # A steady rate: request i leaves at i / rate seconds.
            delay = began + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(post, i)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with lock:
            if all(pid in done for pid in sent):
                break
        time.sleep(0.1)
    sio.disconnect()
    samples = [(done[pid] - start) * 1000 for pid, start in sent.items() if pid in done]
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "requests": total,
        "answered": len(samples),
        "http_errors": errors,
        "p50_ms": round(statistics.median(samples), 1),
        "p99_ms": round(_percentile(samples, 0.99), 1),
        "max_ms": round(max(samples), 1),
    }


BACKLOG = """
import sys, time
from coordinator import create_app
from coordinator.extensions import db
from coordinator.housing import placement
app = create_app()
n = int(sys.argv[1])
with app.app_context():
    from coordinator.auth.models import User
    admin = db.session.query(User).filter_by(username="admin").one()
    origins = sys.argv[2].split(",")
    for i in range(n):
        p = placement.create(session=db.session, user=admin, data={"head_count": 1 + i % 3,
                             "contact_phone": "+7 700", "origin": origins[i % len(origins)]})
        db.session.commit()  # the request's dispatch job is queued on commit
"""


def throughput(*, backlog: int) -> dict:
    """Queue a backlog of requests on the demo data, then time one worker draining it."""
    var = Path(tempfile.mkdtemp(prefix="birlik-bench-")) / "var"
    redis = PrivateRedis(var)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIRLIK_")}
    env.update(
        BIRLIK_VAR_DIR=str(var),
        BIRLIK_DATABASE_URL=f"sqlite:///{var / 'birlik.db'}",
        BIRLIK_REDIS_URL=redis.start(),
        BIRLIK_SECRET_KEY="bench",
    )
    try:
        flask = [sys.executable, "-m", "flask", "--app", "coordinator"]
        for step in (["db-upgrade"], ["seed-demo"]):
            subprocess.run(flask + step, cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", BACKLOG, str(backlog), ",".join(ORIGINS)], cwd=ROOT, env=env, check=True)
        start = time.perf_counter()
        subprocess.run(flask + ["worker", "--burst"], cwd=ROOT, env=env, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
    finally:
        redis.stop()
    return {"backlog": backlog, "seconds": round(elapsed, 2), "placements_per_s": round(backlog / elapsed, 1)}


def run() -> dict:
    rate = float(os.environ.get("BENCH_RATE", "20"))
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    backlog = int(os.environ.get("BENCH_BACKLOG", "600"))
    with DemoSystem() as system:
        result = {"dispatch_latency": latency(system, rate=rate, seconds=seconds)}
    result["dispatch_throughput"] = throughput(backlog=backlog)
    return result
