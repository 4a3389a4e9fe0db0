"""The yardstick for batch placement: `lower_bound` is the min-cost flow
(OR-Tools) over every compatible option with groups allowed to split, so no
whole-group plan can do better; benchmarks and tests measure `batch.place`'s
plans against it (`objective` is the cost a plan is compared by)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from coordinator.housing.batch import WAIT_KM, Group, Option, Plan, cost, distances, fits, rank_of, wait_cost


@dataclass(frozen=True)
class Bound:
    person_km: float  # of the people the bound places
    weighted: float  # the objective (weighted person-km plus waiting), comparable with `objective`
    placed_people: int
    seconds: float


def objective(groups: list[Group], options: list[Option], plan: Plan) -> float:
    """The plan's weighted cost: what `place` minimises."""
    total = 0.0
    for g in groups:
        p = plan.placed.get(g.id)
        total += cost(g, options[p.option], p.km) if p else wait_cost(g)
    return total


def lower_bound(groups: list[Group], options: list[Option]) -> Bound:
    """Min-cost flow over every suitable option, groups allowed to split (and
    to use an option with fewer free beds than the group): a bound no plan of
    whole groups can beat. Costs are in metres, rounded down (OR-Tools wants integers; down keeps it a bound)."""
    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    km = distances(groups, options)
    flow = min_cost_flow.SimpleMinCostFlow()
    n_g, n_o = len(groups), len(options)
    sink = n_g + n_o
    tails, heads, caps, costs = [], [], [], []
    for i, g in enumerate(groups):
        cols = [j for j, o in enumerate(options) if fits(g, o) and o.free > 0]
        tails += [i] * (len(cols) + 1)
        heads += [n_g + j for j in cols] + [sink]
        caps += [g.size] * (len(cols) + 1)
        costs += [int(g.weight * (km[i, j] + 0.001 * rank_of(g.categories, options[j].category)) * 1000) for j in cols]
        costs.append(int(g.weight * WAIT_KM * 1000))
    for j, o in enumerate(options):
        tails.append(n_g + j)
        heads.append(sink)
        caps.append(o.free)
        costs.append(0)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails), np.array(heads), np.array(caps), np.array(costs, dtype=np.int64)
    )
    total = sum(g.size for g in groups)
    flow.set_nodes_supplies(np.arange(n_g + n_o + 1), np.array([g.size for g in groups] + [0] * n_o + [-total]))
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("the min-cost flow found no optimum")
    flows = flow.flows(arcs)
    person_km = placed = 0.0
    for a in np.flatnonzero(flows):
        t, h = tails[a], heads[a]
        if t < n_g and h != sink:
            person_km += flows[a] * km[t, h - n_g]
            placed += flows[a]
    return Bound(person_km, flow.optimal_cost() / 1000, int(placed), time.perf_counter() - started)
