"""API reads under an open-loop load: `python -m bench.api_reads`.

Requests leave on a fixed schedule (request i at i / rate seconds), whatever
the server's answers, and each latency is counted from the request's
scheduled time, so a server that falls behind shows its queue in the
figures instead of slowing the client down (no coordinated omission).

1. `GET /api/v1/facilities` and `GET /api/v1/map/panels`, each alone, at
   50, 100, 200 and 400 requests/s (BENCH_READS_RATES) for BENCH_READS_SECONDS
   (10) each: achieved rate (2xx per second), p50/p99/max, errors; 503s
   (back-pressure) and timeouts are counted apart from other errors.
2. The same two reads at BENCH_READS_PROBE_RATE (10/s each) during a surge
   of placement requests POSTed at BENCH_READS_SURGE_RATE (50/s), as
   bench/dispatch.py sends them: the reads' and the POSTs' p50/p99.

BENCH_READS_FACILITIES and BENCH_READS_PANELS change the URLs (for example
`/api/v1/facilities?limit=150` for every demo facility on one page).
One asyncio client (aiohttp) sends everything; it shares the machine with
the server, so figures on a busy machine are pessimistic."""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time

import aiohttp

from bench.system import DemoSystem

TIMEOUT = 10.0
ORIGINS = ["Almaty", "Astana", "Shymkent", "Karaganda", "Aktobe", "Taraz", "Pavlodar", "Oskemen"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class Tally:
    """Answers of one load step."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.ok = self.unavailable = self.timeouts = self.errors = 0
        self.last_done = 0.0

    def summary(self, *, began: float, sent: int) -> dict:
        elapsed = max(self.last_done - began, 1e-9)
        lat = self.latencies
        return {
            "sent": sent,
            "ok": self.ok,
            "achieved_per_s": round(self.ok / elapsed, 1),
            "p50_ms": round(statistics.median(lat), 1) if lat else None,
            "p99_ms": round(_percentile(lat, 0.99), 1) if lat else None,
            "max_ms": round(max(lat), 1) if lat else None,
            "http_503": self.unavailable,
            "timeouts": self.timeouts,
            "other_errors": self.errors,
        }


async def _one(http: aiohttp.ClientSession, method: str, url: str, due: float, tally: Tally, **kw) -> None:
    delay = due - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
    try:
        async with http.request(method, url, timeout=aiohttp.ClientTimeout(total=TIMEOUT), **kw) as resp:
            await resp.read()
            status = resp.status
    except TimeoutError:
        tally.timeouts += 1
        return
    except aiohttp.ClientError:
        tally.errors += 1
        return
    finished = time.perf_counter()
    tally.last_done = max(tally.last_done, finished)
    if 200 <= status < 300:
        tally.ok += 1
        tally.latencies.append((finished - due) * 1000)  # from the scheduled time, not the sending
    elif status == 503:
        tally.unavailable += 1
    else:
        tally.errors += 1


def _schedule(http, method, url, *, rate: float, seconds: float, began: float, tally: Tally, body=None) -> list:
    """Tasks for `rate * seconds` requests, request i due at began + i / rate."""
    rng = random.Random(1)
    tasks = []
    for i in range(int(rate * seconds)):
        kw = {}
        if body is not None:
            kw["json"] = body(rng)
        tasks.append(asyncio.ensure_future(_one(http, method, url, began + i / rate, tally, **kw)))
    return tasks


async def _step(system: DemoSystem, headers: dict, path: str, *, rate: float, seconds: float) -> dict:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(system.url, headers=headers, connector=connector) as http:
        tally, began = Tally(), time.perf_counter() + 0.2
        tasks = _schedule(http, "GET", path, rate=rate, seconds=seconds, began=began, tally=tally)
        await asyncio.gather(*tasks)
    return {"rate_per_s": rate, **tally.summary(began=began, sent=len(tasks))}


def _placement(rng: random.Random) -> dict:
    head_count = rng.choice([1, 1, 2, 3, 4])
    return {"head_count": head_count, "contact_phone": "+7 700 000 0000", "origin": rng.choice(ORIGINS)}


async def _surge(
    system: DemoSystem, headers: dict, paths: dict[str, str], *, rate: float, probe: float, seconds: float
) -> dict:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(system.url, headers=headers, connector=connector) as http:
        began = time.perf_counter() + 0.2
        posts = Tally()
        probes = {name: Tally() for name in paths}
        tasks = _schedule(
            http, "POST", "/api/v1/placements", rate=rate, seconds=seconds, began=began, tally=posts, body=_placement
        )
        for name, path in paths.items():
            tasks += _schedule(http, "GET", path, rate=probe, seconds=seconds, began=began, tally=probes[name])
        await asyncio.gather(*tasks)
    return {
        "surge_posts_per_s": rate,
        "posts": posts.summary(began=began, sent=int(rate * seconds)),
        **{name: t.summary(began=began, sent=int(probe * seconds)) for name, t in probes.items()},
    }


def _settle(system: DemoSystem, headers: dict, path: str) -> None:
    """Let the server drain what a step left: an overloaded step leaves work
    behind (requests its client gave up on), so wait until `path` answers
    within 200 ms three times in a row (at most 120 s)."""

    async def quick() -> bool:
        async with aiohttp.ClientSession(system.url, headers=headers) as http:
            began = time.perf_counter()
            try:
                async with http.get(path, timeout=aiohttp.ClientTimeout(total=5)) as resp:
                    await resp.read()
                    return resp.status == 200 and time.perf_counter() - began < 0.2
            except (TimeoutError, aiohttp.ClientError):
                return False

    deadline, streak = time.monotonic() + 120, 0
    while time.monotonic() < deadline and streak < 3:
        streak = streak + 1 if asyncio.run(quick()) else 0
        time.sleep(0.5)


def run() -> dict:
    rates = [float(r) for r in os.environ.get("BENCH_READS_RATES", "50,100,200,400").split(",") if r.strip()]
    seconds = float(os.environ.get("BENCH_READS_SECONDS", "10"))
    paths = {
        "facilities": os.environ.get("BENCH_READS_FACILITIES", "/api/v1/facilities"),
        "panels": os.environ.get("BENCH_READS_PANELS", "/api/v1/map/panels"),
    }
    out: dict = {"seconds_per_step": seconds, "paths": paths}
    with DemoSystem() as system:
        headers = {"Authorization": f"Bearer {system.token('hq')}"}
        for name, path in paths.items():
            out[name] = []
            for rate in rates:
                out[name].append(asyncio.run(_step(system, headers, path, rate=rate, seconds=seconds)))
                print(name, json.dumps(out[name][-1]), flush=True)
                _settle(system, headers, path)
        if os.environ.get("BENCH_READS_SURGE", "1") != "0":
            out["during_surge"] = asyncio.run(
                _surge(
                    system,
                    headers,
                    paths,
                    rate=float(os.environ.get("BENCH_READS_SURGE_RATE", "50")),
                    probe=float(os.environ.get("BENCH_READS_PROBE_RATE", "10")),
                    seconds=float(os.environ.get("BENCH_READS_SURGE_SECONDS", "20")),
                )
            )
            print("surge", json.dumps(out["during_surge"]), flush=True)
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
