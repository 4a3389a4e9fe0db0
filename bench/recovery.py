"""Recovery benchmarks: how soon the system is whole again after a fault.

1. Redis outage: placement requests are posted at a steady rate while the
   private Redis is stopped; the share answered 2xx, and from Redis back to
   each request assigned or waiting (the time of its event in the log).
2. Live screen, through the same outage: a Socket.IO client that follows the
   resync protocol of static/js/app.js stays connected; from Redis back to it
   holding every event GET /api/v1/events lists once the requests are placed,
   and whether any is missing, twice, or out of order.
3. Killed worker: a worker is SIGKILLed while it runs a dispatch job (the
   benchmark holds the request's row, so the job waits mid-dispatch); from the
   kill to the request assigned or waiting, with a second worker running, and
   with the only worker restarted.

1 and 2 run on the system as `make demo` runs it, with a private Redis the
benchmark owns. 3 cannot: the demo's supervisor (honcho) stops everything when
one process dies. It runs the same parts (migrate, seed the demo data, gunicorn
with config/gunicorn.py, `flask worker`, SQLite, private Redis) without the
supervisor, with workers the benchmark starts and kills.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import engineio
import redis
import requests
import socketio
from rq import Worker
from rq.registry import StartedJobRegistry

from bench.dispatch import ORIGINS
from bench.system import ROOT, DemoSystem, free_port
from coordinator.embedded_redis import PrivateRedis

DECIDED = ("placement.assigned", "placement.waiting")
FLASK = [sys.executable, "-m", "flask", "--app", "coordinator"]
PASSWORD = "birlik-demo"


def _until(check, timeout: float, pause: float = 0.25) -> bool:
    """Poll `check` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
    return True


def _token(url: str) -> dict[str, str]:
    resp = requests.post(url + "/api/v1/auth/tokens", json={"username": "admin", "password": PASSWORD}, timeout=30)
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def _events(url: str, headers: dict[str, str], after: int) -> list[dict]:
    """The event log after `after`, oldest first (at most 100 pages)."""
    out: list[dict] = []
    for _ in range(100):
        resp = requests.get(url + "/api/v1/events", params={"after": after, "limit": 5000}, headers=headers, timeout=30)
        resp.raise_for_status()
        page = resp.json()["events"]
        out += page
        if len(page) < 5000:
            break
        after = page[-1]["id"]
    return out


def _last_event(url: str, headers: dict[str, str]) -> int:
    resp = requests.get(url + "/api/v1/events", params={"limit": 1}, headers=headers, timeout=30)
    resp.raise_for_status()
    return resp.json()["last_event_id"]


def _at(ev: dict) -> float:
    return datetime.fromisoformat(ev["at"].removesuffix("Z")).replace(tzinfo=UTC).timestamp()


def _decided(url: str, headers: dict[str, str], after: int, ids: set[int], timeout: float) -> dict[int, float]:
    """Wait (at most `timeout` s) until each request of `ids` is assigned or
    waiting; the time of each one's first such event."""
    done: dict[int, float] = {}

    def check() -> bool:
        nonlocal after
        for ev in _events(url, headers, after):
            after = max(after, ev["id"])  # on SQLite, ids come in commit order
            if ev["type"] in DECIDED and ev["subject_id"] in ids:
                done.setdefault(ev["subject_id"], _at(ev))
        return len(done) == len(ids)

    _until(check, timeout, pause=0.5)
    return done


class _InOrder(engineio.Client):
    """Handles each message before it reads the next, as a page does (the
    stock client gives each one a thread of its own, so they may overtake)."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class _Client(socketio.Client):
    def _engineio_client_class(self):
        return _InOrder


class Screen:
    """A Socket.IO client that handles events as static/js/app.js does: live
    ones as they come; on `resync`, it asks for every event after the last it
    holds and keeps live ones back until the answer is in."""

    def __init__(self, url: str, token: str) -> None:
        self.lock = threading.Lock()
        self.got: list[int] = []  # in the order handled
        self.when: dict[int, float] = {}
        self.last = -1
        self.syncing = False
        self.held: list[dict] = []
        self.batches: list[list[int]] = []
        self.replayed: set[int] = set()  # events that came only in a replay
        self.dropped = threading.Event()
        welcome = threading.Event()
        self.sio = _Client(reconnection=False)

        def on_welcome(data: dict) -> None:
            with self.lock:
                self.last = max(self.last, data["last_event_id"])
            welcome.set()

        self.sio.on("welcome", on_welcome)
        self.sio.on("event", self._event)
        self.sio.on("resync", self._resync)
        self.sio.on("disconnect", lambda *_: self.dropped.set())
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        if not welcome.wait(10):
            self.sio.disconnect()
            raise RuntimeError("no welcome from the server")

    def _deliver(self, ev: dict) -> None:
        self.got.append(ev["id"])
        self.when.setdefault(ev["id"], time.time())
        self.last = max(self.last, ev["id"])

    def _event(self, ev: dict) -> None:
        with self.lock:
            if self.syncing:
                self.held.append(ev)
            else:
                self._deliver(ev)

    def _resync(self, data: dict) -> None:
        with self.lock:
            if self.syncing:
                return
            self.syncing = True
            after = min(self.last, int((data or {}).get("after", self.last)))
        self.sio.start_background_task(self._sync, after)  # the answer comes through this thread

    def _sync(self, after: int) -> None:
        replay: list[dict] = []
        try:
            answer = self.sio.call("sync", {"after": after}, timeout=15)
            replay = answer["events"] if answer and answer.get("ok") else []
        except socketio.exceptions.SocketIOError:
            pass  # a page would reconnect; here what it lacks shows as missing
        finally:
            with self.lock:
                self.batches.append([ev["id"] for ev in replay])
                for ev in replay:
                    if ev["id"] not in self.when:
                        self.replayed.add(ev["id"])
                        self._deliver(ev)
                for ev in sorted(self.held, key=lambda e: e["id"]):
                    if ev["id"] not in self.when:
                        self._deliver(ev)
                self.held.clear()
                self.syncing = False

    def holds(self, ids: list[int]) -> bool:
        with self.lock:
            return all(i in self.when for i in ids)


def outage(system: DemoSystem, *, seconds: float, rate: float) -> dict:
    """Placements posted while Redis is stopped, a screen connected throughout."""
    headers = _token(system.url)
    rng = random.Random(2)
    lock = threading.Lock()
    codes: list[int] = []
    ids: set[int] = set()
    took: list[float] = []

    def post() -> None:
        body = {"head_count": rng.choice([1, 2, 3]), "contact_phone": "+7 700 000 0000", "origin": rng.choice(ORIGINS)}
        start = time.perf_counter()
        try:
            resp = requests.post(system.url + "/api/v1/placements", json=body, headers=headers, timeout=30)
            code = resp.status_code
        except requests.RequestException:
            code = 0
        with lock:
            codes.append(code)
            took.append(time.perf_counter() - start)
            if 200 <= code < 300:
                ids.add(resp.json()["id"])

    total = max(1, int(rate * seconds))
    screen = Screen(system.url, headers["Authorization"].removeprefix("Bearer "))
    try:
        first = screen.last
        system.stop_redis()
        try:
            down = time.monotonic()
            with ThreadPoolExecutor(max_workers=8) as pool:
                for i in range(total):
                    time.sleep(max(0.0, down + i / rate - time.monotonic()))  # a steady rate
                    pool.submit(post)
            posting = time.monotonic() - down
            time.sleep(max(0.0, down + seconds - time.monotonic()))
            outage_s = time.monotonic() - down
        finally:
            system.start_redis()
        back = time.time()
        decided = _decided(system.url, headers, first, ids, timeout=120)
        _until(lambda: screen.batches, 15)  # the server's `resync` and its answer
        log = [ev["id"] for ev in _events(system.url, headers, first)]
        caught_up = _until(lambda: screen.holds(log), 30, pause=0.05)
        stayed = not screen.dropped.is_set()
    finally:
        screen.sio.disconnect()
    waits = [max(0.0, t - back) for t in decided.values()]
    with screen.lock:
        got = [i for i in screen.got if i > first]  # the events of this run
        older = len(screen.got) - len(got)
        every = max((screen.when[i] for i in log), default=back) if caught_up else None
    return {
        "redis_outage": {
            "outage_s": round(outage_s, 1),
            "posts": total,
            "posts_per_s": round(total / posting, 1),
            "answered_2xx_pct": round(100 * sum(200 <= c < 300 for c in codes) / total, 1),
            "post_max_ms": round(1000 * max(took), 1),
            "decided": len(decided),
            "not_decided_in_120_s": len(ids) - len(decided),
            "back_to_last_decided_s": round(max(waits), 2) if waits else None,
            "back_to_decided_median_s": round(statistics.median(waits), 2) if waits else None,
        },
        "live_screen": {
            "events": len(log),
            "back_to_every_event_s": round(max(0.0, every - back), 2) if every is not None else None,
            "stayed_connected": stayed,
            "resyncs": len(screen.batches),
            "came_only_by_resync": len(screen.replayed & set(log)),
            "older_events_replayed": older,
            "missing": len(set(log) - set(got)),
            "duplicates": len(got) - len(set(got)),
            "out_of_order": sum(b < a for a, b in zip(got, got[1:], strict=False)),
        },
    }


class Parts:
    """What `make demo` runs, started one by one so workers can be killed and
    started: migrate, seed the demo data, gunicorn; workers on demand."""

    def __enter__(self) -> Parts:
        self.dir = Path(tempfile.mkdtemp(prefix="birlik-bench-"))
        var = self.dir / "var"
        self.db = var / "birlik.db"
        self.redis_server = PrivateRedis(var)
        self.procs: list[subprocess.Popen] = []
        self.url = f"http://127.0.0.1:{free_port()}"
        try:
            self.env = {k: v for k, v in os.environ.items() if not k.startswith("BIRLIK_")}
            self.env.update(
                PYTHONUNBUFFERED="1",
                BIRLIK_VAR_DIR=str(var),
                BIRLIK_DATABASE_URL=f"sqlite:///{self.db}",
                BIRLIK_REDIS_URL=self.redis_server.start(),
                BIRLIK_SECRET_KEY="bench",
            )
            self.redis = redis.Redis.from_url(self.env["BIRLIK_REDIS_URL"])
            for step in (["db-upgrade"], ["seed-demo", "--password", PASSWORD]):
                subprocess.run(FLASK + step, cwd=ROOT, env=self.env, check=True, capture_output=True)
            gunicorn = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "coordinator:create_app()"]
            self._spawn("web", gunicorn, BIRLIK_BIND=self.url.removeprefix("http://"))
            if not _until(self._answers, 120, pause=0.5):
                raise RuntimeError(f"the web server did not start; see {self.dir}")
        except BaseException:
            self.__exit__()
            raise
        return self

    def _answers(self) -> bool:
        try:
            return requests.get(self.url + "/healthz", timeout=5).status_code in (200, 503)
        except requests.RequestException:
            return False

    def _spawn(self, name: str, cmd: list[str], **env: str) -> subprocess.Popen:
        with open(self.dir / f"{name}-{len(self.procs)}.log", "wb") as log:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.procs.append(proc)
        return proc

    def worker(self) -> subprocess.Popen:
        return self._spawn("worker", FLASK + ["worker"])

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_workers(self) -> None:
        for proc in self.procs[1:]:
            self.stop(proc)

    def __exit__(self, *exc) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)
        self.redis_server.stop()


def killed_worker(parts: Parts, *, restart: bool) -> dict:
    """Seconds from SIGKILL to the request assigned or waiting (None: not within
    90 s), and how long the job had run when killed: a dead worker's job is
    requeued once the heartbeat it had when it started runs out."""
    headers = _token(parts.url)
    first = _last_event(parts.url, headers)
    body = {"head_count": 2, "contact_phone": "+7 700 000 0000", "origin": "Almaty"}
    resp = requests.post(parts.url + "/api/v1/placements", json=body, headers=headers, timeout=30)
    resp.raise_for_status()
    placement_id = resp.json()["id"]
    # Hold the request's row (on SQLite, the write lock): the job waits for it, mid-dispatch.
    hold = sqlite3.connect(parts.db, timeout=30, isolation_level=None)
    try:
        hold.execute("BEGIN IMMEDIATE")
        hold.execute("UPDATE placement_requests SET priority = priority WHERE id = ?", (placement_id,))
        doomed = parts.worker()
        started = StartedJobRegistry("dispatch", connection=parts.redis)
        if not _until(lambda: started.count >= 1, 60):
            raise RuntimeError("the dispatch job did not start")
        running_since = time.time()
        if not restart:
            running = Worker.count(connection=parts.redis)
            parts.worker()
            if not _until(lambda: Worker.count(connection=parts.redis) > running, 60):
                raise RuntimeError("the second worker did not start")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
        killed = time.time()
    finally:
        hold.close()  # let go of the row (an open transaction rolls back)
    try:
        if restart:
            parts.worker()
        decided = _decided(parts.url, headers, first, {placement_id}, timeout=90)
    finally:
        parts.stop_workers()
    return {
        "job_running_before_kill_s": round(killed - running_since, 1),
        "kill_to_decided_s": round(decided[placement_id] - killed, 2) if placement_id in decided else None,
    }


def run() -> dict:
    seconds = float(os.environ.get("BENCH_OUTAGE_SECONDS", "20"))
    rate = float(os.environ.get("BENCH_OUTAGE_RATE", "10"))
    with DemoSystem(own_redis=True) as system:
        result = outage(system, seconds=seconds, rate=rate)
    with Parts() as parts:
        result["killed_worker"] = {
            "another_worker": killed_worker(parts, restart=False),
            "restarted_worker": killed_worker(parts, restart=True),
        }
    return result
