"""Scenario generator: keeps the demo moving with team movements, HQ status
reports, supply requests of every tier, stock receipts and field crews
doing their delivery runs (with a shortfall now and then), hotline reports
through the phone, web and API channels (a quarter repeating an earlier
report, as people do), each through the same services
users call, plus groups asking for quarantine housing and arriving."""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from coordinator.auth import service as auth_service
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import DomainError
from coordinator.demo import callers
from coordinator.extensions import db
from coordinator.field import tasks as field_tasks
from coordinator.field import teams as field_teams
from coordinator.field.models import Task, Team
from coordinator.geo import gazetteer
from coordinator.headquarters import reports as hq_reports
from coordinator.headquarters.models import Headquarters
from coordinator.housing import placement
from coordinator.housing.models import PlacementRequest
from coordinator.queue import after_commit
from coordinator.supplies import delivery_proof, ledger
from coordinator.supplies import requests as supply_requests
from coordinator.supplies.models import DeliveryRun, Item, Organization, Warehouse


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


def _crew(team_id: int) -> User:
    """The simulated crew of a team: a field user, made on first use."""
    username = f"crew-{team_id}"
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = auth_service.create_user(
            session=db.session, username=username, password=secrets.token_urlsafe(16), role="field", team_id=team_id
        )
    return user


def _delivery_step(rng: random.Random, admin: User) -> str:
    """A crew takes its delivery run one step on: accept, pick up at the
    warehouse, prove a stop (now and then short or damaged), finish."""
    task = db.session.scalar(
        select(Task)
        .where(Task.kind == "delivery", Task.source_type == "delivery_run", Task.team_id.is_not(None),
               Task.status.in_(("offered", "accepted", "on_site")))
        .order_by(func.random())
        .limit(1)
    )  # fmt: skip
    if task is None:
        return "no delivery run under way"
    crew = _crew(task.team_id)
    if task.status in ("offered", "accepted"):
        action = "accept" if task.status == "offered" else "on_site"
        field_tasks.step(session=db.session, user=crew, task=task, action=action)
        return f"delivery run task #{task.id}: {action.replace('_', ' ')}"
    run = db.session.get(DeliveryRun, task.source_id)
    stop = next((s for s in run.stops if s.status == "planned"), None)
    if stop is None:
        field_tasks.step(session=db.session, user=crew, task=task, action="done")
        return f"delivery run #{run.id} done"
    lines = []
    for line in delivery_proof.stop_lines(db.session, stop):
        short = rng.randint(1, line.quantity) if rng.random() < 0.15 else 0
        lines.append(
            {"line_id": line.id, "accepted": line.quantity - short, "rejected": short,
             "reject_reason": rng.choice(["damaged", "missing"]) if short else None}
        )  # fmt: skip
    org = stop.organization
    delivery_proof.prove(
        session=db.session, user=crew, stop_id=stop.id, recipient_name=f"Duty nurse of {org.name}",
        lat=org.lat, lon=org.lon, lines=lines,
    )  # fmt: skip
    short = sum(line["rejected"] for line in lines)
    return f"stop {stop.seq} of run #{run.id} delivered" + (f", {short} short or damaged" if short else "")


def _operator(admin: User) -> User:
    """The demo's hotline operator, who takes the calls (the admin if there is none)."""
    return db.session.scalar(select(User).where(User.role == "hotline_operator").order_by(User.id).limit(1)) or admin


def _hotline_report(rng: random.Random, admin: User) -> str:
    """A report through one of the three channels (operator's phone form,
    public web form, another channel's API, whose token is the admin's); a
    quarter of them repeat a report of the last days the way people do: the
    employer spelled otherwise, the same site, the same phone on another channel."""
    earlier = callers.recent(db.session, rng) if rng.random() < callers.DUPLICATE_SHARE else None
    again = callers.duplicate(earlier, rng, caller="Simulated caller") if earlier else None
    if again is not None:
        draft, how = again
        channel = callers.pick_channel(rng, other_than=earlier.channel if "reporter" in how else None)
    else:
        draft, how = callers.fresh(db.session, rng, caller="Simulated caller"), ""
        channel = callers.pick_channel(rng)
    report = callers.file(db.session, draft, channel, rng, operator=_operator(admin), gateway=admin)
    said = f"hotline report by {channel}{f' ({report.via})' if report.via else ''}, case {report.case.number}"
    return said + (f", repeating a report of case {earlier.case.number} ({how})" if how else "")


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
    (_delivery_step, 3),
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
        try:
            echo(action(rng, admin))
            db.session.commit()
        except DomainError as exc:  # what a real user meets too (a task taken meanwhile...): go on
            db.session.rollback()
            echo(f"skipped: {exc.message}")
        done += 1
        if not steps or done < steps:
            time.sleep(interval)
