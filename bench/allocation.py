"""Allocation benchmark: 1,000 open request lines over 10 items and 10
warehouses at real settlements, stock at 60 % of demand. Measures one
`allocate()` over every item (and its commit) on SQLite, and the fairness it
achieves: per tier, the days of cover of its lines after allocation (lowest,
and spread among the lines still short, which levelling should make nearly
equal) and the share of what the tier asked that it got.

BENCH_ALLOC_LINES, BENCH_ALLOC_ITEMS, BENCH_ALLOC_WAREHOUSES and
BENCH_ALLOC_STOCK (the fraction of demand in stock) change the load.
`python -m bench.allocation` runs it alone."""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from coordinator.embedded_redis import PrivateRedis

ITEM_NAMES = ("Medical mask", "FFP2 respirator", "Nitrile gloves", "Gown", "Face shield", "Hand sanitizer",
              "Food kit", "Hygiene kit", "Disinfectant", "Thermometer")  # fmt: skip
LINES_PER_REQUEST = 4
TIER_WEIGHTS = {1: 0.2, 2: 0.25, 3: 0.3, 4: 0.25}


def _seed(session, *, lines: int, items: int, warehouses: int, stock_share: float, rng: random.Random) -> dict:
    """Items, warehouses with stock (received through the ledger), and
    organizations with one request each of LINES_PER_REQUEST lines, every
    line with its own stock and daily use."""
    from coordinator.geo import gazetteer
    from coordinator.geo.models import Region
    from coordinator.supplies import ledger
    from coordinator.supplies.models import Item, Organization, SupplyRequest, SupplyRequestLine, Warehouse

    regions = {r.code: r.id for r in session.query(Region)}
    places = [s for s in gazetteer.settlements() if s.population > 20000 and s.region_code in regions]
    catalogue = [Item(code=f"B{i}", name=ITEM_NAMES[i % len(ITEM_NAMES)] + (f" {i}" if i >= 10 else ""), unit="pcs")
                 for i in range(items)]  # fmt: skip
    session.add_all(catalogue)
    depots = []
    for n in range(warehouses):
        place = places[n * len(places) // warehouses]
        depots.append(Warehouse(name=f"Depot {place.name}", region_id=regions[place.region_code], settlement=place.name,
                                lat=place.lat, lon=place.lon))  # fmt: skip
    session.add_all(depots)
    session.flush()
    demand: dict[int, int] = defaultdict(int)
    tiers, weights = list(TIER_WEIGHTS), list(TIER_WEIGHTS.values())
    for r in range(lines // LINES_PER_REQUEST):
        place = rng.choice(places)
        tier = rng.choices(tiers, weights)[0]
        org = Organization(
            name=f"Org {r} {place.name}", kind="hospital" if tier <= 2 else "enterprise", tier=tier,
            region_id=regions[place.region_code], settlement=place.name, lat=place.lat, lon=place.lon,
        )  # fmt: skip
        session.add(org)
        session.flush()
        request = SupplyRequest(organization_id=org.id, tier=tier)
        session.add(request)
        session.flush()
        for item in rng.sample(catalogue, min(LINES_PER_REQUEST, len(catalogue))):
            quantity = rng.randint(20, 200)
            demand[item.id] += quantity
            session.add(
                SupplyRequestLine(request_id=request.id, item_id=item.id, quantity_requested=quantity,
                                  on_hand=rng.randint(0, 150), daily_use=float(rng.randint(5, 40)))
            )  # fmt: skip
    for item in catalogue:
        total = int(demand[item.id] * stock_share)
        shares = [rng.random() for _ in depots]
        given = 0
        for n, depot in enumerate(depots):
            qty = total - given if n == len(depots) - 1 else int(total * shares[n] / sum(shares))
            given += qty
            if qty > 0:
                ledger.receive(session=session, warehouse_id=depot.id, item_id=item.id, quantity=qty, source="donor")
    session.commit()
    return {"lines": sum(1 for _ in session.query(SupplyRequestLine)), "demand": sum(demand.values())}


def _fairness(session) -> dict:
    """Per tier: the share of what it asked that it got; days of cover after
    allocation, (own stock + allocated) / daily use, at their lowest; and
    among the lines still short that got stock (the levelled ones), the
    widest spread of days of cover within one item (about one unit's worth of
    cover: shares are whole units), and how many lines got nothing though
    they were below that level by more than a unit (levelling leaves none)."""
    from coordinator.supplies.models import SupplyRequest, SupplyRequestLine

    rows = session.query(SupplyRequestLine, SupplyRequest.tier).join(SupplyRequest).all()
    tiers: dict[int, dict] = {}
    short: dict[tuple[int, int], list[tuple[float, float, int]]] = defaultdict(list)
    for line, tier in rows:
        t = tiers.setdefault(tier, {"lines": 0, "asked": 0, "allocated": 0, "cover": []})
        cover = (line.on_hand + line.quantity_allocated) / line.daily_use
        t["lines"] += 1
        t["asked"] += line.quantity_requested
        t["allocated"] += line.quantity_allocated
        t["cover"].append(cover)
        if line.quantity_allocated < line.quantity_requested:
            short[(tier, line.item_id)].append((cover, 1 / line.daily_use, line.quantity_allocated))
    out = {}
    for tier, t in sorted(tiers.items()):
        spreads, below, levelled = [], 0, 0
        for (tr, _), found in short.items():
            raised = [c for c, _, got in found if got > 0]
            if tr != tier or not raised:
                continue
            levelled += len(raised)
            spreads.append(max(raised) - min(raised))
            # A line left with nothing though a unit would not lift it to the lowest levelled line.
            below += sum(1 for c, unit, got in found if got == 0 and c + unit < min(raised) - 1e-9)
        out[f"tier_{tier}"] = {
            "lines": t["lines"],
            "served_share": round(t["allocated"] / t["asked"], 3),
            "lines_short": sum(len(found) for (tr, _), found in short.items() if tr == tier),
            "min_days_of_cover": round(min(t["cover"]), 2),
            "levelled_lines": levelled,
            "levelled_spread_days": round(max(spreads), 3) if spreads else None,
            "short_lines_below_level": below,
        }
    return out


def run(*, lines: int | None = None, items: int | None = None, warehouses: int | None = None,
        stock_share: float | None = None) -> dict:  # fmt: skip
    lines = lines or int(os.environ.get("BENCH_ALLOC_LINES", 1000))
    items = items or int(os.environ.get("BENCH_ALLOC_ITEMS", 10))
    warehouses = warehouses or int(os.environ.get("BENCH_ALLOC_WAREHOUSES", 10))
    stock_share = stock_share or float(os.environ.get("BENCH_ALLOC_STOCK", 0.6))
    from coordinator import create_app
    from coordinator.cli import upgrade_database
    from coordinator.extensions import db
    from coordinator.supplies import allocation, ledger
    from coordinator.supplies.models import Allocation

    base = Path(tempfile.mkdtemp(prefix="birlik-bench-alloc-"))
    redis = PrivateRedis(base / "redis")
    try:
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{base / 'birlik.db'}",
                          "REDIS_URL": redis.start(), "VAR_DIR": str(base)})  # fmt: skip
        with app.app_context():
            upgrade_database()
            seeded = _seed(db.session, lines=lines, items=items, warehouses=warehouses, stock_share=stock_share,
                           rng=random.Random(11))  # fmt: skip
            db.session.remove()
            started, cpu = time.perf_counter(), time.process_time()
            result = allocation.allocate(session=db.session)
            allocated_at, cpu = time.perf_counter(), time.process_time() - cpu
            db.session.commit()
            committed_at = time.perf_counter()
            assert ledger.verify(session=db.session) == [], "the ledger drifted"
            rows = db.session.query(Allocation).count()
            fairness = _fairness(db.session)
            db.session.remove()
            db.engine.dispose()
    finally:
        redis.stop()
        shutil.rmtree(base, ignore_errors=True)
    return {
        "database": "sqlite",
        "lines": seeded["lines"],
        "items": items,
        "warehouses": warehouses,
        "stock_share_of_demand": stock_share,
        "units_asked": seeded["demand"],
        "units_allocated": result["units"],
        "allocation_rows": rows,
        "allocate_s": round(allocated_at - started, 3),
        "allocate_cpu_s": round(cpu, 3),
        "allocate_and_commit_s": round(committed_at - started, 3),
        "target_s": 1.0,
        "fairness_by_tier": fairness,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
