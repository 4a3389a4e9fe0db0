"""Team dispatch: offer each task to the best available capable team.

Score = distance from the team's last position (or home HQ) in km, plus a
penalty per task the team already carries, so a near but busy team can lose to
a free one slightly farther away. Several waiting tasks are assigned together
with an optimal assignment (Hungarian method) instead of first-come greedy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from flask import current_app
from scipy.optimize import linear_sum_assignment
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.common.clock import now
from coordinator.events import service as events
from coordinator.field.models import WORKING_STATUSES, Task, TaskOffer, Team
from coordinator.geo.distance import haversine_matrix

LOAD_PENALTY_KM = 30.0
INFEASIBLE = 1e9


def task_rooms(task: Task, team_id: int | None = None) -> list[str]:
    return events.rooms(regions=[task.region_id], teams=[team_id])


def task_state(task: Task) -> dict[str, Any]:
    return {
        "status": task.status,
        "team_id": task.team_id,
        "kind": task.kind,
        "title": task.title,
        "priority": task.priority,
        "lat": task.lat,
        "lon": task.lon,
        "dest_lat": task.dest_lat,
        "dest_lon": task.dest_lon,
        "deadline": task.deadline,
        "needs_hq": task.needs_hq,
        "offer_attempts": task.offer_attempts,
        "source_type": task.source_type,
        "source_id": task.source_id,
    }


def capable(team: Task | Team, task: Task) -> bool:
    if task.kind == "delivery":
        return team.can_deliver
    if task.kind == "transfer":
        # A van with fewer seats than the group can still make several trips.
        return team.can_transfer and team.seats > 0
    return team.can_inspect


def _loads(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Task.team_id, func.count(Task.id)).where(Task.status.in_(WORKING_STATUSES)).group_by(Task.team_id)
    )
    return {team_id: n for team_id, n in rows if team_id}


def _tried(session: Session, task_ids: list[int]) -> set[tuple[int, int]]:
    rows = session.execute(select(TaskOffer.task_id, TaskOffer.team_id).where(TaskOffer.task_id.in_(task_ids)))
    return {(t, m) for t, m in rows}


def cost_matrix(session: Session, tasks: list[Task], teams: list[Team]) -> tuple[np.ndarray, np.ndarray]:
    """(score, km): rows are tasks, columns teams; INFEASIBLE where a team cannot or already declined."""
    t_lat = np.array([t.lat for t in tasks])
    t_lon = np.array([t.lon for t in tasks])
    m_lat = np.array([m.last_lat if m.last_lat is not None else m.home_hq.lat for m in teams])
    m_lon = np.array([m.last_lon if m.last_lon is not None else m.home_hq.lon for m in teams])
    km = haversine_matrix(t_lat, t_lon, m_lat, m_lon)
    loads = _loads(session)
    score = km + np.array([loads.get(m.id, 0) * LOAD_PENALTY_KM for m in teams])[None, :]
    tried = _tried(session, [t.id for t in tasks])
    for i, task in enumerate(tasks):
        for j, team in enumerate(teams):
            if not capable(team, task) or (task.id, team.id) in tried:
                score[i, j] = INFEASIBLE
    return score, km


def available_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.on_duty.is_(True)).order_by(Team.id)))


def offer(session: Session, task: Task, team: Team, score: float | None, actor_id: int | None = None) -> TaskOffer:
    """Offer the task to the team (withdrawing any open offer first)."""
    withdraw_open(session, task, reason="reassigned")
    at = now()
    o = TaskOffer(
        task_id=task.id,
        team_id=team.id,
        offered_at=at,
        score=score,
        expires_at=at + timedelta(seconds=current_app.config["OFFER_SECONDS"]),
    )
    session.add(o)
    before = task_state(task)
    task.status, task.team_id, task.offered_at = "offered", team.id, at
    task.offer_attempts += 1
    session.flush()
    events.record(
        session=session,
        type="task.offered",
        subject_type="task",
        subject_id=task.id,
        rooms=task_rooms(task, team.id),
        actor_id=actor_id,
        before=before,
        after=task_state(task) | {"offer_id": o.id, "expires_at": o.expires_at, "team_name": team.name},
    )
    # Checked at the deadline (and by the periodic job, should this one be lost).
    queue.after_commit(session, "expire_offers", delay=current_app.config["OFFER_SECONDS"] + 1)
    return o


def withdraw_open(session: Session, task: Task, *, reason: str) -> None:
    open_offer = session.scalar(select(TaskOffer).where(TaskOffer.task_id == task.id, TaskOffer.status == "offered"))
    if open_offer is not None:
        open_offer.status, open_offer.answered_at, open_offer.reason = "withdrawn", now(), reason
        session.flush()


def alert_hq(session: Session, task: Task, reason: str) -> None:
    before = task_state(task)
    task.status, task.team_id, task.needs_hq = "created", None, True
    events.record(
        session=session,
        type="task.needs_hq",
        subject_type="task",
        subject_id=task.id,
        rooms=task_rooms(task),
        before=before,
        after=task_state(task) | {"reason": reason},
    )
    queue.after_commit(session, "scan_alerts")  # HQ sees it in the alert feed at once


def assign_pending(*, session: Session) -> dict[str, Any]:
    """Offer every task waiting for a team, optimally as a batch. Returns the
    total distance of the optimal assignment and of nearest-first greedy."""
    tasks = list(
        session.scalars(
            select(Task)
            .where(Task.status == "created", Task.needs_hq.is_(False))
            .order_by(Task.priority, Task.id)
            .with_for_update(skip_locked=True, of=Task)
        )
    )
    if not tasks:
        return {"tasks": 0}
    teams = available_teams(session)
    score, km = cost_matrix(session, tasks, teams) if teams else (np.zeros((len(tasks), 0)), None)
    offered = 0
    if teams:
        rows, cols = linear_sum_assignment(score)
        chosen = {r: c for r, c in zip(rows, cols, strict=True) if score[r, c] < INFEASIBLE}
        for r, c in chosen.items():
            offer(session, tasks[r], teams[c], float(score[r, c]))
            offered += 1
        optimal_km = float(sum(km[r, c] for r, c in chosen.items()))
        greedy_km = greedy_total(score, km)
    for r, task in enumerate(tasks):
        if task.status == "created":
            feasible = teams and bool((score[r] < INFEASIBLE).any())
            limit = current_app.config["OFFER_ATTEMPTS"]
            if not feasible or task.offer_attempts >= limit:
                alert_hq(
                    session,
                    task,
                    "No capable team is available."
                    if not feasible
                    else f"Offered {task.offer_attempts} times without acceptance.",
                )
    return {
        "tasks": len(tasks),
        "offered": offered,
        **({"optimal_km": round(optimal_km, 1), "greedy_km": round(greedy_km, 1)} if teams else {}),
    }


def greedy_total(score: np.ndarray, km: np.ndarray) -> float:
    """Nearest-first greedy, task by task in order: the baseline for the benchmark."""
    taken: set[int] = set()
    total = 0.0
    for r in range(score.shape[0]):
        order = np.argsort(score[r])
        for c in order:
            if score[r, c] >= INFEASIBLE:
                break
            if c not in taken:
                taken.add(int(c))
                total += float(km[r, c])
                break
    return total


def expire_offers(*, session: Session) -> int:
    """Expire offers past their deadline and offer those tasks to the next team."""
    due = session.scalars(
        select(TaskOffer)
        .where(TaskOffer.status == "offered", TaskOffer.expires_at < now())
        .with_for_update(skip_locked=True)
    ).all()
    for o in due:
        o.status, o.answered_at = "expired", now()
        task = session.get(Task, o.task_id)
        before = task_state(task)
        task.status, task.team_id = "created", None
        events.record(
            session=session,
            type="task.offer_expired",
            subject_type="task",
            subject_id=task.id,
            rooms=task_rooms(task, o.team_id),
            before=before,
            after=task_state(task) | {"offer_id": o.id, "expired_team_id": o.team_id},
        )
    session.flush()
    if due:
        queue.after_commit(session, "offer_tasks")
    return len(due)
