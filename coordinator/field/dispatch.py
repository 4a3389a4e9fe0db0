"""Team dispatch: offer each task to the best available capable team.

Score = distance from the team's last position (or home HQ) in km, plus a
penalty per task the team already carries, so a near but busy team can lose to
a free one slightly farther away. Several waiting tasks are assigned together
with an optimal assignment (Hungarian method) instead of first-come greedy.

Only on-duty teams whose phone is not stale, and only within
`OFFER_MAX_KM`, are offered anything. A task offered `OFFER_ATTEMPTS` times,
or that no team can take, goes to HQ ("needs HQ") with the reason; a task
whose source no longer needs it (`hooks.purpose_gone`) is closed instead.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.common.clock import now
from coordinator.events import service as events
from coordinator.field import hooks
from coordinator.field.models import WORKING_STATUSES, Task, TaskOffer, Team
from coordinator.field.teams import is_stale
from coordinator.geo.distance import haversine_matrix
from coordinator.i18n import N_, message

LOAD_PENALTY_KM = 30.0
INFEASIBLE = 1e9

# Why a task needs HQ (stored on the task as message ids, rendered per reader).
T_OFFERED = N_("Offered %(count)s times; no team took it.")
T_TOO_FAR = N_("No capable team within %(km)s km (the nearest is %(nearest)s km away).")
T_NOBODY = N_("No capable team is on duty with a working phone.")
TEXTS = (T_OFFERED, T_TOO_FAR, T_NOBODY)


def task_rooms(task: Task, team_id: int | None = None) -> list[str]:
    return events.rooms(regions=[task.region_id], teams=[team_id])


def task_state(task: Task) -> dict[str, Any]:
    return {
        "status": task.status,
        "team_id": task.team_id,
        "kind": task.kind,
        "title": task.title,
        "title_message": task.title_message,
        "priority": task.priority,
        "lat": task.lat,
        "lon": task.lon,
        "dest_lat": task.dest_lat,
        "dest_lon": task.dest_lon,
        "deadline": task.deadline,
        "needs_hq": task.needs_hq,
        "status_reason": task.status_reason,
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
    """(score, km): rows are tasks, columns teams; INFEASIBLE where a team cannot, already
    declined, or is farther than OFFER_MAX_KM (`km` keeps the distance of every capable pair)."""
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
                score[i, j] = km[i, j] = INFEASIBLE
    score[km > current_app.config["OFFER_MAX_KM"]] = INFEASIBLE
    return score, km


def available_teams(session: Session) -> list[Team]:
    """On-duty teams whose phone is not silent: a stale team may not see an offer at all."""
    teams = session.scalars(select(Team).where(Team.on_duty.is_(True)).order_by(Team.id))
    return [t for t in teams if not is_stale(t)]


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
    task.status, task.team_id, task.offered_at, task.status_reason = "offered", team.id, at, None
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


def alert_hq(session: Session, task: Task, reason: dict[str, Any]) -> None:
    """Hand the task to HQ: it waits in HQ's queue (and alert feed) with `reason`, a message."""
    before = task_state(task)
    task.status, task.team_id, task.needs_hq, task.status_reason = "created", None, True, reason
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


def close(session: Session, task: Task, reason: dict[str, Any]) -> None:
    """Close a task whose purpose is gone (`reason`, a message), without telling its source:
    the source is what said so."""
    withdraw_open(session, task, reason="closed")
    before = task_state(task)
    task.status, task.team_id, task.needs_hq, task.status_reason = "cancelled", None, False, reason
    task.finished_at = now()
    events.record(
        session=session,
        type="task.closed",
        subject_type="task",
        subject_id=task.id,
        rooms=task_rooms(task, before["team_id"]),
        before=before,
        after=task_state(task) | {"reason": reason},
    )


def _close_purposeless(session: Session, tasks: list[Task]) -> list[Task]:
    """Close the tasks whose source no longer needs them; return the rest."""
    out = []
    for task in tasks:
        gone = hooks.purpose_gone(session, source_type=task.source_type, source_id=task.source_id, kind=task.kind)
        if gone:
            close(session, task, gone)
        else:
            out.append(task)
    return out


def _why_not_offered(task: Task, km_row: np.ndarray | None) -> dict[str, Any]:
    """Why this task, left without an offer, goes to HQ (a message)."""
    attempts, limit = task.offer_attempts, current_app.config["OFFER_ATTEMPTS"]
    if attempts >= limit:
        return message(T_OFFERED, count=attempts)
    reachable = km_row[km_row < INFEASIBLE] if km_row is not None else np.array([])
    if reachable.size:  # only teams beyond the distance cap are left
        return message(
            T_TOO_FAR,
            km=round(current_app.config["OFFER_MAX_KM"]),
            nearest=round(float(reachable.min())),
        )
    if attempts:
        return message(T_OFFERED, count=attempts)
    return message(T_NOBODY)


def assign_pending(*, session: Session) -> dict[str, Any]:
    """Offer every task waiting for a team, optimally as a batch. Returns the
    total distance of the optimal assignment and of nearest-first greedy."""
    tasks = list(
        session.scalars(
            select(Task)
            .where(Task.status == "created")
            .order_by(Task.priority, Task.id)
            .with_for_update(skip_locked=True, of=Task)
        )
    )
    # Tasks waiting with HQ are swept too: a group that checked in leaves HQ's queue.
    tasks = [t for t in _close_purposeless(session, tasks) if not t.needs_hq]
    limit = current_app.config["OFFER_ATTEMPTS"]
    for task in [t for t in tasks if t.offer_attempts >= limit]:
        alert_hq(session, task, _why_not_offered(task, None))
    tasks = [t for t in tasks if t.offer_attempts < limit]
    if not tasks:
        return {"tasks": 0}
    teams = available_teams(session)
    score, km = cost_matrix(session, tasks, teams) if teams else (np.zeros((len(tasks), 0)), None)
    offered = 0
    if teams:
        from scipy.optimize import linear_sum_assignment  # see `warm`

        rows, cols = linear_sum_assignment(score)
        chosen = {r: c for r, c in zip(rows, cols, strict=True) if score[r, c] < INFEASIBLE}
        for r, c in chosen.items():
            offer(session, tasks[r], teams[c], float(score[r, c]))
            offered += 1
        optimal_km = float(sum(km[r, c] for r, c in chosen.items()))
        greedy_km = greedy_total(score, km)
    for r, task in enumerate(tasks):
        feasible = teams and bool((score[r] < INFEASIBLE).any())
        if task.status == "created" and not feasible:
            alert_hq(session, task, _why_not_offered(task, km[r] if teams else None))
    return {
        "tasks": len(tasks),
        "offered": offered,
        **({"optimal_km": round(optimal_km, 1), "greedy_km": round(greedy_km, 1)} if teams else {}),
    }


def warm() -> None:
    """Import the assignment solver, in a worker at start-up. Not with this
    module: web processes import it and never assign (see
    `housing.batch.SOLVER_MODULES`)."""
    importlib.import_module("scipy.optimize")


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
