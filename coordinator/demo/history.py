"""The demo's past: 30 days of stock issues, people in quarantine now and
the occupancy curve that led there, and a month of hotline cases. Without a
past, days of cover, the situation report's charts and the SLA clock would
all start empty."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.common.clock import now
from coordinator.hotline import intake as hotline
from coordinator.hotline.intake import SLA_HOURS
from coordinator.hotline.models import CATEGORIES
from coordinator.housing.models import Facility, OccupancyDay, PlacementRequest
from coordinator.supplies.models import Organization, StockBalance, StockMove

DAYS = 30


def stock(session: Session, rng: random.Random) -> None:
    """Opening stock a month ago, then daily issues; some items run low."""
    start = now() - timedelta(days=DAYS)
    for move in session.scalars(select(StockMove).where(StockMove.reference == "opening stock")):
        move.created_at = move.occurred_at = start
    for balance in session.scalars(select(StockBalance)):
        rate = balance.on_hand * rng.uniform(0.003, 0.028)
        for day in range(DAYS, 0, -1):
            qty = min(balance.on_hand, max(1, round(rate * rng.uniform(0.6, 1.4))))
            if not qty:
                break
            balance.on_hand -= qty
            at = now() - timedelta(days=day, hours=rng.uniform(-6, 6))
            # Held for a request, then issued: the ledger's path for stock that leaves.
            for kind in ("held", "issued"):
                session.add(
                    StockMove(
                        warehouse_id=balance.warehouse_id,
                        item_id=balance.item_id,
                        lot_id=balance.lot_id,
                        kind=kind,
                        quantity=qty,
                        reason="issued to requesters",
                        occurred_at=at,
                        created_at=at,
                    )
                )


def quarantine(session: Session, rng: random.Random, facilities: list[Facility]) -> None:
    """Groups checked in over the last two weeks, and 30 days of daily readings."""
    for f in facilities:
        standard = next((b for b in f.beds if b.category == "standard"), None)
        if standard is None or rng.random() < 0.3:
            continue
        for _ in range(rng.randint(1, 4)):
            size = rng.randint(1, 12)
            if standard.free < size:
                break
            arrived = now() - timedelta(days=rng.uniform(0.5, 13.5))
            session.add(
                PlacementRequest(
                    head_count=size,
                    checked_in_count=size,
                    contact_phone="+7 700 000 00 00",
                    origin_name=f.settlement,
                    origin_lat=f.lat,
                    origin_lon=f.lon,
                    region_id=f.region_id,
                    status="checked_in",
                    facility_id=f.id,
                    bed_category="standard",
                    checked_in_at=arrived,
                    release_due_at=arrived + timedelta(days=14),
                    created_at=arrived - timedelta(hours=3),
                )
            )
            standard.occupied += size
    session.flush()
    today = now().date()
    for f in facilities:
        total = sum(b.total for b in f.beds)
        oos = sum(b.out_of_service for b in f.beds)
        occupied = sum(b.occupied for b in f.beds)
        for back in range(DAYS - 1, 0, -1):
            # The month's wave: rising to a peak ten days ago, easing to today's figure.
            wave = 0.6 + 0.8 * max(0.0, 1 - abs(back - 10) / 15)
            session.add(
                OccupancyDay(
                    facility_id=f.id,
                    day=today - timedelta(days=back),
                    total=total,
                    out_of_service=oos,
                    held=0,
                    occupied=min(total - oos, round(occupied * wave * rng.uniform(0.9, 1.1))),
                )
            )


def cases(session: Session, rng: random.Random) -> None:
    """About 8 hotline cases a day; the older ones resolved, a few recent ones late."""
    orgs = session.scalars(select(Organization)).all()
    for back in range(DAYS, -1, -1):
        for _ in range(rng.randint(4, 12)):
            org = rng.choice(orgs)
            category = rng.choice(CATEGORIES)
            severity = rng.choices(["critical", "high", "normal"], weights=[1, 3, 8])[0]
            report = hotline.file_report(
                session=session,
                channel=rng.choice(["phone", "web"]),
                category=category,
                description=f"{category.replace('_', ' ').capitalize()} reported at {org.name}.",
                region_id=org.region_id,
                lat=org.lat + rng.uniform(-0.03, 0.03),
                lon=org.lon + rng.uniform(-0.03, 0.03),
                settlement=org.settlement,
                employer_name=org.name,
                severity=severity,
                anonymous=rng.random() < 0.5,
                reporter_name="Demo caller",
                reporter_contact="+7 700 000 0000",
            )
            case = report.case
            opened = now() - timedelta(days=back, hours=rng.uniform(0, 20))
            case.created_at = report.created_at = opened
            case.sla_due_at = opened + timedelta(hours=SLA_HOURS[severity])
            if back > 3 or (back > 0 and rng.random() < 0.6):
                case.status = rng.choice(["resolved", "closed", "referred"])
                case.resolved_at = min(now(), opened + timedelta(hours=rng.uniform(1, SLA_HOURS[severity] * 1.2)))
                case.resolution = "Resolved with the employer." if case.status != "referred" else "Referred."
            else:
                case.status = rng.choice(["new", "triaged", "inspection_assigned"])


def backfill(*, session: Session, rng: random.Random, facilities: list[Facility]) -> None:
    stock(session, rng)
    quarantine(session, rng, facilities)
    cases(session, rng)
    session.flush()
