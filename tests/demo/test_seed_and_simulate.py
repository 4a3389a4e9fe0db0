"""The demo country and the scenario generator, through the CLI."""

from sqlalchemy import func, select

from coordinator.auth.models import User
from coordinator.events.models import Event
from coordinator.field.models import Team
from coordinator.headquarters.models import Headquarters
from coordinator.hotline.models import Case, Report
from coordinator.housing.models import Facility, FacilityBeds, OccupancyDay, PlacementRequest
from coordinator.supplies.models import Organization, StockBalance, StockMove, Warehouse


def test_seed_builds_a_country_once_and_simulate_keeps_it_moving(app, db_session, count):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "hq.almaty" in first.output and "birlik-demo" in first.output
    counts = {m.__name__: count(m) for m in (Facility, Warehouse, Organization, Headquarters, Team, User)}
    assert counts == {"Facility": 150, "Warehouse": 10, "Organization": 200, "Headquarters": 21, "Team": 60, "User": 8}
    # A month of past: stock balances match their moves, people are in quarantine, cases have history.
    for b in db_session.scalars(select(StockBalance)):
        moves = db_session.execute(
            select(StockMove.kind, func.sum(StockMove.quantity))
            .where(StockMove.warehouse_id == b.warehouse_id, StockMove.item_id == b.item_id)
            .group_by(StockMove.kind)
        ).all()
        assert b.on_hand == dict(moves)["received"] - dict(moves).get("issued", 0) >= 0
    beds = db_session.execute(select(func.sum(FacilityBeds.occupied))).scalar()
    inside = db_session.execute(
        select(func.sum(PlacementRequest.checked_in_count)).where(PlacementRequest.status == "checked_in")
    ).scalar()
    assert beds == inside > 0
    assert count(OccupancyDay) == 150 * 29
    assert count(Case) > 200
    again = runner.invoke(args=["seed-demo"])
    assert "already present" in again.output
    assert count(Facility) == 150

    events_before = count(Event)
    sim = runner.invoke(args=["simulate", "--steps", "30", "--rate", "1000", "--seed", "7"])
    assert sim.exit_code == 0, sim.output
    db_session.expire_all()
    # "no ..." is an action with nothing to act on (no worker ran here, so no
    # delivery run is under way for the simulated crews).
    acted = [line for line in sim.output.splitlines() if line and not line.startswith(("no ", "skipped:"))]
    assert len(sim.output.splitlines()) == 30 and len(acted) >= 15
    assert count(Event) - events_before == len(acted)  # one event per action taken
    for report in db_session.scalars(select(Report).where(Report.anonymous.is_(True))):
        assert report.reporter_name is None and report.reporter_contact is None
    leaked = db_session.scalars(select(Event).where(Event.type == "case.opened")).all()
    assert all("Simulated caller" not in str(e.after) for e in leaked)
