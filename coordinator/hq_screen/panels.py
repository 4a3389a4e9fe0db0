"""The HQ screen's side panels: the KPI strip and the queues of work waiting
for a decision. Both follow the caller's scope (and an optional region)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.events import versions
from coordinator.field import teams as field_teams
from coordinator.field.models import Task, Team
from coordinator.hotline import cases as hotline_cases
from coordinator.hotline import labels as hotline_labels
from coordinator.hotline import sla
from coordinator.hotline.models import Case
from coordinator.housing import figures as housing_figures
from coordinator.housing.models import PlacementRequest
from coordinator.hq_screen.schemas import PanelsOut
from coordinator.i18n import N_, render, text
from coordinator.localtime import duration
from coordinator.supplies import stock
from coordinator.supplies.item_names import item_text, unit_text
from coordinator.supplies.models import (
    OPEN_REQUEST_STATUSES,
    AllocationOverride,
    Item,
    Organization,
    SupplyRequest,
    SupplyRequestLine,
)

QUEUE_LIMIT = 50
KIND_LABELS = {"delivery": N_("Delivery"), "transfer": N_("Transfer"), "inspection": N_("Inspection")}


def _minutes(since: datetime) -> int:
    return max(0, int((now() - since).total_seconds() // 60))


def team_counts(*, session: Session, region_id: int | None) -> dict[str, int]:
    """Teams by the status HQ sees (`field.teams.team_status`); off-duty teams are not counted."""
    query = select(Team)
    if region_id is not None:
        query = query.where(Team.region_id == region_id)
    working = set(session.scalars(select(Task.team_id).where(Task.status.in_(field_teams.WORKING))))
    out = {"teams_available": 0, "teams_busy": 0, "teams_stale": 0}
    for t in session.scalars(query):
        key = f"teams_{field_teams.team_status(t, working=t.id in working)}"
        if key in out:
            out[key] += 1
    return out


def case_counts(*, session: Session, region_id: int | None) -> dict[str, int]:
    query = select(
        func.count(Case.id),
        func.coalesce(func.sum(case((sla.breached_clause(), 1), else_=0)), 0),
    ).where(hotline_cases.open_clause())
    if region_id is not None:
        query = query.where(Case.region_id == region_id)
    opened, breached = session.execute(query).one()
    return {"cases_open": int(opened), "cases_breached": int(breached)}


def kpis(*, session: Session, user: User, region_id: int | None) -> dict[str, Any]:
    """Every number of the KPI strip, in one dict (the strip's data-kpi keys)."""
    out: dict[str, Any] = dict(housing_figures.summary(session=session, user=user, region_id=region_id))
    items = stock.item_cover(session=session, window_days=current_app.config["COVER_WINDOW_DAYS"], region_id=region_id)
    scarce = next((i for i in items if i["days_of_cover"] is not None), None)
    out["cover_days"] = scarce["days_of_cover"] if scarce else None
    out["cover_item"] = item_text(scarce["item"]) if scarce else None
    out |= case_counts(session=session, region_id=region_id)
    out |= team_counts(session=session, region_id=region_id)
    return out


def _wait(p: PlacementRequest) -> str:
    """Why a group waits, in the reader's language (the English of older decisions as it was)."""
    stored = (p.decision or {}).get("wait")
    return render(stored) if stored else p.wait_reason or text(N_("being placed"))


def _placements(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = (
        select(PlacementRequest)
        .where(PlacementRequest.status.in_(("requested", "waiting")))
        .order_by(PlacementRequest.priority, PlacementRequest.created_at)
        .limit(QUEUE_LIMIT)
    )
    if region_id is not None:
        query = query.where(PlacementRequest.region_id == region_id)
    return [
        {
            "id": p.id,
            "title": f"#{p.id} · {p.head_count} · {p.origin_name}",
            "age_minutes": _minutes(p.created_at),
            "reason": _wait(p),
            "lat": p.origin_lat,
            "lon": p.origin_lon,
            "link": f"/hq/placements#placement-{p.id}",
            "action": {"label": "re-dispatch", "method": "POST", "url": f"/api/v1/placements/{p.id}/dispatch"},
        }
        for p in session.scalars(query)
    ]


def _supply_lines(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    # A line wants what it asked for, or the quantity HQ fixed for it.
    target = func.coalesce(AllocationOverride.quantity, SupplyRequestLine.quantity_requested)
    query = (
        select(SupplyRequestLine, SupplyRequest, Organization, Item, target)
        .join(SupplyRequest, SupplyRequest.id == SupplyRequestLine.request_id)
        .join(Organization, Organization.id == SupplyRequest.organization_id)
        .join(Item, Item.id == SupplyRequestLine.item_id)
        .outerjoin(AllocationOverride, AllocationOverride.line_id == SupplyRequestLine.id)
        .where(SupplyRequest.status.in_(OPEN_REQUEST_STATUSES), SupplyRequestLine.quantity_allocated < target)
        .order_by(SupplyRequest.tier, SupplyRequest.created_at)
        .limit(QUEUE_LIMIT)
    )
    if region_id is not None:
        query = query.where(Organization.region_id == region_id)
    return [
        {
            "id": line.id,
            "title": f"{org.name}: {wanted - line.quantity_allocated} {unit_text(item.unit)} {item_text(item.name)}",
            "age_minutes": _minutes(req.created_at),
            "reason": _(
                "tier %(tier)s, %(got)s of %(asked)s allocated",
                tier=req.tier,
                got=line.quantity_allocated,
                asked=wanted,
            ),
            "lat": org.lat,
            "lon": org.lon,
            # The title opens the line on the supplies board; the button allocates its item now.
            "link": f"/hq/supplies?item_id={item.id}#unserved-{line.id}",
            "action": {
                "label": "allocate now",
                "method": "POST",
                "url": "/api/v1/supplies/allocate",
                "body": {"item_ids": [item.id]},
            },
        }
        for line, req, org, item, wanted in session.execute(query)
    ]


def _task_reason(t: Task) -> str:
    """Why the task waits, in the reader's language (rows from before 0010 have no stored reason)."""
    if t.reason_text:
        return t.reason_text
    if t.needs_hq:
        return _("Offered %(count)s times; no team took it.", count=t.offer_attempts)
    return _("waiting for an offer")


def _tasks(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = (
        select(Task)
        .where(Task.status == "created")
        .order_by(Task.needs_hq.desc(), Task.priority, Task.created_at)
        .limit(QUEUE_LIMIT)
    )
    if region_id is not None:
        query = query.where(Task.region_id == region_id)
    return [
        {
            "id": t.id,
            "title": f"#{t.id} {_(KIND_LABELS.get(t.kind, t.kind))}: {t.display_title}",
            "age_minutes": _minutes(t.created_at),
            "reason": _task_reason(t),
            "lat": t.lat,
            "lon": t.lon,
            "link": f"/hq/teams#task-{t.id}",
            "action": {"label": "assign", "href": f"/hq/teams#task-{t.id}"},
        }
        for t in session.scalars(query)
    ]


def _cases(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    horizon = now() + timedelta(minutes=current_app.config["SLA_WARNING_MINUTES"])
    query = (
        select(Case)
        .where(hotline_cases.open_clause(), Case.sla_due_at <= horizon)
        .order_by(Case.sla_due_at)
        .limit(QUEUE_LIMIT)
    )
    if region_id is not None:
        query = query.where(Case.region_id == region_id)
    out = []
    label = hotline_labels.labeller()
    for c in session.scalars(query):
        left = int((c.sla_due_at - now()).total_seconds() // 60)
        out.append(
            {
                "id": c.id,
                "title": f"{c.number} · {label('category', c.category)} · {label('severity', c.severity)}",
                "age_minutes": _minutes(c.created_at),
                "reason": text(N_("SLA breached %(age)s ago"), age=duration(left))
                if left < 0
                else text(N_("SLA due in %(left)s"), left=duration(left)),
                "lat": c.lat,
                "lon": c.lon,
                "link": f"/hotline/cases/{c.id}",
                "action": None,
            }
        )
    return out


def queues(*, session: Session, region_id: int | None) -> dict[str, list[dict[str, Any]]]:
    """Work waiting for HQ, oldest or most urgent first (at most 50 rows per queue)."""
    return {
        "placements": _placements(session, region_id),
        "supply_lines": _supply_lines(session, region_id),
        "tasks": _tasks(session, region_id),
        "cases": _cases(session, region_id),
    }


def panels_json(*, session: Session, user: User, region_id: int | None) -> bytes:
    """The KPI strip and the queues of a region (None: all) as the API's
    JSON (`PanelsOut`), computed once per data version, minute, scope and
    language for every viewer and web process (`events.versions.cached`):
    each change costs one computation, not one per HQ screen. While the data
    changes faster than that, they may lag it by PANELS_MAX_LAG_SECONDS."""

    def compute() -> bytes:
        body = {
            "region_id": region_id,
            "kpis": kpis(session=session, user=user, region_id=region_id),
            "queues": queues(session=session, region_id=region_id),
        }
        return json.dumps(PanelsOut().dump(body), separators=(",", ":")).encode()

    key = (region_id, authz.region_scope(user), str(get_locale()))
    lag = current_app.config["PANELS_MAX_LAG_SECONDS"]
    return versions.cached("panels", key, compute, per_minute=True, max_lag=lag)
