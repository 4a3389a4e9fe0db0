"""Live fan-out: HQ screens over websocket against the demo topology (nginx,
realtime and API processes; `bench.system.DemoSystem`).

For each crowd size (0 first, as the baseline), asyncio Socket.IO clients in
one or two helper processes (`tests/realtime/crowd.py`) connect as national
HQ; then 50 bed changes are made through the API 200 ms apart, on schedule,
while a probe reads `/healthz` and `GET /api/v1/facilities` every 250 ms.
Figures: delivery delay (from the event's record time to its arrival at a
client) p50/p99/max, lost events, the web processes' RSS and OS threads
while the clients are connected and after they leave, and the probe's
latencies.

BENCH_FANOUT_CLIENTS (default 0,500,1000,2000,3000), BENCH_FANOUT_CHANGES (50)
and BENCH_FANOUT_INTERVAL (0.2 s) change the runs; BENCH_FANOUT_CLIENT=socketio
uses python-socketio's AsyncClient instead of the lean Engine.IO client (it
costs about three times the server's CPU, which a 2-core machine shares). `python -m bench.fanout`.
"""

from __future__ import annotations

import os
import threading
import time

import requests

from bench.system import DemoSystem
from tests.realtime.crowd import Crowd

# The clients: lean Engine.IO ones (tests/realtime/crowd.py) unless BENCH_FANOUT_CLIENT=socketio.
LEAN = os.environ.get("BENCH_FANOUT_CLIENT", "lean") != "socketio"
ONE_HELPER_UP_TO = 1000  # clients; above it, two helper processes share them


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": _pct(values, 0.5), "p99_ms": _pct(values, 0.99), "max_ms": _pct(values, 1.0)}


def _items(body):
    """The facility list, whether the API answers a list or a page of one."""
    return body if isinstance(body, list) else body.get("items") or body.get("data") or []


class Probe(threading.Thread):
    """Reads /healthz and the facility list in turn, every 250 ms, until stopped."""

    def __init__(self, system: DemoSystem, token: str) -> None:
        super().__init__(daemon=True)
        self.system, self.auth = system, {"Authorization": f"Bearer {token}"}
        self.stopping = threading.Event()
        self.times: dict[str, list[float]] = {"healthz": [], "facilities": []}
        self.errors = 0

    def run(self) -> None:
        paths = {"healthz": "/healthz", "facilities": "/api/v1/facilities"}
        while not self.stopping.is_set():
            for name, path in paths.items():
                started = time.monotonic()
                try:
                    resp = requests.get(self.system.url + path, headers=self.auth, timeout=30)
                    self.errors += resp.status_code >= 500 and name != "healthz"
                except requests.RequestException:
                    self.errors += 1
                self.times[name].append((time.monotonic() - started) * 1000)
                self.stopping.wait(0.125)


def _changes(system: DemoSystem, token: str, facility: dict, *, count: int, interval: float) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    bed = facility["beds"][0]
    url = f"{system.url}/api/v1/facilities/{facility['id']}/beds/{bed['category']}"
    late, errors = [], 0
    start = time.monotonic()
    for i in range(count):
        wait = start + i * interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        # Alternate between two totals, so every call is a change (and an event).
        body = {"total": bed["total"] + 1 + i % 2, "out_of_service": bed.get("out_of_service", 0)}
        resp = requests.put(url, json=body, headers=auth, timeout=30)
        errors += resp.status_code != 200
        late.append((time.monotonic() - (start + i * interval)) * 1000)
    return {"sent": count, "errors": errors, "put": _summary(late)}


def _settled(system: DemoSystem, seconds: float = 10) -> dict:
    """The web processes' figures once their thread counts stop falling."""
    stats = system.web_stats()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(1)
        now = system.web_stats()
        if all(now[r]["threads"] >= stats[r]["threads"] for r in now if r in stats):
            return now
        stats = now
    return stats


def one_round(system: DemoSystem, clients: int, *, changes: int, interval: float) -> dict:
    hq, admin = system.token("hq"), system.token("admin")
    body = requests.get(system.url + "/api/v1/facilities", headers={"Authorization": f"Bearer {admin}"}, timeout=60)
    facility = next(f for f in _items(body.json()) if f.get("beds"))
    if clients == 0:
        helpers = []
    elif clients <= ONE_HELPER_UP_TO:
        helpers = [clients]
    else:
        helpers = [clients // 2, clients - clients // 2]
    started = time.monotonic()
    crowds = [Crowd(system.url, hq, n, lean=LEAN) for n in helpers]
    try:
        joined = [crowd.connected() for crowd in crowds]
        connected = sum(j["connected"] for j in joined)
        result = {
            "clients": clients,
            "connected": connected,
            "connect_failed": sum(j["failed"] for j in joined),
            "connect_errors": sorted({e for j in joined for e in j["errors"]})[:3],
            "connect_seconds": round(time.monotonic() - started, 1),
        }
        probe = Probe(system, admin)
        cpu_before = system.web_cpu()
        probe.start()
        result["changes"] = _changes(system, admin, facility, count=changes, interval=interval)
        result["web_while_connected"] = system.web_stats()
        heard = [crowd.wait(changes, timeout=30) for crowd in crowds]
        probe.stopping.set()
        probe.join()
        cpu_after = system.web_cpu()
        # Where the time went: CPU seconds of each web role over the changes and the
        # deliveries, and of the helpers holding the clients (they share the machine).
        result["cpu_seconds"] = {r: round(cpu_after[r] - cpu_before.get(r, 0), 1) for r in cpu_after}
        result["cpu_seconds"]["clients"] = round(sum(h["cpu_seconds"] for h in heard), 1)
        delays = [d for h in heard for ds in h["delays_ms"].values() for d in ds]
        result["delivery"] = {**_summary(delays), "lost": connected * changes - len(delays)}
        result["while_connected"] = {name: _summary(times) for name, times in probe.times.items()}
        result["while_connected"]["errors"] = probe.errors
    finally:
        for crowd in crowds:
            crowd.close()
    result["web_after"] = _settled(system)
    return result


def run() -> dict:
    sizes = [int(n) for n in os.environ.get("BENCH_FANOUT_CLIENTS", "0,500,1000,2000,3000").split(",") if n.strip()]
    changes = int(os.environ.get("BENCH_FANOUT_CHANGES", "50"))
    interval = float(os.environ.get("BENCH_FANOUT_INTERVAL", "0.2"))
    with DemoSystem() as system:
        result: dict = {"topology": sorted(system.web_processes()), "web_idle": system.web_stats(), "rounds": []}
        for clients in sizes:
            result["rounds"].append(one_round(system, clients, changes=changes, interval=interval))
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
