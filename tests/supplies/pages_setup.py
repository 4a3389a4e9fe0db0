"""Setting up the supplies page tests: a warehouse short of masks for two
front-line hospitals, and a delivery run taken to the doors with proof."""

from __future__ import annotations

from dataclasses import dataclass

from coordinator.supplies.models import Item, Organization, Warehouse
from tests.factories import Account, Factory


@dataclass
class Scarce:
    warehouse: Warehouse
    masks: Item
    manager: Account
    ours: Organization
    theirs: Organization
    crew: Account
    requester: Account


def scarce(app, make: Factory, api) -> Scarce:
    """100 masks in one warehouse (received by its manager); two tier-1
    hospitals north of it; a delivery team with its crew; our hospital's
    requester. Routes are planned quickly by the in-process worker."""
    wh = make.warehouse("almaty")
    masks = Item(code="mask", name="Medical mask", unit="pcs", unit_kg=0.01)
    make.session.add(masks)
    make.session.commit()
    manager = make.account("warehouse_manager")
    manager.user.warehouses = [wh]
    ours, theirs = make.organization("almaty", tier=1), make.organization("almaty", tier=1)
    ours.lat, theirs.lat = wh.lat + 0.03, wh.lat + 0.06
    make.session.commit()
    team = make.team("almaty", can_deliver=True, vehicle_capacity_kg=500)
    crew = make.account("field", team_id=team.id)
    requester = make.account("requester", organization_id=ours.id)
    status, body = api(
        "post",
        f"/warehouses/{wh.id}/receipts",
        manager,
        json={"item_id": masks.id, "quantity": 100, "source": "donor", "reference": "Red Crescent 12"},
    )
    assert status == 201, body
    app.config["SUPPLY_ROUTE_SECONDS"] = 0.2
    return Scarce(wh, masks, manager, ours, theirs, crew, requester)


def deliver(api, world: Scarce, run: dict, rejected: dict[int, int]) -> dict[int, dict]:
    """The crew takes the run's task to the doors and proves each stop, with
    `rejected` ({organization id: units refused as damaged}); the stops by
    organization id."""
    for step in ("accept", "en-route", "on-site"):
        status, body = api("post", f"/tasks/{run['task_id']}/{step}", world.crew, json={})
        assert status == 200, (step, body)
    stops = {s["organization_id"]: s for s in api("get", f"/supplies/runs/{run['id']}")[1]["stops"]}
    for org in (world.ours, world.theirs):
        stop, refused = stops[org.id], rejected.get(org.id, 0)
        [line] = stop["lines"]
        proof = {"line_id": line["id"], "accepted": line["quantity"] - refused, "rejected": refused}
        if refused:
            proof["reject_reason"] = "damaged"
        status, body = api(
            "post",
            f"/deliveries/{stop['id']}/proof",
            world.crew,
            json={"recipient_name": "Dr. Sadykova", "lat": org.lat, "lon": org.lon, "lines": [proof]},
        )
        assert status == 200, body
    return stops
