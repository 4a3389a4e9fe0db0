"""A surge instance as plain data, shaped like the demo: ~150 facilities at
settlements weighted by population (as `coordinator.demo.seed` makes them),
and groups from the 82 largest settlements weighted by population. Used by
`bench/surge.py` to measure plans offline, and the same groups are POSTed
to a running system."""

from __future__ import annotations

import random

import numpy as np

from coordinator.geo import gazetteer
from coordinator.housing import batch
from coordinator.housing.models import FAMILY_CATEGORIES, GENERAL_CATEGORIES, ISOLATION_CATEGORIES

ORIGINS = 82


def origins() -> list[gazetteer.Settlement]:
    """The largest settlements, where returning people come from."""
    return sorted(gazetteer.settlements(), key=lambda s: -s.population)[:ORIGINS]


def groups(n: int, *, seed: int = 15) -> list[dict]:
    """n request bodies for POST /api/v1/placements (1 to 6 people, a few with needs)."""
    rng = random.Random(seed)
    places = origins()
    weights = [s.population for s in places]
    out = []
    for place in rng.choices(places, weights=weights, k=n):
        roll = rng.random()
        out.append(
            {
                "head_count": rng.randint(1, 6),
                "contact_phone": "+7 700 000 0000",
                "origin_lat": place.lat,
                "origin_lon": place.lon,
                "needs_family": 0.85 <= roll < 0.95,
                "needs_isolation": roll >= 0.97,
                "needs_medical": 0.95 <= roll < 0.97,
            }
        )
    return out


def as_group(i: int, body: dict) -> batch.Group:
    """A request body as the solver's plain data (as `coordinator.housing.surge` builds it)."""
    cats = (
        ISOLATION_CATEGORIES
        if body.get("needs_isolation")
        else FAMILY_CATEGORIES
        if body.get("needs_family")
        else GENERAL_CATEGORIES
    )
    needs = {"medical"} if body.get("needs_medical") or body.get("needs_isolation") else set()
    if body.get("needs_accessible"):
        needs.add("accessible")
    return batch.Group(
        i, body["head_count"], body["origin_lat"], body["origin_lon"], cats, frozenset(needs), batch.weight_of(3)
    )


def facilities(people: int, ratio: float, *, seed: int = 2020) -> list[dict]:
    """~150 facilities with free beds summing to about `ratio` x `people`."""
    rng = random.Random(seed)
    pool = gazetteer.settlements()
    weights = [max(s.population, 1000) ** 0.6 for s in pool]
    raw = []
    for place in rng.choices(pool, weights=weights, k=150):
        medical = rng.random() < 0.4
        beds = {"standard": rng.randint(20, 200), "shared": rng.randint(0, 120), "family": rng.randint(0, 30)}
        if medical:
            beds["isolation"] = rng.randint(4, 30)
        raw.append(
            {
                "lat": place.lat + rng.uniform(-0.03, 0.03),
                "lon": place.lon + rng.uniform(-0.03, 0.03),
                "settlement": place.name,
                "has_medical_staff": medical,
                "accessible": rng.random() < 0.5,
                "beds": beds,
            }
        )
    scale = ratio * people / sum(sum(f["beds"].values()) for f in raw)
    for f in raw:
        f["beds"] = {c: int(np.floor(n * scale + rng.random())) for c, n in f["beds"].items()}
    return raw


def as_options(facs: list[dict]) -> list[batch.Option]:
    out = []
    for fid, f in enumerate(facs):
        meets = frozenset({"medical"} if f["has_medical_staff"] else set()) | (
            {"accessible"} if f["accessible"] else set()
        )
        out += [batch.Option(fid, c, n, f["lat"], f["lon"], meets) for c, n in f["beds"].items() if n > 0]
    return out


def greedy(groups_: list[batch.Group], options: list[batch.Option]) -> batch.Plan:
    """Nearest first in arrival order, as single dispatch places them."""
    plan = batch.Plan(solver="nearest first")
    free = [o.free for o in options]
    km = batch.distances(groups_, options)
    for i, g in enumerate(groups_):
        best = None
        for j in np.argsort(km[i], kind="stable"):
            o = options[j]
            if batch.fits(g, o) and free[j] >= g.size:
                # Same facility, better category first (single dispatch tries them in order).
                same = [
                    k
                    for k, q in enumerate(options)
                    if q.facility_id == o.facility_id and batch.fits(g, q) and free[k] >= g.size
                ]
                best = min(same, key=lambda k: g.categories.index(options[k].category))
                break
        if best is None:
            plan.waiting[g.id] = batch.NO_ROOM
            continue
        free[best] -= g.size
        plan.placed[g.id] = batch.Placed(g.id, best, float(km[i, best]))
    return plan
