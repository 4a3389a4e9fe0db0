"""Scenario generator: keeps the demo moving with HQ status reports and team
movements, each through the same services users call."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.field import service as field_service
from coordinator.field.models import Team
from coordinator.hq import service as hq_service
from coordinator.hq.models import Headquarters


def _hq_report(rng: random.Random, admin: User) -> str:
    hq = rng.choice(db.session.scalars(select(Headquarters)).all())
    hq_service.report_status(
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
    field_service.record_position(
        session=db.session,
        team=team,
        lat=team.last_lat + rng.uniform(-0.02, 0.02),
        lon=team.last_lon + rng.uniform(-0.02, 0.02),
        actor_id=None,
    )
    return f"{team.name} moved"


ACTIONS = ((_team_move, 4), (_hq_report, 1))


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
