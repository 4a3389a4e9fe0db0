"""Tasks: creation by HQ (or by other domains), the team's steps, HQ's
reassign and cancel, and team shift and position.

offered -> accepted -> en_route -> on_site -> done, or failed (with a reason);
an offer can also be declined (with a reason) or expire, and the task goes to
the next team. A replay of a step that no longer applies (the task moved to
another team meanwhile) is a Conflict carrying the task's current state.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Forbidden, Invalid, NotFound
from coordinator.events import service as events
from coordinator.field.dispatch import alert_hq, capable, offer, task_rooms, task_state, withdraw_open
from coordinator.field.models import TASK_KINDS, Task, TaskOffer, Team, TeamPosition
from coordinator.field.service import team_rooms
from coordinator.geo.service import check_point, nearest_region

STEPS = {  # action: (allowed from, to, timestamp column)
    "accept": (("offered",), "accepted", "accepted_at"),
    "en_route": (("accepted",), "en_route", "en_route_at"),
    "on_site": (("en_route", "accepted"), "on_site", "on_site_at"),
    "done": (("on_site",), "done", "finished_at"),
    "fail": (("accepted", "en_route", "on_site"), "failed", "finished_at"),
    "decline": (("offered",), "declined", None),
}
TRACK_LENGTH = 50


def create(*, session: Session, user: User | None, data: dict[str, Any]) -> Task:
    """A task for a team (HQ creates deliveries and inspections by hand)."""
    if data["kind"] not in TASK_KINDS:
        raise Invalid(f"Unknown kind '{data['kind']}'.", field="kind")
    check_point(data["lat"], data["lon"])
    if data.get("dest_lat") is not None:
        check_point(data["dest_lat"], data["dest_lon"], field="dest")
    region = nearest_region(session=session, lat=data["lat"], lon=data["lon"])
    if user is not None:
        authz.require_region(user, region.id)
    task = Task(
        kind=data["kind"],
        title=data["title"],
        lat=data["lat"],
        lon=data["lon"],
        dest_lat=data.get("dest_lat"),
        dest_lon=data.get("dest_lon"),
        priority=data.get("priority", 3),
        deadline=data.get("deadline"),
        details=data.get("details") or None,
        region_id=region.id,
        source_type=data.get("source_type"),
        source_id=data.get("source_id"),
        status="created",
    )
    session.add(task)
    session.flush()
    events.record(
        session=session,
        type="task.created",
        subject_type="task",
        subject_id=task.id,
        rooms=task_rooms(task),
        actor_id=user.id if user else None,
        after=task_state(task),
    )
    return task


def get(*, session: Session, user: User, task_id: int, lock: bool = False) -> Task:
    query = select(Task).where(Task.id == task_id)
    if lock:
        query = query.with_for_update(of=Task)
    task = session.scalar(query)
    if task is None:
        raise NotFound(f"No task with id {task_id}.")
    if user.role in authz.HQ_ROLES:
        authz.require_region(user, task.region_id)
    elif user.role == "field":
        if task.team_id != user.team_id and not _was_offered(session, task.id, user.team_id):
            raise Forbidden("This task is not your team's.")
    else:
        raise Forbidden("Your role may not see tasks.")
    return task


def _was_offered(session: Session, task_id: int, team_id: int | None) -> bool:
    return (
        bool(team_id)
        and session.scalar(
            select(TaskOffer.id).where(TaskOffer.task_id == task_id, TaskOffer.team_id == team_id).limit(1)
        )
        is not None
    )


def step(
    *,
    session: Session,
    user: User,
    task: Task,
    action: str,
    reason: str | None = None,
    report: dict[str, Any] | None = None,
) -> Task:
    """A field team's step on its task; raises Conflict with the current state when it no longer applies."""
    allowed, target, stamp = STEPS[action]
    if task.team_id != user.team_id:
        raise Conflict("This task was given to another team meanwhile.", status=task.status, current=task_state(task))
    if task.status not in allowed:
        raise Conflict(
            f"Cannot {action.replace('_', ' ')} a task that is {task.status.replace('_', ' ')}.",
            status=task.status,
            current=task_state(task),
        )
    if action in ("decline", "fail") and not (reason or "").strip():
        raise Invalid("Say why.", field="reason")
    before = task_state(task)
    if action in ("accept", "decline"):
        o = session.scalar(select(TaskOffer).where(TaskOffer.task_id == task.id, TaskOffer.status == "offered"))
        if o is None or o.team_id != user.team_id:
            raise Conflict("The offer is no longer open.", status=task.status, current=task_state(task))
        o.status, o.answered_at, o.reason = ("accepted" if action == "accept" else "declined"), now(), reason
    if action == "decline":
        task.status, task.team_id = "created", None
    else:
        task.status = target
        setattr(task, stamp, now())
    if action == "fail":
        task.fail_reason = reason
    if report:
        task.report = (task.report or {}) | report
    events.record(
        session=session,
        type=f"task.{target}",
        subject_type="task",
        subject_id=task.id,
        rooms=task_rooms(task, user.team_id),
        actor_id=user.id,
        before=before,
        after=task_state(task) | ({"reason": reason} if reason else {}) | ({"report": report} if report else {}),
    )
    _follow_source(session, task, action, user)
    return task


def _follow_source(session: Session, task: Task, action: str, user: User) -> None:
    # A transfer's pick-up puts its group in transit.
    if task.kind == "transfer" and task.source_type == "placement" and action == "on_site":
        from coordinator.housing import placement
        from coordinator.housing.models import PlacementRequest

        p = session.get(PlacementRequest, task.source_id)
        if p is not None and p.status == "assigned":
            placement.mark_in_transit(session=session, user=user, p=p)


def reassign(*, session: Session, user: User, task: Task, team: Team) -> Task:
    """HQ gives the task to a chosen team (as an offer)."""
    if task.status in ("done", "failed", "cancelled"):
        raise Conflict(f"The task is already {task.status}.", status=task.status)
    if not capable(team, task):
        raise Invalid(f"{team.name} cannot do {task.kind} tasks.", field="team_id")
    task.needs_hq = False
    offer(session, task, team, None, actor_id=user.id)
    return task


def cancel(*, session: Session, user: User, task: Task) -> Task:
    if task.status in ("done", "failed", "cancelled"):
        raise Conflict(f"The task is already {task.status}.", status=task.status)
    withdraw_open(session, task, reason="cancelled")
    before = task_state(task)
    team_id = task.team_id
    task.status = "cancelled"
    events.record(
        session=session,
        type="task.cancelled",
        subject_type="task",
        subject_id=task.id,
        rooms=task_rooms(task, team_id),
        actor_id=user.id,
        before=before,
        after=task_state(task),
    )
    return task


def timeline(*, session: Session, task: Task) -> list[dict[str, Any]]:
    from coordinator.events.models import Event

    rows = session.scalars(
        select(Event).where(Event.subject_type == "task", Event.subject_id == task.id).order_by(Event.id)
    )
    return [
        {
            "type": e.type,
            "at": e.created_at,
            "team_id": (e.after or {}).get("team_id"),
            "reason": (e.after or {}).get("reason"),
        }
        for e in rows
    ]


def set_shift(*, session: Session, user: User, team: Team, on_duty: bool) -> Team:
    before = {"on_duty": team.on_duty}
    team.on_duty = on_duty
    events.record(
        session=session,
        type="team.shift",
        subject_type="team",
        subject_id=team.id,
        rooms=team_rooms(team),
        actor_id=user.id,
        before=before,
        after={"on_duty": on_duty},
    )
    return team


def report_position(*, session: Session, user: User | None, team: Team, lat: float, lon: float, at) -> Team:
    """Store a position from the team's phone (or the simulator, with no user);
    refuses impossible times and places."""
    check_point(lat, lon, field="position")
    current = now()
    if at > current + timedelta(minutes=2):
        raise Invalid("The position's time is in the future.", field="at")
    if at < current - timedelta(hours=12):
        raise Invalid("The position is more than 12 hours old.", field="at")
    if team.last_seen_at and at <= team.last_seen_at:
        return team  # an older fix arriving late: keep the newer one
    session.add(TeamPosition(team_id=team.id, lat=lat, lon=lon, at=at))
    before = {"lat": team.last_lat, "lon": team.last_lon, "at": team.last_seen_at}
    team.last_lat, team.last_lon, team.last_seen_at = lat, lon, at
    events.record(
        session=session,
        type="team.position",
        subject_type="team",
        subject_id=team.id,
        rooms=team_rooms(team),
        actor_id=user.id if user else None,
        before=before,
        after={"lat": lat, "lon": lon, "at": at},
    )
    old = session.scalars(
        select(TeamPosition.id)
        .where(TeamPosition.team_id == team.id)
        .order_by(TeamPosition.at.desc())
        .offset(TRACK_LENGTH)
    ).all()
    if old:
        session.execute(TeamPosition.__table__.delete().where(TeamPosition.id.in_(old)))
    return team


# A team with a task in one of these is at work on it.
WORKING = ("accepted", "en_route", "on_site")


def team_status(team: Team, *, working: bool) -> str:
    """What HQ sees of a team: off duty, stale (phone silent), busy or available."""
    if not team.on_duty:
        return "off_duty"
    if is_stale(team):
        return "stale"
    return "busy" if working else "available"


def is_stale(team: Team) -> bool:
    """An on-duty team whose phone has been silent too long."""
    limit = timedelta(seconds=current_app.config["TEAM_STALE_SECONDS"])
    return team.on_duty and (team.last_seen_at is None or now() - team.last_seen_at > limit)


__all__ = [
    "alert_hq",
    "cancel",
    "create",
    "get",
    "reassign",
    "report_position",
    "set_shift",
    "step",
    "team_status",
    "timeline",
]
