"""Vehicle routes for delivery runs: which stops share a vehicle and in what
order, with OR-Tools' routing solver (a capacitated vehicle routing problem
whose depot is the warehouse). Distances are geodesic (geopy). Pure: no
database, so the benchmark and the tests can call it on any points.

Every route is a round trip: the team starts at the warehouse (where it picks
the load up) and comes back to it (with whatever was refused at the door)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from coordinator.geo.distance import geodesic_km

Point = tuple[float, float]  # (lat, lon)


@dataclass(frozen=True)
class Stop:
    """A place to deliver to and what the load weighs there."""

    lat: float
    lon: float
    kg: float


def distance_matrix(points: Sequence[Point]) -> list[list[float]]:
    """Geodesic km between every pair of points (symmetric, zero diagonal)."""
    n = len(points)
    km = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            km[i][j] = km[j][i] = geodesic_km(points[i], points[j])
    return km


def tour_km(depot: Point, points: Sequence[Point]) -> float:
    """Length of the round trip depot -> points in this order -> depot."""
    path = [depot, *points, depot]
    return sum(geodesic_km(a, b) for a, b in zip(path, path[1:], strict=False))


def first_fit(weights: Sequence[float], capacity: float, max_stops: int) -> list[list[int]]:
    """Bins of stop indices (heaviest first, each into the first bin it fits):
    a feasible packing, used to size the solver's fleet and as its fallback."""
    bins: list[list[int]] = []
    loads: list[float] = []
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        for b, load in enumerate(loads):
            if load + weights[i] <= capacity + 1e-9 and len(bins[b]) < max_stops:
                bins[b].append(i)
                loads[b] += weights[i]
                break
        else:
            bins.append([i])
            loads.append(weights[i])
    return bins


def _nearest_neighbour(km: list[list[float]], members: list[int]) -> list[int]:
    """An order for one bin (indices into `km`, depot 0): always the nearest next."""
    left, at, order = set(members), 0, []
    while left:
        at = min(left, key=lambda j: (km[at][j], j))
        order.append(at)
        left.remove(at)
    return order


def plan_routes(
    depot: Point,
    stops: Sequence[Stop],
    *,
    capacity_kg: float,
    max_stops: int = 15,
    seconds: float = 1.0,
) -> list[list[int]]:
    """Group the stops into vehicle loads of at most `capacity_kg` and
    `max_stops` stops, and order each load into a short round trip from the
    depot. Returns lists of indices into `stops`, in visiting order. Every stop
    must weigh no more than the capacity on its own."""
    if not stops:
        return []
    if any(s.kg > capacity_kg + 1e-9 for s in stops):
        raise ValueError("a stop is heavier than a vehicle; split it first")
    km = distance_matrix([depot, *((s.lat, s.lon) for s in stops)])
    grams = [0, *(math.ceil(s.kg * 1000) for s in stops)]
    fallback = first_fit([s.kg for s in stops], capacity_kg, max_stops)
    # The packing found by first fit bounds the fleet; two spare vehicles give
    # the solver room to trade a fuller vehicle for a shorter route.
    for vehicles in (min(len(stops), len(fallback) + 2), len(stops)):
        routes = _solve(km, grams, math.floor(capacity_kg * 1000), max_stops, vehicles, seconds)
        if routes is not None:
            return routes
    return [[i - 1 for i in _nearest_neighbour(km, [i + 1 for i in b])] for b in fallback]


def _solve(
    km: list[list[float]], grams: list[int], capacity_g: int, max_stops: int, vehicles: int, seconds: float
) -> list[list[int]] | None:
    size = len(km)
    manager = pywrapcp.RoutingIndexManager(size, vehicles, 0)
    model = pywrapcp.RoutingModel(manager)
    metres = [[round(d * 1000) for d in row] for row in km]
    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(metres))
    load = model.RegisterUnaryTransitVector(grams)
    model.AddDimensionWithVehicleCapacity(load, 0, [capacity_g] * vehicles, True, "load")
    count = model.RegisterUnaryTransitVector([0] + [1] * (size - 1))
    model.AddDimensionWithVehicleCapacity(count, 0, [max_stops] * vehicles, True, "stops")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    solution = model.SolveWithParameters(params)
    if solution is None:
        return None
    routes = []
    for v in range(vehicles):
        index, route = solution.Value(model.NextVar(model.Start(v))), []
        while not model.IsEnd(index):
            route.append(manager.IndexToNode(index) - 1)
            index = solution.Value(model.NextVar(index))
        if route:
            routes.append(route)
    return routes
