"""Surge benchmark: person-km against the min-cost-flow lower bound computed
in the same run.

1. `offline`: the solver alone on SURGE_GROUPS groups (bench/surge_data.py):
   nearest first in arrival order (what single dispatch does), the batch
   plan, and the bound, at free beds 1.05x and 0.9x the people; and the
   batch plan on an instance captured from a live run (bench/surge_captured.py).
2. `live`: the demo system (nginx in front of 2 api processes and
   SURGE_WORKERS workers, SQLite): the demo's free beds are set to
   SURGE_RATIO x the people, the groups are POSTed over SURGE_SECONDS, and
   once every request is assigned or waiting the placements are read back
   and measured against the bound over the same groups and the beds as they
   were before the surge.
3. `scale_out` (SURGE_SCALE_OUT=1): the live run on a PostgreSQL cluster of
   its own, 2 api processes behind nginx and 4 workers.

    python -m bench.surge            # both, at the sizes below
    SURGE_SCALE_OUT=1 python -m bench.surge   # and the live run on PostgreSQL, 2 web + 4 workers
    SURGE_LIVE_GROUPS=600 SURGE_SECONDS=12 python -m bench.surge
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import requests
from sqlalchemy import Connection, create_engine

from bench import surge_captured, surge_data
from bench.pg_writes import Cluster, _admin
from bench.system import ROOT, DemoSystem
from coordinator.geo.distance import haversine_matrix
from coordinator.housing import batch
from coordinator.housing.bound import lower_bound


def _people(bodies: list[dict]) -> int:
    return sum(b["head_count"] for b in bodies)


def offline(n: int, ratio: float) -> dict:
    bodies = surge_data.groups(n)
    groups = [surge_data.as_group(i, b) for i, b in enumerate(bodies)]
    options = surge_data.as_options(surge_data.facilities(_people(bodies), ratio))
    bound = lower_bound(groups, options)
    greedy = surge_data.greedy(groups, options)
    plan = batch.place(groups, options)
    return {
        "groups": n,
        "people": _people(bodies),
        "free_beds": sum(o.free for o in options),
        "bound_person_km": round(bound.person_km),
        "bound_people_placed": bound.placed_people,
        "bound_seconds": round(bound.seconds, 2),
        "nearest_first_vs_bound": round(greedy.person_km(groups) / bound.person_km, 4),
        "nearest_first_groups_waiting": len(greedy.waiting),
        "batch_vs_bound": round(plan.person_km(groups) / bound.person_km, 4),
        "batch_groups_waiting": len(plan.waiting),
        "batch_seconds": round(plan.seconds, 2),
        "batch_solver": f"{plan.solver}: {plan.status}",
    }


@contextmanager
def _db(system: DemoSystem) -> Iterator[Connection]:
    """A connection to the system's database (SQLite or PostgreSQL) for plain SQL."""
    engine = create_engine(system.database_url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _set_free_beds(system: DemoSystem, headers: dict, people: int, ratio: float) -> list[batch.Option]:
    """Scale every open facility's free beds to `ratio` x people (through the API); return them as options."""
    with _db(system) as db:
        rows = db.exec_driver_sql(
            "SELECT b.facility_id, b.category, b.total, b.out_of_service, b.held, b.occupied"
            " FROM facility_beds b JOIN facilities f ON f.id = b.facility_id WHERE f.status = 'open'"
        ).fetchall()
        facilities = db.exec_driver_sql("SELECT id, lat, lon, has_medical_staff, accessible FROM facilities")
        places = {r[0]: r[1:] for r in facilities}
    free_now = sum(max(total - oos - held - occ, 0) for _, _, total, oos, held, occ in rows)
    scale = ratio * people / free_now
    rng = random.Random(7)
    options = []
    for fid, cat, total, oos, held, occ in rows:
        free = int(np.floor(max(total - oos - held - occ, 0) * scale + rng.random()))
        resp = requests.put(
            f"{system.url}/api/v1/facilities/{fid}/beds/{cat}",
            json={"total": free + oos + held + occ, "out_of_service": oos},
            headers=headers,
            timeout=30,
        )
        resp.raise_for_status()
        lat, lon, medical, accessible = places[fid]
        meets = frozenset([*(["medical"] if medical else []), *(["accessible"] if accessible else [])])
        if free > 0:
            options.append(batch.Option(fid, cat, free, lat, lon, meets))
    return options


def live(n: int, seconds: float, ratio: float, workers: int, *, postgresql: bool = False, web: int = 2) -> dict:
    """The surge against the demo system: SQLite, or (scale-out) a PostgreSQL
    cluster of its own with production's durability; `web` api processes
    behind nginx, `workers` workers."""
    if not postgresql:
        return _live(n, seconds, ratio, workers, {"BIRLIK_WEB_WORKERS": str(web)})
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="birlik-surge-pg-")))
    server = cluster.start()
    try:
        _admin(server, "CREATE DATABASE birlik")
        settings = {"BIRLIK_DATABASE_URL": f"{server}/birlik", "BIRLIK_WEB_WORKERS": str(web)}
        return _live(n, seconds, ratio, workers, settings) | {"database": "postgresql", "web_processes": web}
    finally:
        cluster.stop()


def _live(n: int, seconds: float, ratio: float, workers: int, settings: dict[str, str]) -> dict:
    bodies = surge_data.groups(n)
    with DemoSystem(settings=settings) as system:
        logs = [open(system.dir / f"worker-{n}.log", "wb") for n in range(workers - 1)]  # noqa: SIM115
        extra = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "coordinator", "worker"],
                cwd=ROOT,
                env=system.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        try:
            return _surge(system, bodies, seconds, ratio) | {"workers": workers}
        finally:
            for proc in extra:
                proc.kill()  # a benchmark's worker: nothing to finish
                proc.wait(timeout=30)
            for log in logs:
                log.close()


def _surge(system: DemoSystem, bodies: list[dict], seconds: float, ratio: float) -> dict:
    headers = {"Authorization": f"Bearer {system.token()}"}
    options = _set_free_beds(system, headers, _people(bodies), ratio)
    time.sleep(2)  # let the place-waiting jobs the bed changes queued run before the surge
    http = requests.Session()
    ids: dict[int, int] = {}
    latencies: list[float] = []
    refused: list[int] = []

    def post(i: int) -> None:
        start = time.perf_counter()
        resp = http.post(system.url + "/api/v1/placements", json=bodies[i], headers=headers, timeout=60)
        latencies.append(time.perf_counter() - start)
        if resp.status_code == 503:  # back-pressure: counted, and the group is left out of the run
            refused.append(i)
            return
        resp.raise_for_status()
        ids[resp.json()["id"]] = i

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for i in range(len(bodies)):
            delay = began + i * seconds / len(bodies) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(post, i)
    last_post = time.perf_counter()
    marks = ",".join(str(i) for i in ids)
    decided = 0
    while time.perf_counter() - last_post < 600:
        with _db(system) as db:
            decided = db.exec_driver_sql(
                f"SELECT count(*) FROM placement_requests WHERE id IN ({marks}) AND status IN ('assigned', 'waiting')"
            ).fetchone()[0]
        if decided == len(ids):
            break
        time.sleep(0.2)
    drained = time.perf_counter() - last_post
    with _db(system) as db:
        rows = db.exec_driver_sql(
            "SELECT p.id, p.status, p.head_count, p.origin_lat, p.origin_lon, f.lat, f.lon FROM placement_requests p"
            f" LEFT JOIN facilities f ON f.id = p.facility_id WHERE p.id IN ({marks})"
        ).fetchall()
        decisions = db.exec_driver_sql(f"SELECT decision FROM placement_requests WHERE id IN ({marks})").fetchall()
    placed = [r for r in rows if r[1] == "assigned"]
    km = sum(
        r[2] * haversine_matrix(np.array([r[3]]), np.array([r[4]]), np.array([r[5]]), np.array([r[6]]))[0, 0]
        for r in placed
    )
    decided_by = [d if isinstance(d, dict) else json.loads(d or "{}") for (d,) in decisions]  # JSON text on SQLite
    batches = _batches(system, {d["batch"]["id"] for d in decided_by if "batch" in d})
    groups = [surge_data.as_group(i, bodies[i]) for i in sorted(ids.values())]  # the ones posted
    bound = lower_bound(groups, options)
    return {
        "groups": len(bodies),
        "people": _people(bodies),
        "posted_in_s": seconds,
        "free_beds": sum(o.free for o in options),
        "seconds_after_last_post": round(drained, 1),
        "all_decided": decided == len(ids),
        "post_p50_ms": round(1000 * float(np.percentile(latencies, 50)), 1),
        "post_p99_ms": round(1000 * float(np.percentile(latencies, 99)), 1),
        "post_max_ms": round(1000 * max(latencies), 1),
        "posts_refused_503": len(refused),
        "groups_placed": len(placed),
        "people_placed": sum(r[2] for r in placed),
        "bound_people_placed": bound.placed_people,
        "person_km": round(km),
        "bound_person_km": round(bound.person_km),
        "vs_bound": round(km / bound.person_km, 4),
        # Where the time after the last POST went: each batch's solve and
        # apply (the apply includes publishing its events after the commit).
        "batches": batches,
    }


BATCH_FIELDS = ("ts", "batch", "groups", "solve_seconds", "apply_seconds", "solver_status")


def _batches(system: DemoSystem, expected: set[str]) -> list[dict]:
    """The batches that placed the surge (`expected`: their ids, from the
    decisions), from their log lines' fields. A batch logs after its commit
    and its events' publishing, so its line may come a moment after the
    decisions are read: it is waited for (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        found = {}
        for path in sorted(system.dir.glob("*.log")):
            for line in path.read_text(errors="replace").splitlines():
                if '"solve_seconds"' in line:
                    fields = json.loads(line[line.index("{") :])  # the `all` role prefixes each line with its process
                    found[fields["batch"]] = {key: fields[key] for key in BATCH_FIELDS}
        if expected <= set(found) or time.monotonic() > deadline:
            return sorted((found[b] for b in expected if b in found), key=lambda batch: batch["ts"])
        time.sleep(0.2)


def run() -> dict:
    n = int(os.environ.get("SURGE_GROUPS", "3000"))
    live_n = int(os.environ.get("SURGE_LIVE_GROUPS", str(n)))
    seconds = float(os.environ.get("SURGE_SECONDS", "60"))
    workers = int(os.environ.get("SURGE_WORKERS", "2"))
    ratio = float(os.environ.get("SURGE_RATIO", "1.05"))
    out = {"offline": {str(r): offline(n, r) for r in (1.05, 0.9)}, "captured": surge_captured.run()}
    if live_n:
        out["live"] = live(live_n, seconds, ratio, workers)
    if os.environ.get("SURGE_SCALE_OUT", "0") == "1":
        # The scale-out run: PostgreSQL, 2 web processes behind nginx, 4 workers.
        out["scale_out"] = live(live_n or n, seconds, ratio, 4, postgresql=True, web=2)
    return out


if __name__ == "__main__":
    result = run()
    Path(ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    print(json.dumps(result, indent=2))
