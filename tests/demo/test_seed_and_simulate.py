"""The demo country and the scenario generator, through the CLI."""

from datetime import timedelta

from sqlalchemy import func, select

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.demo.seed import DEMO_USERS
from coordinator.events.models import Event
from coordinator.field.models import Team
from coordinator.headquarters.models import Headquarters
from coordinator.hotline.models import Case, CaseClock, CaseStep, DuplicateLink, Inspection, Report
from coordinator.housing.models import Facility, FacilityBeds, OccupancyDay, PlacementRequest
from coordinator.supplies.models import Organization, StockBalance, StockMove, Warehouse


def test_seed_builds_a_country_once_and_simulate_keeps_it_moving(app, db_session, count):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "hq.almaty" in first.output and "birlik-demo" in first.output
    counts = {m.__name__: count(m) for m in (Facility, Warehouse, Organization, Headquarters, Team)}
    assert counts == {"Facility": 150, "Warehouse": 10, "Organization": 200, "Headquarters": 21, "Team": 60}
    # The demo's logins, and the accounts of the field crews whose inspections the hotline's month saw.
    users = db_session.scalars(select(User)).all()
    assert {u.username for u in users if not u.username.startswith("crew-")} == {name for _, name in DEMO_USERS}
    crews = [u for u in users if u.username.startswith("crew-")]
    assert all(u.role == "field" and db_session.get(Team, u.team_id).can_inspect for u in crews)
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
    _hotline_month_was_worked(db_session)
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


def _hotline_month_was_worked(session):
    """The seeded cases went through the hotline's services at their moments:
    clocks started when the report came in, steps stamped over the month,
    reports through all three channels, some linked as duplicates, inspections done."""
    assert set(session.scalars(select(Report.channel).distinct())) == {"phone", "web", "api"}
    assert session.scalar(select(func.count(DuplicateLink.id)).where(DuplicateLink.status == "linked")) > 0
    assert session.scalar(select(func.count(Inspection.id)).where(Inspection.status == "done")) > 0
    for case in session.scalars(select(Case).where(Case.status == "closed")):
        clocks = session.scalars(select(CaseClock).where(CaseClock.case_id == case.id)).all()
        assert {c.stage for c in clocks} >= {"triage", "resolution"}
        assert all(c.started_at >= case.created_at and c.stopped_at <= case.closed_at for c in clocks)
        steps = session.scalars(select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)).all()
        assert [s.status for s in steps if s.kind == "status"][-1] == "closed"
        assert [s.at for s in steps] == sorted(s.at for s in steps)  # written in the order they happened
    oldest = session.scalar(select(func.min(Case.closed_at)))
    assert oldest < now() - timedelta(days=14)
