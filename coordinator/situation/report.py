"""The situation report: today's figures by region and the last 30 days as
series for charts. Counts of what happened come from the event log (the
record of every change); standing figures come from the tables. Placements
and beds count in the region of their facility."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator import localtime
from coordinator.events.models import Event
from coordinator.geo.models import Region
from coordinator.hotline import cases as hotline_cases
from coordinator.hotline import labels as hotline_labels
from coordinator.hotline import sla
from coordinator.hotline.models import CATEGORIES, Case
from coordinator.housing.models import Facility, FacilityBeds, OccupancyDay, PlacementRequest
from coordinator.i18n import N_
from coordinator.supplies import stock
from coordinator.supplies.models import Delivery, Organization, Warehouse

# Event types counted per region today, and the column each one feeds.
COUNTED = {"placement.assigned": "placed", "placement.checked_in": "checked_in", "placement.released": "released"}
HISTORY_DAYS = 30
# The charts' series (beds and case categories) as message ids; stock series are item names.
LEGEND = {
    "occupied": N_("occupied"),
    "held": N_("held"),
    "in_service": N_("in service"),
    **hotline_labels.CODES["category"],
}


def _by_region(session: Session, query) -> dict[int | None, Any]:
    return {region_id: value for region_id, value in session.execute(query)}


def today(*, session: Session, region_id: int | None, locale: str = "en") -> list[dict[str, Any]]:
    """One row per region in scope: beds, placements, releases, stock and
    cover, cases opened/closed/breached and deliveries, for today: the local
    day (TIMEZONE), which in Almaty begins at 19:00 UTC the evening before."""
    start = localtime.day_start()
    regions = session.scalars(select(Region).order_by(Region.name_en))
    regions = [r for r in regions if region_id is None or r.id == region_id]

    beds = {
        rid: (total, free, occupied)
        for rid, total, free, occupied in session.execute(
            select(
                Facility.region_id,
                func.sum(FacilityBeds.total - FacilityBeds.out_of_service),
                func.sum(FacilityBeds.free),
                func.sum(FacilityBeds.occupied),
            )
            .join(FacilityBeds, FacilityBeds.facility_id == Facility.id)
            .where(Facility.status != "closed")
            .group_by(Facility.region_id)
        )
    }
    # Placements count in the region of the facility they concern.
    counted: dict[tuple[int, str], int] = {
        (rid, type_): n
        for rid, type_, n in session.execute(
            select(Facility.region_id, Event.type, func.count(Event.id))
            .join(PlacementRequest, PlacementRequest.id == Event.subject_id)
            .join(Facility, Facility.id == PlacementRequest.facility_id)
            .where(Event.subject_type == "placement", Event.created_at >= start, Event.type.in_(COUNTED))
            .group_by(Facility.region_id, Event.type)
        )
    }
    opened = _by_region(
        session, select(Case.region_id, func.count(Case.id)).where(Case.created_at >= start).group_by(Case.region_id)
    )
    closed = _by_region(
        session,
        select(Case.region_id, func.count(Case.id)).where(Case.resolved_at >= start).group_by(Case.region_id),
    )
    still_open = _by_region(
        session,
        select(Case.region_id, func.count(Case.id)).where(hotline_cases.open_clause()).group_by(Case.region_id),
    )
    breached = _by_region(
        session,
        select(Case.region_id, func.count(Case.id))
        .where(hotline_cases.open_clause(), sla.breached_clause())
        .group_by(Case.region_id),
    )
    delivered = _by_region(
        session,
        select(Organization.region_id, func.count(Delivery.id))
        .join(Organization, Organization.id == Delivery.organization_id)
        .where(Delivery.status == "delivered", Delivery.received_at >= start)
        .group_by(Organization.region_id),
    )
    window = current_app.config["COVER_WINDOW_DAYS"]
    cover = stock.cover_by_warehouse(session=session, window_days=window, region_id=region_id)
    warehouse_region = dict(session.execute(select(Warehouse.id, Warehouse.region_id)).all())
    on_hand: dict[int, int] = defaultdict(int)
    scarcest: dict[int, tuple[float, str]] = {}
    for wid, items in cover.items():
        rid = warehouse_region[wid]
        for item in items:
            on_hand[rid] += item["on_hand"]
            days = item["days_of_cover"]
            if days is not None and (rid not in scarcest or days < scarcest[rid][0]):
                scarcest[rid] = (days, item["item"])

    rows = []
    for r in regions:
        total, free, occupied = beds.get(r.id, (0, 0, 0))
        rows.append(
            {
                "region_id": r.id,
                "region": r.name(locale),
                "beds": int(total or 0),
                "beds_free": int(free or 0),
                "beds_occupied": int(occupied or 0),
                **{col: counted.get((r.id, t), 0) for t, col in COUNTED.items()},
                "stock_on_hand": on_hand.get(r.id, 0),
                "cover_days": scarcest[r.id][0] if r.id in scarcest else None,
                "cover_item": scarcest[r.id][1] if r.id in scarcest else None,
                "cases_open": still_open.get(r.id, 0),
                "cases_opened": opened.get(r.id, 0),
                "cases_closed": closed.get(r.id, 0),
                "cases_breached": breached.get(r.id, 0),
                "deliveries": delivered.get(r.id, 0),
            }
        )
    return rows


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sums of the numeric columns (the worst cover for days of cover)."""
    summed = ("beds", "beds_free", "beds_occupied", *COUNTED.values(), "stock_on_hand")
    summed += ("cases_open", "cases_opened", "cases_closed", "cases_breached", "deliveries")
    out: dict[str, Any] = {key: sum(r[key] for r in rows) for key in summed}
    known = [r for r in rows if r["cover_days"] is not None]
    worst = min(known, key=lambda r: r["cover_days"]) if known else None
    out["cover_days"], out["cover_item"] = (worst["cover_days"], worst["cover_item"]) if worst else (None, None)
    return out


def history(*, session: Session, region_id: int | None, days: int = HISTORY_DAYS) -> dict[str, Any]:
    """Series for the charts: occupancy, stock per item and new cases per category per day."""
    first = localtime.local_today() - timedelta(days=days - 1)
    labels = [first + timedelta(days=i) for i in range(days)]
    occ_q = (
        select(
            OccupancyDay.day,
            func.sum(OccupancyDay.occupied),
            func.sum(OccupancyDay.held),
            func.sum(OccupancyDay.total - OccupancyDay.out_of_service),
        )
        .where(OccupancyDay.day >= first)
        .group_by(OccupancyDay.day)
    )
    # Cases are counted by their local day, so each is read back and sorted
    # here: a fixed SQL offset would be wrong in a zone with summer time.
    cases_q = select(Case.created_at, Case.category).where(Case.created_at >= localtime.day_start(first))
    if region_id is not None:
        occ_q = occ_q.join(Facility, Facility.id == OccupancyDay.facility_id).where(Facility.region_id == region_id)
        cases_q = cases_q.where(Case.region_id == region_id)
    occ = {d: (int(o or 0), int(h or 0), int(s or 0)) for d, o, h, s in session.execute(occ_q)}
    cases: dict[str, dict[date, int]] = defaultdict(dict)
    for created_at, category in session.execute(cases_q):
        day = localtime.to_local(created_at).date()
        cases[category][day] = cases[category].get(day, 0) + 1
    return {
        "days": [d.isoformat() for d in labels],
        "occupancy": {
            "occupied": [occ.get(d, (None,) * 3)[0] for d in labels],
            "held": [occ.get(d, (None,) * 3)[1] for d in labels],
            "in_service": [occ.get(d, (None,) * 3)[2] for d in labels],
        },
        "stock": stock.history(session=session, days=days, region_id=region_id)["series"],
        "cases": {c: [cases[c].get(d, 0) for d in labels] for c in CATEGORIES if c in cases},
        # The series' names as message ids: sitrep.js renders the legend per reader.
        "legend": LEGEND,
    }
