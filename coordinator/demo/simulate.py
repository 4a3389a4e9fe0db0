"""Scenario generator: keeps the demo moving with team movements, HQ status
reports, supply requests of every tier and stock receipts, hotline reports,
each through the same services
users call, plus groups asking for quarantine housing and arriving."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.extensions import db
from coordinator.field import teams as field_teams
from coordinator.field.models import Team
from coordinator.geo import gazetteer
from coordinator.geo.service import region_by_code
from coordinator.headquarters import reports as hq_reports
from coordinator.headquarters.models import Headquarters
from coordinator.hotline import intake as hotline_intake
from coordinator.hotline.models import CATEGORIES
from coordinator.housing import placement
from coordinator.housing.models import PlacementRequest
from coordinator.queue import after_commit
from coordinator.supplies import ledger
from coordinator.supplies import requests as supply_requests
from coordinator.supplies.models import Item, Organization, Warehouse


def _hq_report(rng: random.Random, admin: User) -> str:
    """A status report from a random HQ, except Kyzylorda Region's: it is told
    to report every 15 minutes (the first time this runs) and never does, so
    the silence job flags it and the national HQ sees one HQ fall silent."""
    from coordinator.headquarters import registry as hq_registry

    quiet_region, quiet_minutes = "kyzylorda", 15
    hqs = db.session.scalars(select(Headquarters).order_by(Headquarters.id)).all()
    quiet = next((h for h in hqs if h.region is not None and h.region.code == quiet_region), None)
    if quiet is not None and quiet.report_interval_minutes != quiet_minutes:
        hq_registry.update(session=db.session, user=admin, hq=quiet, data={"report_interval_minutes": quiet_minutes})
        return f"{quiet.name} must report every {quiet_minutes} minutes from now (and will fall silent)"
    hq = rng.choice([h for h in hqs if h is not quiet])
    hq_reports.report_status(
        session=db.session,
        user=admin,
        hq_id=hq.id,
        staff_on_duty=rng.randint(2, 30),
        open_cases=rng.randint(0, 80),
        needs=rng.choice(["", "masks", "drivers", "beds"]),
    )
    return f"status report from {hq.name}"


def _team_move(rng: random.Random, admin: User) -> str:
    teams = db.session.scalars(select(Team).where(Team.on_duty.is_(True), Team.last_lat.is_not(None))).all()
    if not teams:
        return "no team on duty"
    team = rng.choice(teams)
    field_teams.report_position(
        session=db.session,
        team=team,
        lat=team.last_lat + rng.uniform(-0.02, 0.02),
        lon=team.last_lon + rng.uniform(-0.02, 0.02),
        user=None,
        at=now(),
    )
    return f"{team.name} moved"


def _supply_request(rng: random.Random, admin: User) -> str:
    org = rng.choice(db.session.scalars(select(Organization)).all())
    items = rng.sample(db.session.scalars(select(Item)).all(), k=rng.randint(1, 3))
    lines = []
    for item in items:
        line = {"item_id": item.id, "quantity": rng.randint(10, 500)}
        if rng.random() < 0.6:  # most requesters say what they have and use
            line |= {"on_hand": rng.randint(0, 200), "daily_use": float(rng.randint(5, 60))}
        lines.append(line)
    request = supply_requests.create(session=db.session, user=admin, organization_id=org.id, lines=lines)
    return f"supply request #{request.id} from {org.name}"


def _receipt(rng: random.Random, admin: User) -> str:
    """A donation or a purchase arrives at a warehouse (lots for items with expiry)."""
    warehouse = rng.choice(db.session.scalars(select(Warehouse).where(Warehouse.status == "open")).all())
    item = rng.choice(db.session.scalars(select(Item)).all())
    expiry = (now() + timedelta(days=rng.randint(60, 500))).date() if item.tracks_expiry else None
    source = rng.choice(["donor", "purchase"])
    ledger.receive(
        session=db.session,
        warehouse_id=warehouse.id,
        item_id=item.id,
        quantity=rng.randint(5, 80) * item.pack_size,
        source=source,
        reference=f"{'Donation' if source == 'donor' else 'PO'} {rng.randint(1000, 9999)}",
        lot_code=f"L{rng.randint(100, 999)}" if expiry else "",
        expires_on=expiry,
        actor_id=admin.id,
    )
    after_commit(db.session, "allocate_supplies", [item.id])
    return f"{item.name} received at {warehouse.name}"


def _hotline_report(rng: random.Random, admin: User) -> str:
    place = rng.choice(gazetteer.settlements())
    region = region_by_code(session=db.session, code=place.region_code)
    category = rng.choice(CATEGORIES)
    report = hotline_intake.file_report(
        session=db.session,
        channel=rng.choice(["phone", "web"]),
        category=category,
        description=f"Simulated report: {category.replace('_', ' ')} at a workplace in {place.name}.",
        region_id=region.id,
        lat=place.lat,
        lon=place.lon,
        settlement=place.name,
        severity=rng.choices(["critical", "high", "normal"], weights=[1, 3, 8])[0],
        anonymous=rng.random() < 0.4,
        reporter_name="Simulated caller",
        reporter_contact="+7 700 000 0000",
        actor_id=admin.id,
    )
    return f"hotline report, case {report.case.number}"


def _arrival(rng: random.Random, admin: User) -> str:
    place = rng.choice([s for s in gazetteer.settlements() if s.population > 20000])
    p = placement.create(
        session=db.session,
        user=admin,
        data={
            "head_count": rng.choices([1, 2, 4, 12, 40], weights=[5, 4, 3, 2, 1])[0],
            "contact_phone": f"+7 70{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            "origin": place.name,
            "needs_isolation": rng.random() < 0.1,
            "needs_family": rng.random() < 0.15,
            "needs_transport": rng.random() < 0.3,
            "priority": rng.randint(1, 5),
        },
    )
    return f"{p.head_count} people from {place.name} asked for quarantine housing"


def _arrive(rng: random.Random, admin: User) -> str:
    ready = db.session.scalars(
        select(PlacementRequest).where(PlacementRequest.status.in_(("assigned", "in_transit"))).limit(50)
    ).all()
    if not ready:
        return "no group on its way"
    p = rng.choice(ready)
    arrived = p.head_count if rng.random() < 0.9 else max(1, p.head_count - 1)
    placement.check_in(session=db.session, user=admin, p=p, count=arrived)
    return f"group #{p.id} checked in ({arrived} of {p.head_count})"


ACTIONS = [
    (_team_move, 4),
    (_hq_report, 1),
    (_supply_request, 2),
    (_receipt, 1),
    (_hotline_report, 1),
    (_arrival, 2),
    (_arrive, 2),
]


def run(*, rate: float, steps: int, rng_seed: int | None, echo: Callable[[str], None]) -> None:
    """Perform scenario actions at `rate` per second; `steps`=0 runs until interrupted."""
    rng = random.Random(rng_seed)
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    if admin is None:
        raise SystemExit("No admin user: run `flask --app coordinator seed-demo` first.")
    done = 0
    interval = 1.0 / max(rate, 0.01)
    while not steps or done < steps:
        action = rng.choices([a for a, _ in ACTIONS], weights=[w for _, w in ACTIONS])[0]
        echo(action(rng, admin))
        db.session.commit()
        done += 1
        if not steps or done < steps:
            time.sleep(interval)
