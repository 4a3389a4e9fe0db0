"""Allocation of scarce stock to open request lines.

Per item: lines HQ fixed a quantity for come first, then tier 1 before tier 2
and so on. Within a tier, when stock is short, shares are levelled
(`fair_share`): by days of cover when every line gave its own stock and daily
use, otherwise max-min on the quantities asked; whole units, leftovers to
those still short, oldest request first. Each share is held at the nearest
open warehouses with stock, split when one is not enough; a line HQ pinned to
a warehouse is served from that one only. Every allocation keeps its
reasoning (`allocation_reasons`). What cannot be served waits for the next run.

Concurrency: a run locks its items' rows (in id order), then the requests it
serves, before it reads any stock; so two runs for one item take turns on
PostgreSQL, as every writer does on SQLite (BEGIN IMMEDIATE). The ledger's
guarded updates have the last word: a hold that finds less than planned
(a transfer or an adjustment came in between) re-reads and takes what is there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, lazyload

from coordinator.common.errors import Conflict, Invalid
from coordinator.events import service as events
from coordinator.geo.distance import geodesic_km
from coordinator.queue import after_commit
from coordinator.supplies import allocation_reasons, ledger, requests
from coordinator.supplies.fair_share import Claim, cover_claim, nearest_first, quantity_claim, share
from coordinator.supplies.models import (
    OPEN_REQUEST_STATUSES,
    Allocation,
    AllocationOverride,
    Item,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)

HOLD_ATTEMPTS = 3


@dataclass
class OpenLine:
    """A request line during one run: what it had before, what it got now."""

    line: SupplyRequestLine
    request: SupplyRequest
    override: AllocationOverride | None
    before: int
    given: dict[int, int] = field(default_factory=dict)  # warehouse id -> units held in this run
    rows: dict[int, Allocation] = field(default_factory=dict)  # warehouse id -> allocation row of this run

    @property
    def allocated(self) -> int:
        return self.line.quantity_allocated

    @property
    def remaining(self) -> int:
        return self.line.quantity_requested - self.line.quantity_allocated

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
    """How one tier's stock was shared in a run, for the reasoning."""

    tier: int
    method: str  # full | water_filling | days_of_cover
    level: Any  # the common level (units or days), None when nobody was limited
    supply: int
    demand: int
    lines: list[OpenLine]


class Run:
    """One allocation run over some items, in the caller's transaction."""

    def __init__(self, session: Session, warehouses: list[Warehouse]) -> None:
        self.session = session
        self.warehouses = {w.id: w for w in warehouses}
        self._km: dict[tuple[int, int], float] = {}
        self.item: Item | None = None
        self.avail: dict[int, int] = {}
        self.made: dict[int, Allocation] = {}
        self.released: list[tuple[Allocation, int]] = []
        self.request_ids: set[int] = set()
        self.units = 0

    def km(self, warehouse_id: int, line: OpenLine) -> float:
        org = line.request.organization
        key = (warehouse_id, org.id)
        if key not in self._km:
            wh = self.warehouses[warehouse_id]
            self._km[key] = round(geodesic_km((wh.lat, wh.lon), (org.lat, org.lon)), 1)
        return self._km[key]

    # -- one item ------------------------------------------------------------------------

    def allocate_item(self, item: Item, lines: list[OpenLine]) -> None:
        self.item = item
        for o in lines:
            self._respect_override(o)
        self.avail = {w: ledger.available(self.session, w, item.id) for w in self.warehouses}
        for o in sorted((o for o in lines if o.fixed is not None), key=lambda o: (o.request.tier, o.rank)):
            if o.fixed > o.allocated:
                self._serve(o, o.fixed - o.allocated)
            if o.given:
                self._explain(o, None)
        shared = [o for o in lines if o.fixed is None]
        for tier in sorted({o.request.tier for o in shared}):
            self._share_tier(tier, [o for o in shared if o.request.tier == tier])

    def _share_tier(self, tier: int, lines: list[OpenLine]) -> None:
        """Level the tier's lines on the stock left, then serve each share.
        Another round runs only if a pinned warehouse could not give what its
        lines' shares said (or a hold found less): what is left is levelled
        again among those still short."""
        asking = [o for o in lines if o.remaining > 0]
        supply = sum(self.avail.values())
        if not asking or supply <= 0:
            return
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
                if want > 0 and self._serve(o, want) < want:
                    short = True
            if not short:
                break
        if first is None:
            return
        method = "full" if first.level is None else "days_of_cover" if by_cover else "water_filling"
        demand = sum(o.remaining + sum(o.given.values()) for o in asking)
        context = Tier(tier, method, first.level, supply, demand, asking)
        for o in asking:
            if o.given:
                self._explain(o, context)

    def _cap(self, o: OpenLine) -> int:
        """Units a line may still get in this run: what it asks, and no more
        than its pinned warehouse has."""
        if o.pin is None:
            return o.remaining
        return max(0, min(o.remaining, self.avail.get(o.pin, 0)))

    # -- holding stock -------------------------------------------------------------------

    def _serve(self, o: OpenLine, want: int) -> int:
        """Hold up to `want` units for a line, nearest warehouses first (its
        pinned one only, if HQ pinned it). Returns the units held."""
        got = 0
        while got < want:
            sources = [(w, self.km(w, o), a) for w, a in self.avail.items() if a > 0 and (o.pin is None or w == o.pin)]
            plan = nearest_first(want - got, sources)
            if not plan:
                break
            for warehouse_id, take in plan:
                held = self._hold(o, warehouse_id, take)
                got += held
                if held < take:
                    break  # the warehouse had less than it said: plan again
        return got

    def _hold(self, o: OpenLine, warehouse_id: int, want: int) -> int:
        """Hold stock for a line at one warehouse, on one allocation row per
        line and warehouse in a run. A Conflict from the ledger means someone
        else moved that stock: re-read what is available and take that."""
        for _ in range(HOLD_ATTEMPTS):
            take = min(want, self.avail.get(warehouse_id, 0))
            if take <= 0:
                return 0
            try:
                with self.session.begin_nested():
                    row = o.rows.get(warehouse_id)
                    if row is None:
                        row = Allocation(
                            line_id=o.line.id, request_id=o.request.id, item_id=o.line.item_id,
                            warehouse_id=warehouse_id, quantity=take, status="held",
                            distance_km=self.km(warehouse_id, o), reasoning={},
                        )  # fmt: skip
                        self.session.add(row)
                        self.session.flush()
                    else:
                        row.quantity += take
                    ledger.hold(
                        session=self.session, warehouse_id=warehouse_id, item_id=o.line.item_id, quantity=take,
                        allocation_id=row.id,
                    )  # fmt: skip
            except Conflict:
                self.avail[warehouse_id] = ledger.available(self.session, warehouse_id, o.line.item_id)
                continue
            o.rows[warehouse_id] = row
            o.given[warehouse_id] = o.given.get(warehouse_id, 0) + take
            o.line.quantity_allocated += take
            self.avail[warehouse_id] -= take
            self.units += take
            self.request_ids.add(o.request.id)
            return take
        return 0

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

    # -- reasoning and events ------------------------------------------------------------

    def _explain(self, o: OpenLine, tier: Tier | None) -> None:
        warehouses = [
            {"warehouse_id": w, "warehouse": self.warehouses[w].name, "distance_km": self.km(w, o), "took": q}
            for w, q in sorted(o.given.items(), key=lambda wq: (self.km(wq[0], o), wq[0]))
        ]
        reasoning = allocation_reasons.reasoning(o, tier, item=self.item, warehouses=warehouses)
        for warehouse_id, row in o.rows.items():
            if warehouse_id in o.given:
                row.reasoning = dict(reasoning)
                self.made[row.id] = row

    def record_events(self) -> None:
        """One event per allocation made or released, then each touched
        request's status (events last: on PostgreSQL they serialise writers)."""
        self.session.flush()
        for row in self.made.values():
            self._event("allocation.made", row, allocation_reasons.event_state(row))
        for row, released in self.released:
            self._event("allocation.released", row, {**allocation_reasons.event_state(row), "released": released})
        for request_id in sorted(self.request_ids):
            requests.refresh_status(session=self.session, request_id=request_id)

    def _event(self, type_: str, row: Allocation, after: dict[str, Any]) -> None:
        request = self.session.get(SupplyRequest, row.request_id)
        wh = self.session.get(Warehouse, row.warehouse_id)
        rooms = requests.rooms(request) + events.rooms(warehouses=[wh.id], regions=[wh.region_id])
        events.record(
            session=self.session, type=type_, subject_type="allocation", subject_id=row.id, rooms=rooms, after=after
        )

    def result(self) -> dict[str, Any]:
        touched = {row.warehouse_id for row in self.made.values()} | {row.warehouse_id for row, _ in self.released}
        return {
            "allocations": len(self.made),
            "units": self.units,
            "released": sum(n for _, n in self.released),
            "warehouse_ids": sorted(touched),
            "request_ids": sorted(self.request_ids),
        }


# -- the run -----------------------------------------------------------------------------


def _lock_items(session: Session, item_ids: list[int] | None) -> list[int]:
    """Lock the items' rows in id order (PostgreSQL; on SQLite the
    transaction already holds the write lock): one run per item at a time."""
    query = select(Item.id).order_by(Item.id).with_for_update()
    if item_ids is not None:
        query = query.where(Item.id.in_(sorted(set(item_ids))))
    return list(session.scalars(query))


def _open_lines(session: Session, item_ids: list[int]) -> list[OpenLine]:
    """Lines of open requests still short, and lines with an override (which
    may have to give stock back), read after their requests are locked."""
    overridden = select(AllocationOverride.line_id)
    open_request = SupplyRequest.status.in_(OPEN_REQUEST_STATUSES)
    wanted = (
        select(SupplyRequestLine.id, SupplyRequestLine.request_id)
        .join(SupplyRequest, SupplyRequest.id == SupplyRequestLine.request_id)
        .where(
            SupplyRequestLine.item_id.in_(item_ids),
            open_request,
            or_(
                SupplyRequestLine.quantity_allocated < SupplyRequestLine.quantity_requested,
                SupplyRequestLine.id.in_(overridden),
            ),
        )
    )
    rows = session.execute(wanted).all()
    if not rows:
        return []
    request_ids = sorted({r.request_id for r in rows})
    locked = session.scalars(
        select(SupplyRequest)
        .where(SupplyRequest.id.in_(request_ids), open_request)
        .order_by(SupplyRequest.id)
        .with_for_update(of=SupplyRequest)
        .execution_options(populate_existing=True)
    ).all()
    by_id = {r.id: r for r in locked}
    lines = session.scalars(
        select(SupplyRequestLine)
        .where(SupplyRequestLine.id.in_([r.id for r in rows]), SupplyRequestLine.request_id.in_(list(by_id)))
        .order_by(SupplyRequestLine.id)
        .execution_options(populate_existing=True)
    ).all()
    line_ids = [line.id for line in lines]
    found = session.scalars(select(AllocationOverride).where(AllocationOverride.line_id.in_(line_ids)))
    overrides = {o.line_id: o for o in found}
    return [OpenLine(line, by_id[line.request_id], overrides.get(line.id), line.quantity_allocated) for line in lines]


def allocate(*, session: Session, item_ids: list[int] | None = None) -> dict[str, Any]:
    """Allocate available stock to the open lines of these items (every item
    if None): hold it, record each allocation with its reasoning and an
    event, and refresh the requests' status. Never commits. Returns what was
    done: {allocations, units, released, warehouse_ids, request_ids}."""
    locked = _lock_items(session, item_ids)
    lines = _open_lines(session, locked) if locked else []
    warehouses = session.scalars(
        select(Warehouse)
        .where(Warehouse.status == "open")
        .order_by(Warehouse.id)
        .options(lazyload(Warehouse.balances), lazyload(Warehouse.managers))
    ).all()
    run = Run(session, list(warehouses))
    for item_id in locked:
        item_lines = [o for o in lines if o.line.item_id == item_id]
        if item_lines:
            run.allocate_item(session.get(Item, item_id), item_lines)
    run.record_events()
    return run.result()


def request_run(*, session: Session, item_ids: list[int] | None = None) -> None:
    """Declare an allocation run for these items (every item if None), to
    run once the caller commits. Raises Invalid for an unknown item."""
    if item_ids is not None:
        known = set(session.scalars(select(Item.id).where(Item.id.in_(item_ids))))
        unknown = sorted(set(item_ids) - known)
        if unknown:
            raise Invalid(f"Unknown item {unknown[0]}. Pick one from /api/v1/items.", field="item_ids")
        item_ids = sorted(known)
    after_commit(session, "allocate_supplies", item_ids)
