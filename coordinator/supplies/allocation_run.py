"""One allocation run over an item's open lines: plan in memory who gets
what from where, then hold it through the ledger (see `allocation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.common.errors import Conflict
from coordinator.geo.distance import geodesic_km, haversine_matrix
from coordinator.supplies import allocation_reasons, ledger
from coordinator.supplies.fair_share import Claim, cover_claim, nearest_first, quantity_claim, share
from coordinator.supplies.models import (
    Allocation,
    AllocationOverride,
    Item,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)

ATTEMPTS = 3  # plans tried when holds find less stock than was read (someone else moved it)


@dataclass
class OpenLine:
    """A request line during one run: what it had before, what is planned
    for it now, and what it was given (held) in this run."""

    line: SupplyRequestLine
    request: SupplyRequest
    override: AllocationOverride | None
    before: int
    planned: dict[int, int] = field(default_factory=dict)  # warehouse id -> units planned, not yet held
    given: dict[int, int] = field(default_factory=dict)  # warehouse id -> units held in this run
    rows: dict[int, Allocation] = field(default_factory=dict)  # warehouse id -> this run's allocation row

    @property
    def allocated(self) -> int:
        return self.line.quantity_allocated + sum(self.planned.values())

    @property
    def remaining(self) -> int:
        return self.line.quantity_requested - self.allocated

    @property
    def rank(self) -> tuple:
        """Oldest request first."""
        return (self.request.created_at, self.request.id, self.line.id)

    @property
    def pin(self) -> int | None:
        return self.override.warehouse_id if self.override else None

    @property
    def fixed(self) -> int | None:
        return self.override.quantity if self.override else None

    @property
    def gave_cover(self) -> bool:
        return self.line.on_hand is not None and bool(self.line.daily_use) and self.line.daily_use > 0

    def claim(self, *, by_cover: bool, cap: int) -> Claim:
        asked = self.allocated + cap
        if by_cover:
            return cover_claim(
                self.line.id, on_hand=self.line.on_hand, daily_use=self.line.daily_use,
                allocated=self.allocated, asked=asked, rank=self.rank,
            )  # fmt: skip
        return quantity_claim(self.line.id, allocated=self.allocated, asked=asked, rank=self.rank)


@dataclass
class Tier:
    """How one tier's stock was shared, for the reasoning."""

    tier: int
    method: str  # full | water_filling | days_of_cover
    level: Fraction | None  # the common level (units or days); None when nobody was limited
    supply: int
    demand: int
    lines: list[OpenLine]
    peers: list[dict[str, Any]] | None = None  # what each line of the tier asked and got, once explained


class Run:
    """One allocation run over some items, in the caller's transaction."""

    def __init__(self, session: Session, warehouses: list[Warehouse]) -> None:
        self.session = session
        self.warehouses = {w.id: w for w in warehouses}
        self._ids = list(self.warehouses)
        self._lat = np.array([w.lat for w in warehouses], dtype=float)
        self._lon = np.array([w.lon for w in warehouses], dtype=float)
        self._near: dict[int, dict[int, float]] = {}
        self._km: dict[tuple[int, int], float] = {}
        self.item: Item | None = None
        self.avail: dict[int, int] = {}
        self.made: list[Allocation] = []
        self.released: list[tuple[Allocation, int]] = []
        self.request_ids: set[int] = set()
        self.units = 0

    def km(self, warehouse_id: int, o: OpenLine) -> float:
        """Geodesic km from a warehouse to the line's organization (geopy), as reported."""
        org = o.request.organization
        key = (warehouse_id, org.id)
        if key not in self._km:
            wh = self.warehouses[warehouse_id]
            self._km[key] = round(geodesic_km((wh.lat, wh.lon), (org.lat, org.lon)), 1)
        return self._km[key]

    def _nearness(self, o: OpenLine) -> dict[int, float]:
        """Great-circle km to every open warehouse, for ranking them (one
        vector per organization)."""
        org = o.request.organization
        if org.id not in self._near:
            row = haversine_matrix(np.array([org.lat]), np.array([org.lon]), self._lat, self._lon)[0]
            self._near[org.id] = dict(zip(self._ids, row.tolist(), strict=True))
        return self._near[org.id]

    # -- one item ------------------------------------------------------------------------

    def allocate_item(self, item: Item, lines: list[OpenLine]) -> None:
        """Serve an item's lines: release what overrides say to give back,
        plan, hold; if a hold found less than was read, read again and plan
        what is left (at most ATTEMPTS times)."""
        self.item = item
        for o in lines:
            self._respect_override(o)
        tiers: dict[int, Tier] = {}
        for _ in range(ATTEMPTS):
            self.avail = {w: ledger.available(self.session, w, item.id) for w in self.warehouses}
            for tier, context in self._plan(lines).items():
                tiers.setdefault(tier, context)
            if not self._hold_planned(lines):
                break
        for o in lines:
            if o.given:
                self._explain(o, None if o.fixed is not None else tiers.get(o.request.tier))

    def _plan(self, lines: list[OpenLine]) -> dict[int, Tier]:
        """Who gets what from where, in memory: fixed quantities first, then
        each tier in order on what is left."""
        for o in sorted((o for o in lines if o.fixed is not None), key=lambda o: (o.request.tier, o.rank)):
            if o.fixed > o.allocated:
                self._take(o, o.fixed - o.allocated)
        shared = [o for o in lines if o.fixed is None]
        contexts = {}
        for tier in sorted({o.request.tier for o in shared}):
            context = self._share_tier(tier, [o for o in shared if o.request.tier == tier])
            if context is not None:
                contexts[tier] = context
        return contexts

    def _share_tier(self, tier: int, lines: list[OpenLine]) -> Tier | None:
        """Level the tier's lines on the stock left, then take each share.
        Another round runs only if a pinned warehouse could not give what its
        lines' shares said: what is left is levelled again among those still short."""
        asking = [o for o in lines if o.remaining > 0]
        supply = sum(self.avail.values())
        if not asking or supply <= 0:
            return None
        demand = sum(o.remaining for o in asking)
        by_cover = all(o.gave_cover for o in asking)
        first = None
        for _ in range(len(self.warehouses) + 1):
            caps = {o.line.id: self._cap(o) for o in asking}
            claims = [o.claim(by_cover=by_cover, cap=caps[o.line.id]) for o in asking if caps[o.line.id] > 0]
            left = sum(self.avail.values())
            if not claims or left <= 0:
                break
            shares = share(claims, left)
            first = first or shares
            short = False
            for o in sorted(asking, key=lambda o: (o.pin is None, o.rank)):
                want = shares.units.get(o.line.id, 0)
                if want > 0 and self._take(o, want) < want:
                    short = True
            if not short:
                break
        if first is None:
            return None
        method = "full" if first.level is None else "days_of_cover" if by_cover else "water_filling"
        return Tier(tier, method, first.level, supply, demand, asking)

    def _cap(self, o: OpenLine) -> int:
        """Units a line may still get: what it asks, and no more than its pinned warehouse has."""
        if o.pin is None:
            return o.remaining
        return max(0, min(o.remaining, self.avail.get(o.pin, 0)))

    def _take(self, o: OpenLine, want: int) -> int:
        """Plan up to `want` units for a line from the nearest warehouses with
        stock (its pinned one only, if HQ pinned it). Returns the units planned."""
        near = self._nearness(o)
        sources = [(w, near[w], a) for w, a in self.avail.items() if a > 0 and (o.pin is None or w == o.pin)]
        taken = 0
        for warehouse_id, units in nearest_first(want, sources):
            o.planned[warehouse_id] = o.planned.get(warehouse_id, 0) + units
            self.avail[warehouse_id] -= units
            taken += units
        return taken

    # -- holding stock -------------------------------------------------------------------

    def _hold_planned(self, lines: list[OpenLine]) -> bool:
        """Write the planned allocations (one row per line and warehouse in a
        run, inserted together) and hold their stock through the ledger.
        Returns True if a hold found less than planned: someone else moved
        that stock since it was read, and the row keeps what it could hold."""
        todo, new = [], []
        for o in lines:
            for warehouse_id, units in sorted(o.planned.items()):
                row = o.rows.get(warehouse_id)
                if row is None:
                    row = Allocation(
                        line_id=o.line.id, request_id=o.request.id, item_id=o.line.item_id,
                        warehouse_id=warehouse_id, quantity=units, status="held",
                        distance_km=self.km(warehouse_id, o), reasoning={},
                    )  # fmt: skip
                    new.append(row)
                    o.rows[warehouse_id] = row
                else:
                    row.quantity += units
                todo.append((o, warehouse_id, row, units))
            o.planned = {}
        self.session.add_all(new)
        self.session.flush()
        by_warehouse: dict[int, list[tuple[OpenLine, int, Allocation, int]]] = {}
        for entry in todo:
            by_warehouse.setdefault(entry[1], []).append(entry)
        short = False
        with self.session.no_autoflush:  # the moves go in together at the next flush
            for warehouse_id, group in sorted(by_warehouse.items()):
                short |= self._hold_group(warehouse_id, group)
        return short

    def _hold_group(self, warehouse_id: int, group: list[tuple[OpenLine, int, Allocation, int]]) -> bool:
        """Hold one warehouse's planned allocations of the item; True if one
        of them found less stock than planned."""
        try:
            ledger.hold_many(
                session=self.session, warehouse_id=warehouse_id, item_id=self.item.id,
                holds=[(row.id, units) for _, _, row, units in group],
            )  # fmt: skip
        except Conflict:
            pass  # less than planned: hold them one by one, each keeping what it can get
        else:
            for o, _, _, units in group:
                self._given(o, warehouse_id, units)
            return False
        short = False
        for o, _, row, units in group:
            try:
                ledger.hold(
                    session=self.session, warehouse_id=warehouse_id, item_id=o.line.item_id, quantity=units,
                    allocation_id=row.id,
                )  # fmt: skip
                got = units
            except Conflict:
                short = True
                got = self._held_after_conflict(o, warehouse_id, row)
            self._given(o, warehouse_id, got)
        return short

    def _given(self, o: OpenLine, warehouse_id: int, units: int) -> None:
        if units:
            o.given[warehouse_id] = o.given.get(warehouse_id, 0) + units
            o.line.quantity_allocated += units
            self.units += units
            self.request_ids.add(o.request.id)

    def _held_after_conflict(self, o: OpenLine, warehouse_id: int, row: Allocation) -> int:
        """What a refused hold did hold (earlier lots may have gone through):
        the row keeps that, or goes if it holds nothing."""
        self.session.flush()
        before = o.given.get(warehouse_id, 0)
        now_held = sum(ledger.held_lots(self.session, row.id).values())
        if now_held == 0:
            self.session.delete(row)
            del o.rows[warehouse_id]
        else:
            row.quantity = now_held
        return now_held - before

    # -- HQ's overrides ------------------------------------------------------------------

    def _respect_override(self, o: OpenLine) -> None:
        """Give back what an override says a line should not hold: stock held
        at other warehouses than the pinned one, and units above a fixed
        quantity (farthest warehouse first). Stock already on a planned
        delivery run is left alone."""
        if o.override is None:
            return
        held = self.session.scalars(
            select(Allocation).where(
                Allocation.line_id == o.line.id, Allocation.status == "held", Allocation.stop_id.is_(None)
            )
        ).all()
        excess = max(0, o.allocated - o.fixed) if o.fixed is not None else 0
        for a in sorted(held, key=lambda a: (a.warehouse_id == o.pin, -a.distance_km, -a.id)):
            elsewhere = o.pin is not None and a.warehouse_id != o.pin
            take = a.quantity if elsewhere else min(a.quantity, excess)
            if take > 0:
                excess -= self._release(o, a, take)

    def _release(self, o: OpenLine, a: Allocation, quantity: int) -> int:
        released = ledger.release(
            session=self.session, warehouse_id=a.warehouse_id, allocation_id=a.id, quantity=quantity
        )
        if released >= a.quantity:
            a.status = "released"
        else:
            a.quantity -= released
        o.line.quantity_allocated -= released
        self.released.append((a, released))
        self.request_ids.add(o.request.id)
        return released

    # -- reasoning -----------------------------------------------------------------------

    def _explain(self, o: OpenLine, tier: Tier | None) -> None:
        warehouses = [
            {"warehouse_id": w, "warehouse": self.warehouses[w].name, "distance_km": self.km(w, o), "took": q}
            for w, q in sorted(o.given.items(), key=lambda wq: (self.km(wq[0], o), wq[0]))
        ]
        reasoning = allocation_reasons.reasoning(o, tier, item=self.item, warehouses=warehouses)
        for warehouse_id, row in o.rows.items():
            if warehouse_id in o.given:
                row.reasoning = dict(reasoning)
                self.made.append(row)

    def result(self) -> dict[str, Any]:
        touched = {row.warehouse_id for row in self.made} | {row.warehouse_id for row, _ in self.released}
        return {
            "allocations": len(self.made),
            "units": self.units,
            "released": sum(n for _, n in self.released),
            "warehouse_ids": sorted(touched),
            "request_ids": sorted(self.request_ids),
        }
