"""PostgreSQL write throughput: placements per second with 1, 2 and 4 RQ workers.

A private PostgreSQL cluster (durable: fsync and synchronous commit on, as in
production) and a private Redis. The demo data is seeded once into a template
database; each run copies it, queues a backlog of placement requests (each
committed on its own, its dispatch job queued on commit), then starts the
workers (`flask worker --burst`) together and times them draining it.

Two figures per run: `placements_per_s` from the decisions' own timestamps
(first to last `placement.assigned`/`placement.waiting` event: the workers'
start-up is left out) and `wall_per_s` (worker start to the last one's exit).
Each point runs PG_BENCH_REPEAT times; the median is reported.

PG_BENCH_BACKLOG (default 300; 0 skips the placements), PG_BENCH_WORKERS (default "1,2,4") and
PG_BENCH_REPEAT (default 3) set the load. Then, with the same counts of
processes, the bare write path: transactions that each record one event and
commit, for PG_BENCH_WRITE_SECONDS (default 8; PG_BENCH_EVENT_WRITES=0 skips it). Each request is dispatched by its
own job in its own transaction (batch dispatch off: the writes that contend);
PG_BENCH_BATCH=1 leaves batch dispatch on. Run alone: `python -m bench.pg_writes`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.dispatch import BACKLOG as _BACKLOG
from bench.dispatch import ORIGINS
from bench.system import ROOT, free_port
from coordinator.embedded_redis import PrivateRedis

# One writer: from a shared start time, for a fixed time, transactions that
# each record one event through the service and commit; prints how many.
# Numbered as in a worker (`number_in_background`), all numbered before it exits.
EVENT_WRITER = """
import sys, time
import coordinator.models
from coordinator import create_app
from coordinator.events import service
from coordinator.extensions import db
start, seconds = float(sys.argv[1]), float(sys.argv[2])
app = create_app()
with app.app_context():
    db.session.execute(db.text("SELECT 1")); db.session.commit()
    time.sleep(max(0.0, start - time.time()))
    n = 0
    service.number_in_background(engine=db.engine)
    while time.time() < start + seconds:
        service.record(session=db.session, type="bench.write", subject_type="bench", subject_id=n, rooms=["hq"])
        db.session.commit()
        n += 1
    service.stop_numbering()
    print(n)
"""
DECISIONS = "('placement.assigned', 'placement.waiting')"
# bench.dispatch's backlog, with every mapped class loaded before the first query.
BACKLOG = _BACKLOG.replace("import sys, time", "import sys, time\nimport coordinator.models")


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)))
    return str(found)


class Cluster:
    """A throwaway PostgreSQL cluster with production's durability settings."""

    def __init__(self, base: Path) -> None:
        self.base, self.data, self.port = base, base / "data", free_port()
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True)

    def start(self) -> str:
        self.base.mkdir(parents=True, exist_ok=True)
        if self.prefix:
            shutil.chown(self.base, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "birlik", "--auth=trust", "-E", "UTF8", "--locale=C")
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.base / "pg.log"), "-w", "start")
        return f"postgresql+psycopg://birlik@127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")


def _admin(server: str, sql: str) -> None:
    engine = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _decisions(url: str) -> tuple[int, float]:
    """How many requests were decided, and over how many seconds (first to last decision)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        n, first, last = conn.execute(
            text(f"SELECT count(*), min(created_at), max(created_at) FROM events WHERE type IN {DECISIONS}")
        ).one()
    engine.dispose()
    return n, (last - first).total_seconds() if n > 1 else 0.0


def one_run(server: str, env: dict[str, str], *, run: int, workers: int, backlog: int) -> dict:
    name = f"bench_{run}"
    _admin(server, f"CREATE DATABASE {name} TEMPLATE birlik_seeded")
    url = f"{server}/{name}"
    env = {**env, "BIRLIK_DATABASE_URL": url}
    try:
        subprocess.run(
            [sys.executable, "-c", BACKLOG, str(backlog), ",".join(ORIGINS)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        flask = [sys.executable, "-m", "flask", "--app", "coordinator", "worker", "--burst"]
        start = time.perf_counter()
        procs = [
            subprocess.Popen(flask, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(workers)
        ]
        for proc in procs:
            if proc.wait() != 0:
                raise RuntimeError(f"a worker exited with {proc.returncode}")
        wall = time.perf_counter() - start
        decided, span = _decisions(url)
    finally:
        _admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if decided != backlog:
        raise RuntimeError(f"{decided} of {backlog} requests were decided")
    return {"placements_per_s": round(decided / span, 1) if span else None, "wall_per_s": round(backlog / wall, 1)}


def event_writes(server: str, env: dict[str, str], *, run: int, writers: int, seconds: float) -> float:
    """Transactions a second that `writers` processes commit, each recording one event."""
    name = f"bench_w{run}"
    _admin(server, f"CREATE DATABASE {name} TEMPLATE birlik_seeded")
    try:
        start = time.time() + 15 + 2 * writers  # every process loaded before any writes
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", EVENT_WRITER, str(start), str(seconds)],
                cwd=ROOT,
                env={**env, "BIRLIK_DATABASE_URL": f"{server}/{name}"},
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for _ in range(writers)
        ]
        total = sum(int(proc.communicate()[0].strip().splitlines()[-1]) for proc in procs)
    finally:
        _admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return round(total / seconds, 1)


def run() -> dict:
    backlog = int(os.environ.get("PG_BENCH_BACKLOG", "300"))
    counts = [int(n) for n in os.environ.get("PG_BENCH_WORKERS", "1,2,4").split(",")]
    repeat = int(os.environ.get("PG_BENCH_REPEAT", "3"))
    batched = os.environ.get("PG_BENCH_BATCH", "0") == "1"
    base = Path(tempfile.mkdtemp(prefix="birlik-pgbench-"))
    base.chmod(0o755)  # the cluster may run as `postgres`, which must reach its directory
    cluster, redis = Cluster(base / "pg"), PrivateRedis(base / "var")
    server = cluster.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BIRLIK_")}
        env.update(BIRLIK_VAR_DIR=str(base / "var"), BIRLIK_REDIS_URL=redis.start(), BIRLIK_SECRET_KEY="bench")
        if not batched:
            # One request per job and transaction: the writes that contend
            # (a backlog queued this fast would otherwise be gathered too).
            env["BIRLIK_BATCH_MIN_PENDING"] = str(10**9)
            env["BIRLIK_GATHER_RATE"] = "0"
        _admin(server, "CREATE DATABASE birlik_seeded")
        seeded = {**env, "BIRLIK_DATABASE_URL": f"{server}/birlik_seeded"}
        for step in (["db-upgrade"], ["seed-demo"]):
            subprocess.run(
                [sys.executable, "-m", "flask", "--app", "coordinator", *step],
                cwd=ROOT,
                env=seeded,
                check=True,
                capture_output=True,
            )
        results: dict[str, dict] = {}
        run_no = 0
        # Interleaved (1, 2, 4, 1, 2, 4, …) so a change in the machine's load
        # touches every point alike.
        samples: dict[int, list[dict]] = {n: [] for n in counts}
        for _ in range(repeat if backlog else 0):
            for n in counts:
                run_no += 1
                samples[n].append(one_run(server, env, run=run_no, workers=n, backlog=backlog))
        if os.environ.get("PG_BENCH_EVENT_WRITES", "1") == "1":
            seconds = float(os.environ.get("PG_BENCH_WRITE_SECONDS", "8"))
            writes: dict[int, list[float]] = {n: [] for n in counts}
            for _ in range(repeat):
                for n in counts:
                    run_no += 1
                    writes[n].append(event_writes(server, env, run=run_no, writers=n, seconds=seconds))
            results["event_writes_per_s"] = {
                f"{n}_writers": {"median": statistics.median(v), "runs": v} for n, v in writes.items()
            }
        for n, runs in samples.items() if backlog else ():
            results[f"{n}_workers"] = {
                "placements_per_s_median": statistics.median(r["placements_per_s"] or 0 for r in runs),
                "wall_per_s_median": statistics.median(r["wall_per_s"] for r in runs),
                "runs": runs,
            }
        return {"backlog": backlog, "repeat": repeat, "batch_dispatch": batched, **results}
    finally:
        redis.stop()
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
