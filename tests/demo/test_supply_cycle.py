"""The demo runs the whole supplies cycle: requests of every tier and stock
receipts from the simulator, allocation and delivery runs by the workers, runs
offered to teams, and the simulated crews delivering with proof."""

from __future__ import annotations

from sqlalchemy import func, select

from coordinator.supplies.models import Allocation, Delivery, DeliveryRun, StockMove, SupplyRequest


def test_the_demo_runs_a_whole_supply_cycle(app, db_session, run_jobs):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    for _ in range(12):  # the simulator acts, the workers follow
        sim = runner.invoke(args=["simulate", "--steps", "40", "--rate", "1000", "--seed", str(_)])
        assert sim.exit_code == 0, sim.output
        run_jobs()
    db_session.expire_all()

    tiers = set(db_session.scalars(select(SupplyRequest.tier).distinct()))
    assert tiers == {1, 2, 3, 4}
    assert db_session.scalar(select(func.count(Allocation.id))) > 0
    assert db_session.scalar(select(func.count(DeliveryRun.id))) > 0
    delivered = db_session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "delivered"))
    assert delivered > 0, "no stop was delivered with proof"
    kinds = set(db_session.scalars(select(StockMove.kind).distinct()))
    assert {"received", "held", "issued", "delivered"} <= kinds
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 0, result.output
