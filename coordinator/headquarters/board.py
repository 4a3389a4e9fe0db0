"""The HQ status board: every HQ in the user's scope at a glance (its last
report and the report's age, who is on duty, open and breached cases, needs,
the silence flag), for the page and the API alike."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.headquarters import case_figures, registry, reports, roster
from coordinator.headquarters.models import Headquarters


def _minutes(since: datetime | None, at: datetime) -> int | None:
    return None if since is None else max(0, int((at - since).total_seconds() // 60))


def row(hq: Headquarters, *, at: datetime, last, on_duty, cases) -> dict[str, Any]:
    """One HQ's line on the board."""
    interval = registry.interval_minutes(hq)
    due_at = hq.last_report_at + timedelta(minutes=interval) if hq.last_report_at else None
    return {
        "hq": hq,
        "interval_minutes": interval,
        "last_report": last,
        "last_report_at": hq.last_report_at,
        "age_minutes": _minutes(hq.last_report_at, at),
        "due_at": due_at,
        "overdue": due_at is None or due_at < at,
        "silent": hq.silent,
        "on_duty": on_duty,
        "cases": cases,
    }


def rows(*, session: Session, user: User) -> list[dict[str, Any]]:
    """The board's lines: the national HQ first, then the others by name."""
    at = now()
    hqs = registry.list_hqs(session=session, user=user)
    ids = [hq.id for hq in hqs]
    last = reports.latest(session=session, hq_ids=ids)
    duty = roster.on_duty(session=session, hq_ids=ids)
    counts = case_figures.by_region(session=session, at=at)
    return [
        row(
            hq,
            at=at,
            last=last.get(hq.id),
            on_duty=duty.get(hq.id, []),
            cases=case_figures.for_hq(counts, hq.region_id),
        )
        for hq in hqs
    ]


def to_json(line: dict[str, Any]) -> dict[str, Any]:
    """A board line for the API."""
    hq, last, cases = line["hq"], line["last_report"], line["cases"]
    return {
        "hq_id": hq.id,
        "name": hq.name,
        "region_id": hq.region_id,
        "interval_minutes": line["interval_minutes"],
        "last_report_at": line["last_report_at"],
        "age_minutes": line["age_minutes"],
        "due_at": line["due_at"],
        "overdue": line["overdue"],
        "silent": line["silent"],
        "on_duty": [
            {"user_id": s.user_id, "name": s.user.display_name, "since": s.started_at} for s in line["on_duty"]
        ],
        "open_cases": cases.open if cases else None,
        "breached_cases": cases.breached if cases else None,
        "needs": last.needs if last else "",
        "reported_staff_on_duty": last.staff_on_duty if last else None,
    }
