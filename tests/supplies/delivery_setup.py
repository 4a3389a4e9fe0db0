"""Setting up delivery tests: stock in a warehouse, organizations at chosen
places, requests whose lines are held for them (as allocation leaves them),
a delivery team with its crew, and the steps of a run's task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.supplies import ledger, requests
from coordinator.supplies.models import Allocation, Item, Organization, SupplyRequest, SupplyRequestLine, Warehouse
from tests.factories import Account, Factory

ALMATY = (43.25, 76.92)


def item(make: Factory, name: str, *, unit_kg: float = 0.1, tracks_expiry: bool = False) -> Item:
    found = make.session.scalar(select(Item).where(Item.name == name))
    if found is None:
        found = Item(code=name[:30], name=name, unit="pcs", unit_kg=unit_kg, tracks_expiry=tracks_expiry)
        make.session.add(found)
    found.unit_kg, found.tracks_expiry = unit_kg, tracks_expiry
    make.session.commit()
    return found


def warehouse(make: Factory, at: tuple[float, float] = ALMATY) -> Warehouse:
    wh = make.warehouse("almaty")
    wh.lat, wh.lon = at
    make.session.commit()
    return wh


def receive(app, wh: Warehouse, it: Item, quantity: int, *, lot: str = "", expires_on: date | None = None) -> None:
    """Stock received through the ledger."""
    with app.app_context():
        ledger.receive(
            session=db.session, warehouse_id=wh.id, item_id=it.id, quantity=quantity, source="donor",
            reference="test", lot_code=lot, expires_on=expires_on,
        )  # fmt: skip
        db.session.commit()


def organization(make: Factory, at: tuple[float, float], tier: int = 1) -> Organization:
    org = make.organization("almaty", tier=tier)
    org.lat, org.lon = at
    make.session.commit()
    return org


def held_request(app, org: Organization, wh: Warehouse, lines: dict[int, int]) -> int:
    """A request whose lines ({item id: quantity}) are fully allocated from
    the warehouse: allocations held in the ledger, as allocation leaves them."""
    with app.app_context():
        session = db.session
        request = SupplyRequest(organization_id=org.id, tier=org.tier, status="pending")
        session.add(request)
        session.flush()
        for item_id, quantity in lines.items():
            line = SupplyRequestLine(request_id=request.id, item_id=item_id, quantity_requested=quantity)
            session.add(line)
            session.flush()
            allocation = Allocation(
                line_id=line.id, request_id=request.id, item_id=item_id, warehouse_id=wh.id, quantity=quantity,
                status="held", reasoning={"method": "full"},
            )  # fmt: skip
            session.add(allocation)
            session.flush()
            ledger.hold(
                session=session, warehouse_id=wh.id, item_id=item_id, quantity=quantity, allocation_id=allocation.id
            )
            line.quantity_allocated = quantity
        session.flush()
        requests.refresh_status(session=session, request_id=request.id)
        session.commit()
        return request.id


@dataclass
class Crew:
    team_id: int
    account: Account


def crew(make: Factory, capacity_kg: int = 500) -> Crew:
    team = make.team("almaty", can_deliver=True, vehicle_capacity_kg=capacity_kg)
    return Crew(team.id, make.account("field", team_id=team.id))


def steps(api, account: Account, task_id: int, *names: str) -> None:
    for name in names:
        status, body = api("POST", f"/tasks/{task_id}/{name}", account, json={})
        assert status == 200, (name, body)


def plan(api, run_jobs, app) -> list[dict]:
    """Plan runs now (as HQ) and let the worker plan them and offer their tasks."""
    app.config["SUPPLY_ROUTE_SECONDS"] = 0.2
    status, body = api("POST", "/supplies/runs/plan", json={})
    assert status == 202, body
    run_jobs()
    status, runs = api("GET", "/supplies/runs")
    assert status == 200, runs
    return runs


def verify_ledger(app) -> list:
    with app.app_context():
        return ledger.verify(session=db.session)


@dataclass
class OneRun:
    warehouse: Warehouse
    masks: Item
    gloves: Item
    organization: Organization
    request_id: int
    crew: Crew
    run: dict

    @property
    def stop(self) -> dict:
        return self.run["stops"][0]

    def lines(self, masks: tuple = (100, 0, None), gloves: tuple = (50, 0, None)) -> list[dict]:
        """Proof lines: (accepted, rejected, reason) for masks and gloves."""
        by_item = {li["item_id"]: li["id"] for li in self.stop["lines"]}
        out = []
        for item_id, (accepted, rejected, reason) in ((self.masks.id, masks), (self.gloves.id, gloves)):
            line = {"line_id": by_item[item_id], "accepted": accepted, "rejected": rejected}
            if reason is not None:
                line["reject_reason"] = reason
            out.append(line)
        return out

    def proof(self, **overrides) -> dict:
        lat, lon = ALMATY
        return {"recipient_name": "Dr. Sadykova", "lat": lat + 0.05, "lon": lon, "lines": self.lines()} | overrides


def one_run(app, make, api, run_jobs, *, steps_taken: tuple[str, ...] = ("accept", "en-route", "on-site")) -> OneRun:
    """One run with one stop (100 masks, 50 pairs of gloves), its task taken
    through the given steps by the crew."""
    wh = warehouse(make)
    masks, gloves = item(make, "Medical mask"), item(make, "Gloves (pair)")
    receive(app, wh, masks, 1000)
    receive(app, wh, gloves, 500)
    team = crew(make)
    org = organization(make, (ALMATY[0] + 0.05, ALMATY[1]))
    request_id = held_request(app, org, wh, {masks.id: 100, gloves.id: 50})
    (run,) = plan(api, run_jobs, app)
    steps(api, team.account, run["task_id"], *steps_taken)
    return OneRun(wh, masks, gloves, org, request_id, team, api("GET", f"/supplies/runs/{run['id']}")[1])
