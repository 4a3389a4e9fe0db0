"""`make bench`: run every benchmark and print the figures.

BENCH_RATE, BENCH_SECONDS, BENCH_BACKLOG, BENCH_TEAMS, BENCH_TASKS, BENCH_MAP_RATE,
BENCH_MAP_SECONDS, BENCH_OUTAGE_SECONDS and BENCH_OUTAGE_RATE shorten or lengthen the runs;
BENCH_ALLOC_LINES, BENCH_ALLOC_ITEMS, BENCH_ALLOC_WAREHOUSES and BENCH_ALLOC_STOCK set the
allocation benchmark's load; BENCH_ROUTE_SECONDS the delivery routes benchmark's solver time;
BENCH_HOTLINE_REPORTS, BENCH_HOTLINE_HISTORY, BENCH_HOTLINE_CLIENTS and BENCH_HOTLINE_WAIT the
hotline intake benchmark's burst, earlier cases, concurrent clients and wait for the checks;
BENCH_READS_* the API reads benchmark's rates and steps (see bench/api_reads.py);
SURGE_GROUPS, SURGE_LIVE_GROUPS, SURGE_SECONDS, SURGE_WORKERS and SURGE_RATIO the surge benchmark's
(SURGE_SCALE_OUT=1 adds its run on PostgreSQL with 2 web processes and 4 workers), and
SURGE_CAPTURED_K and SURGE_CAPTURED_SECONDS its solver run on a captured instance (bench/surge_captured.py);
BENCH_FANOUT_CLIENTS, BENCH_FANOUT_CHANGES and BENCH_FANOUT_INTERVAL the live fan-out's crowds;
PG_BENCH_* the PostgreSQL write throughput's (see bench/pg_writes.py); FLOOR_PAIRS and FLOOR_SECONDS
the single-request latency against the bare-stack floor's (bench/floor.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench import (
    allocation,
    api_reads,
    delivery_routes,
    dispatch,
    fanout,
    field,
    floor,
    hotline_intake,
    hq_map,
    pg_writes,
    recovery,
    surge,
)

OUT = Path(__file__).resolve().parent.parent / "var" / "bench"


def main() -> None:
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "housing": dispatch.run(),
        "latency_vs_floor": floor.run(),
        "surge": surge.run(),
        "field": field.run(),
        "hq_map": hq_map.run(),
        "recovery": recovery.run(),
        "allocation": allocation.run(),
        "delivery_routes": delivery_routes.run(),
        "hotline_intake": hotline_intake.run(),
        "api_reads": api_reads.run(),
        "fanout": fanout.run(),
        "pg_writes": pg_writes.run(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
