"""Finished tasks for HQ: who was offered each, who declined and why, each
step of the work, and what it produced (the report its source domain gives
through `field.reports`, or the team's own report for a task HQ made by hand).

Filtered and paged in SQL; a regional HQ sees its region's tasks only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Invalid
from coordinator.events.models import Event
from coordinator.field import reports
from coordinator.field.models import Task, Team
from coordinator.i18n import N_, text
from coordinator.localtime import day_start

# A task is over in one of these ("closed": its purpose went away meanwhile).
FINISHED_STATUSES = ("done", "failed", "cancelled", "closed")
# When it ended: cancelling sets no finish time, so the last change stands in.
ENDED = func.coalesce(Task.finished_at, Task.updated_at)

STATUS_WORDS = {
    "done": N_("done"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    "closed": N_("closed"),
}
# Each step of a task's timeline, by event type, as a person reads it.
STEP_TEXTS = {
    "task.created": N_("Created"),
    "task.offered": N_("Offered to %(team)s"),
    "task.declined": N_("Declined by %(team)s: %(reason)s"),
    "task.offer_expired": N_("%(team)s did not answer the offer in time"),
    "task.needs_hq": N_("Sent to HQ to assign: %(reason)s"),
    "task.accepted": N_("Accepted by %(team)s"),
    "task.en_route": N_("On the way"),
    "task.on_site": N_("On site"),
    "task.done": N_("Done"),
    "task.failed": N_("Failed: %(reason)s"),
    "task.cancelled": N_("Cancelled by HQ"),
    "task.closed": N_("Closed: %(reason)s"),
}


@dataclass(frozen=True)
class HistoryPage:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def finished(
    *,
    session: Session,
    user: User,
    team_id: int | None = None,
    kind: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 25,
) -> HistoryPage:
    """Finished tasks in the user's scope, most recently ended first, each
    with its timeline and report; `since`/`until` are whole days (in the operation's time zone) of
    when the task ended. Raises Invalid for a range that ends before it starts."""
    if since and until and until < since:
        raise Invalid(text(N_("The date range ends before it starts.")), field="until")
    query = select(Task).where(Task.status.in_(FINISHED_STATUSES))
    if team_id is not None:
        query = query.where(Task.team_id == team_id)
    if kind:
        query = query.where(Task.kind == kind)
    if since:
        query = query.where(ENDED >= day_start(since))
    if until and until < date.max:  # the last day of the calendar bounds nothing
        query = query.where(ENDED < day_start(until + timedelta(days=1)))
    query = authz.scoped(query, user, region=Task.region_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(query.order_by(ENDED.desc(), Task.id.desc()).limit(per_page).offset((page - 1) * per_page))
    )
    return HistoryPage(items=entries(session, rows), total=total, page=page, per_page=per_page)


def entries(session: Session, tasks: list[Task]) -> list[dict[str, Any]]:
    """The tasks with their timelines and reports, read in a few queries for the whole page."""
    steps = timelines(session, [t.id for t in tasks])
    found = reports.read(session, tasks)
    return [
        {
            "task": t,
            "id": t.id,
            "kind": t.kind,
            "title": t.display_title,
            "status": t.status,
            "status_text": text(STATUS_WORDS.get(t.status, t.status)),
            "team_id": t.team_id,
            "team": t.team.name if t.team else None,
            "region_id": t.region_id,
            "source_type": t.source_type,
            "source_id": t.source_id,
            "fail_reason": t.fail_reason,
            "created_at": t.created_at,
            "finished_at": t.finished_at or t.updated_at,
            "timeline": steps.get(t.id, []),
            "report": found.get(t.id) or own_report(t),
        }
        for t in tasks
    ]


def timelines(session: Session, task_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each task's steps from its events, oldest first, with the team named."""
    if not task_ids:
        return {}
    rows = list(
        session.scalars(
            select(Event).where(Event.subject_type == "task", Event.subject_id.in_(task_ids)).order_by(Event.id)
        )
    )
    team_ids = {_team_of(e) for e in rows} - {None}
    names = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all()) if team_ids else {}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in rows:
        team_id = _team_of(e)
        reason = (e.after or {}).get("reason")
        team = names.get(team_id) or (text(N_("team %(id)s"), id=team_id) if team_id else "—")
        msgid = STEP_TEXTS.get(e.type, e.type)
        out[e.subject_id].append(
            {
                "type": e.type,
                "at": e.created_at,
                "team_id": team_id,
                "team": names.get(team_id),
                "reason": reason,
                "text": text(msgid, team=team, reason=reason or "—") if msgid in STEP_TEXTS.values() else msgid,
            }
        )
    return out


def _team_of(e: Event) -> int | None:
    """The team a step concerns: the one offered, declining, expiring or at work."""
    after, before = e.after or {}, e.before or {}
    if e.type in ("task.declined", "task.cancelled"):
        return before.get("team_id") or after.get("team_id")
    if e.type == "task.offer_expired":
        return after.get("expired_team_id") or before.get("team_id")
    if e.type in ("task.created", "task.needs_hq"):
        return None
    return after.get("team_id")


def own_report(task: Task) -> dict[str, Any] | None:
    """The report the team sent with the task, for a task no domain follows
    (photos are counted here, and shown one by one at their own address)."""
    if not task.report:
        return None
    data = {k: v for k, v in task.report.items() if k != "photos"}
    data["photos"] = len(task.report.get("photos") or [])
    return {"source_type": None, "template": "field/_own_report.html", "data": data}


def photo(task: Task, number: int) -> str | None:
    """The team's photo `number` (from 1) of its own report, as a data: URL."""
    photos = (task.report or {}).get("photos") or []
    return photos[number - 1] if 1 <= number <= len(photos) else None
