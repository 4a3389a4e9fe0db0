"""What a transfer task produced, for HQ's task history (the `field.reports`
provider of placement tasks): the group, where it was picked up and taken,
and how many arrived."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.field.reports import TaskRef
from coordinator.housing.models import PlacementRequest


def task_reports(*, session: Session, tasks: list[TaskRef]) -> dict[int, dict[str, Any]]:
    """The placement of each transfer task (the caller has already scoped the tasks)."""
    groups = {
        p.id: p
        for p in session.scalars(select(PlacementRequest).where(PlacementRequest.id.in_([t.source_id for t in tasks])))
    }
    out = {}
    for t in tasks:
        p = groups.get(t.source_id)
        if p is None:
            continue
        out[t.task_id] = {
            "placement_id": p.id,
            "head_count": p.head_count,
            "origin": p.origin_name,
            "facility_id": p.facility_id,
            "facility": p.facility.name if p.facility else None,
            "facility_url": url_for("housing.facility", facility_id=p.facility_id) if p.facility_id else None,
            "status": p.status,
            "checked_in_count": p.checked_in_count,
            "checked_in_at": p.checked_in_at,
        }
    return out
