"""Field benchmarks.

1. Live offer latency: 200 team phones connected over Socket.IO; HQ creates
   tasks through the API; from sending the POST to the `task.offered` event
   arriving at the chosen team's client (p50, p99).
2. Batch assignment: 300 tasks against 200 teams at real settlements; total
   distance of the optimal assignment against nearest-first greedy, and the
   time to solve.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time

import numpy as np
import requests
import socketio
from scipy.optimize import linear_sum_assignment

from bench.system import ROOT, DemoSystem
from coordinator.field.dispatch import greedy_total
from coordinator.geo import gazetteer
from coordinator.geo.distance import haversine_matrix

SETUP = """
import json, random, sys
from coordinator import create_app
from coordinator.extensions import db
from coordinator.auth import service as auth
from coordinator.field.models import Team
from coordinator.headquarters.models import Headquarters
app = create_app()
rng = random.Random(5)
with app.app_context():
    for team in db.session.query(Team): team.on_duty = False  # only the benchmark's phones take work
    hq = db.session.query(Headquarters).filter(Headquarters.region_id.isnot(None)).first()
    tokens = {}
    for i in range(int(sys.argv[1])):
        team = Team(name=f"Bench team {i}", home_hq_id=hq.id, region_id=hq.region_id, can_inspect=True,
                    on_duty=True, last_lat=43.2 + rng.uniform(-0.2, 0.2), last_lon=76.9 + rng.uniform(-0.3, 0.3))
        db.session.add(team); db.session.flush()
        user = auth.create_user(session=db.session, username=f"bench{i}", password="x" * 12, role="field",
                                team_id=team.id)
        tokens[team.id] = auth.issue_token(session=db.session, user=user, name="bench")
    db.session.commit()
print(json.dumps(tokens))
"""


def offer_latency(system: DemoSystem, *, teams: int, tasks: int, interval: float) -> dict:
    tokens = json.loads(
        subprocess.run(
            [sys.executable, "-c", SETUP, str(teams)],
            cwd=ROOT,
            env=system.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    arrived: dict[int, float] = {}
    lock = threading.Lock()
    clients = []
    for team_id, token in tokens.items():
        sio = socketio.Client(reconnection=False)

        def on_event(ev, team_id=int(team_id)):
            if ev["type"] == "task.offered" and ev["after"].get("team_id") == team_id:
                with lock:
                    arrived.setdefault(ev["subject_id"], time.perf_counter())

        sio.on("event", on_event)
        sio.connect(system.url, auth={"token": token}, transports=["websocket"], wait_timeout=20)
        clients.append(sio)
    hq = {"Authorization": f"Bearer {system.token('hq')}"}
    sent: dict[int, float] = {}
    rng = random.Random(9)
    for n in range(tasks):
        start = time.perf_counter()
        resp = requests.post(
            system.url + "/api/v1/tasks",
            headers=hq,
            timeout=30,
            json={
                "kind": "inspection",
                "title": f"Inspection {n}",
                "lat": 43.2 + rng.uniform(-0.2, 0.2),
                "lon": 76.9 + rng.uniform(-0.3, 0.3),
            },
        )
        sent[resp.json()["id"]] = start
        time.sleep(interval)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(t in arrived for t in sent):
        time.sleep(0.1)
    for sio in clients:
        sio.disconnect()
    samples = sorted((arrived[t] - s) * 1000 for t, s in sent.items() if t in arrived)
    return {
        "connected_teams": len(clients),
        "tasks": tasks,
        "offers_received": len(samples),
        "p50_ms": round(statistics.median(samples), 1),
        "p99_ms": round(samples[min(len(samples) - 1, int(0.99 * (len(samples) - 1)))], 1),
    }


def batch_assignment(*, tasks: int, teams: int, seed: int = 3) -> dict:
    rng = random.Random(seed)
    places = [s for s in gazetteer.settlements() if s.population > 5000]
    task_pts = [rng.choice(places) for _ in range(tasks)]
    team_pts = [rng.choice(places) for _ in range(teams)]
    jitter = lambda: rng.uniform(-0.05, 0.05)  # noqa: E731
    km = haversine_matrix(
        np.array([p.lat + jitter() for p in task_pts]),
        np.array([p.lon + jitter() for p in task_pts]),
        np.array([p.lat + jitter() for p in team_pts]),
        np.array([p.lon + jitter() for p in team_pts]),
    )
    # Each team may take two tasks, so both methods serve all 300 and compare like with like.
    slots = np.hstack([km, km])
    start = time.perf_counter()
    rows, cols = linear_sum_assignment(slots)
    solve_ms = (time.perf_counter() - start) * 1000
    optimal = float(slots[rows, cols].sum())
    greedy = greedy_total(slots, slots)
    return {
        "tasks": tasks,
        "teams": teams,
        "team_capacity": 2,
        "assigned": len(rows),
        "optimal_km": round(optimal, 1),
        "greedy_km": round(greedy, 1),
        "saving_pct": round(100 * (greedy - optimal) / greedy, 1),
        "solve_ms": round(solve_ms, 1),
    }


def run() -> dict:
    result = {"batch_assignment": batch_assignment(tasks=300, teams=200)}
    with DemoSystem() as system:
        result["offer_latency"] = offer_latency(
            system,
            teams=int(os.environ.get("BENCH_TEAMS", "200")),
            tasks=int(os.environ.get("BENCH_TASKS", "60")),
            interval=0.5,
        )
    return result
