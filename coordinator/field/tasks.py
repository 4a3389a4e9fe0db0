"""Tasks: creation by HQ (or by other domains, through `create` and
`field.hooks`, and withdrawn by them through `withdraw_for_source` while no
team has taken them), the team's steps, and HQ's reassign and cancel.

offered -> accepted -> en_route -> on_site -> done, or failed (with a reason);
an offer can also be declined (with a reason) or expire, and the task goes to
the next team. A replay of a step that no longer applies (the task moved to
another team meanwhile) is a Conflict carrying the task's current state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz, queue
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Forbidden, Invalid, NotFound
from coordinator.events import service as events
from coordinator.field import hooks
from coordinator.field.dispatch import alert_hq, capable, close, offer, task_rooms, task_state, withdraw_open
from coordinator.field.labels import CODES
from coordinator.field.models import TASK_KINDS, WORKING_STATUSES, Task, TaskOffer, Team
from coordinator.geo.service import check_point, nearest_region
from coordinator.i18n import N_, render, text

STEPS = {  # action: (allowed from, to, timestamp column)
    "accept": (("offered",), "accepted", "accepted_at"),
    "en_route": (("accepted",), "en_route", "en_route_at"),
    "on_site": (("en_route", "accepted"), "on_site", "on_site_at"),
    "done": (("on_site",), "done", "finished_at"),
    "fail": (("accepted", "en_route", "on_site"), "failed", "finished_at"),
    "decline": (("offered",), "declined", None),
}


def _status_word(status: str) -> str:
    """A task status inside an error message: the reader's word for it where
    the English word is the code itself ("on site"), else the code as before."""
    msgid = CODES["status"].get(status)
    return text(msgid) if msgid == status.replace("_", " ") else status.replace("_", " ")


def create(
    *,
    session: Session,
    kind: str,
    title: str | dict[str, Any],
    lat: float,
    lon: float,
    user: User | None = None,
    actor_id: int | None = None,
    dest_lat: float | None = None,
    dest_lon: float | None = None,
    priority: int = 3,
    deadline: datetime | None = None,
    details: dict[str, Any] | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
    region_id: int | None = None,
) -> Task:
    """Create a task and have it offered to a team (after commit). The one way
    to make a task: HQ by hand (`user`, whose region scope is checked) or
    another domain for its own record (`source_type`, `source_id`, and the
    acting user's id); that domain follows the task through `field.hooks`.
    `title` is what HQ typed, or a message (`coordinator.i18n.message`) that
    each reader sees in their own language. Raises Invalid or Forbidden."""
    if kind not in TASK_KINDS:
        raise Invalid(text(N_("Unknown kind '%(kind)s'."), kind=kind), field="kind")
    check_point(lat, lon, field="lat")
    if dest_lat is not None or dest_lon is not None:
        if dest_lat is None or dest_lon is None:
            raise Invalid(
                text(N_("Give both dest_lat and dest_lon, or neither.")),
                field="dest_lat" if dest_lat is None else "dest_lon",
            )
        check_point(dest_lat, dest_lon, field="dest_lat")
    if region_id is None:
        region_id = nearest_region(session=session, lat=lat, lon=lon).id
    if user is not None:
        authz.require_record(user, region_id=region_id)
        actor_id = user.id
    title_message = title if isinstance(title, dict) else None
    if title_message is not None:
        with force_locale("en"):  # the column keeps English for exports and older readers
            title = render(title_message)
    task = Task(
        kind=kind,
        title=title[:200],
        title_message=title_message,
        lat=lat,
        lon=lon,
        dest_lat=dest_lat,
        dest_lon=dest_lon,
        priority=priority,
        deadline=deadline,
        details=details or None,
        region_id=region_id,
        source_type=source_type,
        source_id=source_id,
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
        actor_id=actor_id,
        after=task_state(task),
    )
    queue.after_commit(session, "offer_tasks")
    return task


def get(*, session: Session, user: User, task_id: int, lock: bool = False) -> Task:
    query = select(Task).where(Task.id == task_id)
    if lock:
        query = query.with_for_update(of=Task)
    task = session.scalar(query)
    if task is None:
        raise NotFound(text(N_("No task with id %(id)s."), id=task_id))
    if user.role == "field":
        if task.team_id != user.team_id and not _was_offered(session, task.id, user.team_id):
            raise Forbidden(text(N_("This task is not your team's.")))
    else:
        authz.require_record(user, region_id=task.region_id)
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
        raise Conflict(
            text(N_("This task was given to another team meanwhile.")), status=task.status, current=task_state(task)
        )
    if task.status not in allowed:
        raise Conflict(
            text(
                N_("Cannot %(action)s a task that is %(status)s."),
                action=action.replace("_", " "),
                status=_status_word(task.status),
            ),
            status=task.status,
            current=task_state(task),
        )
    if action in ("decline", "fail") and not (reason or "").strip():
        raise Invalid(text(N_("Say why.")), field="reason")
    before = task_state(task)
    if action in ("accept", "decline"):
        o = session.scalar(select(TaskOffer).where(TaskOffer.task_id == task.id, TaskOffer.status == "offered"))
        if o is None or o.team_id != user.team_id:
            raise Conflict(text(N_("The offer is no longer open.")), status=task.status, current=task_state(task))
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
    if action == "decline":
        queue.after_commit(session, "offer_tasks")
    _follow_source(session, task, user, reason=reason, report=report)
    return task


def _follow_source(
    session: Session, task: Task, actor: User | None, *, reason: str | None = None, report: dict | None = None
) -> None:
    """Tell the domain that made the task (through `field.hooks`) that it reached a status."""
    if task.source_type and task.source_id is not None and task.status in hooks.HOOK_STATUSES:
        step = hooks.TaskStep(
            task_id=task.id,
            kind=task.kind,
            source_type=task.source_type,
            source_id=task.source_id,
            status=task.status,
            report=report,
            reason=reason,
        )
        hooks.run(session, step, actor)


def reassign(*, session: Session, user: User, task: Task, team: Team) -> Task:
    """HQ gives the task to a chosen team (as an offer)."""
    if task.status in ("done", "failed", "cancelled"):
        already = text(N_("The task is already %(status)s."), status=_status_word(task.status))
        raise Conflict(already, status=task.status)
    if not capable(team, task):
        raise Invalid(text(N_("%(team)s cannot do %(kind)s tasks."), team=team.name, kind=task.kind), field="team_id")
    task.needs_hq, task.status_reason = False, None
    offer(session, task, team, None, actor_id=user.id)
    return task


def cancel(*, session: Session, user: User, task: Task) -> Task:
    if task.status in ("done", "failed", "cancelled"):
        already = text(N_("The task is already %(status)s."), status=_status_word(task.status))
        raise Conflict(already, status=task.status)
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
    _follow_source(session, task, user)
    return task


def withdraw_for_source(*, session: Session, source_type: str, source_id: int, reason: dict[str, Any]) -> bool:
    """A source changes its plan before any team took its task (a transfer
    whose group is moved elsewhere): close its tasks still waiting for a team,
    or offered to one, with `reason` (a message). If a team has already taken
    one (accepted or further, or done), nothing is closed and the answer is
    False: the source must keep its plan. The rows are locked, so a team's
    accept racing this waits and then finds its task closed."""
    rows = session.scalars(
        select(Task).where(Task.source_type == source_type, Task.source_id == source_id).with_for_update(of=Task)
    ).all()
    if any(t.status in (*WORKING_STATUSES, "done") for t in rows):
        return False
    for t in rows:
        if t.status in ("created", "offered"):
            close(session, t, reason)
    return True


def timeline(*, session: Session, task: Task) -> list[dict[str, Any]]:
    """The task's steps, each with its sentence in the reader's language
    (the same steps the task history shows)."""
    from coordinator.field.history import timelines

    return [
        {**step, "reason": render(step["reason"]) or None}  # a message since 0010
        for step in timelines(session, [task.id]).get(task.id, [])
    ]


__all__ = ["alert_hq", "cancel", "create", "get", "reassign", "step", "timeline", "withdraw_for_source"]
