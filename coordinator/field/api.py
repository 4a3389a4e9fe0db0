"""API: teams (shift, position) and tasks (offers and the team's steps)."""

from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from coordinator import authz
from coordinator.api import pagination
from coordinator.api.pagination import PageQuery
from coordinator.authz import FIELD_ROLES, HQ_ROLES, allow
from coordinator.events import versions
from coordinator.events.service import jsonable
from coordinator.extensions import db
from coordinator.field import history, tasks, teams
from coordinator.field.models import TEAM_OPEN_STATUSES, Task, TaskOffer
from coordinator.field.schemas import (
    HistoryOut,
    HistoryQuery,
    PositionIn,
    ReasonIn,
    ReassignIn,
    ReportIn,
    ShiftIn,
    TaskDetail,
    TaskIn,
    TaskOut,
    TaskQuery,
    TeamOut,
)

blp = Blueprint("api_field", __name__, url_prefix="/teams", description="Field teams")
tasks_blp = Blueprint("api_tasks", __name__, url_prefix="/tasks", description="Field tasks")


def _with_stale(rows):
    for team in rows:
        team.stale = teams.is_stale(team)
    return rows


@blp.route("", methods=["GET"])
@allow(*FIELD_ROLES)
@blp.arguments(PageQuery, location="query")
@blp.response(200, TeamOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional(per_minute=True)
def list_teams(args):
    """Teams within the caller's scope, with whether each is stale."""
    found = teams.list_teams(session=db.session, user=current_user, **pagination.params(args))
    return _with_stale(pagination.rows(found, args))


@blp.route("/<int:team_id>", methods=["GET"])
@allow(*FIELD_ROLES)
@blp.response(200, TeamOut)
def get_team(team_id):
    """One team."""
    return _with_stale([teams.get_team(session=db.session, user=current_user, team_id=team_id)])[0]


@blp.route("/<int:team_id>/position", methods=["POST"])
@allow(*FIELD_ROLES)
@blp.arguments(PositionIn)
@blp.response(200, TeamOut)
def position(body, team_id):
    """The phone's latest position (sent at most every 15 s while on duty)."""
    team = teams.get_team(session=db.session, user=current_user, team_id=team_id)
    teams.report_position(
        session=db.session, user=current_user, team=team, lat=body["lat"], lon=body["lon"], at=body["at"]
    )
    db.session.commit()
    return _with_stale([team])[0]


@blp.route("/<int:team_id>/shift", methods=["POST"])
@allow(*FIELD_ROLES)
@blp.arguments(ShiftIn)
@blp.response(200, TeamOut)
def shift(body, team_id):
    """Go on or off duty."""
    team = teams.get_team(session=db.session, user=current_user, team_id=team_id)
    teams.set_shift(session=db.session, user=current_user, team=team, on_duty=body["on_duty"])
    db.session.commit()
    return _with_stale([team])[0]


def _with_offer(items):
    ids = [t.id for t in items]
    offers = (
        dict(
            db.session.execute(
                select(TaskOffer.task_id, TaskOffer.expires_at).where(
                    TaskOffer.task_id.in_(ids), TaskOffer.status == "offered"
                )
            ).all()
        )
        if ids
        else {}
    )
    for t in items:
        t.offer_expires_at = offers.get(t.id)
    return items


@tasks_blp.route("", methods=["POST"])
@allow(*HQ_ROLES)
@tasks_blp.arguments(TaskIn)
@tasks_blp.response(201, TaskOut)
def create_task(body):
    """Create a delivery, transfer or inspection task; a worker offers it to a team."""
    task = tasks.create(session=db.session, user=current_user, **body)
    db.session.commit()
    return _with_offer([task])[0]


@tasks_blp.route("", methods=["GET"])
@allow(*FIELD_ROLES)
@tasks_blp.arguments(TaskQuery, location="query")
@tasks_blp.response(200, TaskOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@tasks_blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_tasks(args):
    """Tasks in scope: a field user gets their team's open tasks, oldest first."""
    query = pagination.window(select(Task), args)
    if current_user.role == "field":
        query = query.where(Task.team_id == current_user.team_id, Task.status.in_(TEAM_OPEN_STATUSES)).order_by(Task.id)
    else:
        query = authz.scoped(query.order_by(Task.id.desc()), current_user, region=Task.region_id)
    if args.get("status"):
        query = query.where(Task.status == args["status"])
    return _with_offer(pagination.rows(db.session.scalars(query).all(), args))


@tasks_blp.route("/history", methods=["GET"])
@allow(*HQ_ROLES)
@tasks_blp.arguments(HistoryQuery, location="query")
@tasks_blp.response(200, HistoryOut)
def task_history(args):
    """Finished tasks (done, failed, cancelled, closed) in scope, most recently
    ended first, filtered by team, kind and the days they ended on, each with
    its timeline and its report (a delivery's proof per stop, an inspection's
    checklist and photos, a transfer's pick-up and arrival)."""
    found = history.finished(session=db.session, user=current_user, **args)
    for item in found.items:  # a report's data is free-form: its times as ISO text, like an event's
        if item["report"]:
            item["report"] = item["report"] | {"data": jsonable(item["report"]["data"])}
    return {
        "items": found.items,
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "pages": found.pages,
    }


@tasks_blp.route("/<int:task_id>", methods=["GET"])
@allow(*FIELD_ROLES)
@tasks_blp.response(200, TaskDetail)
def get_task(task_id):
    """One task with its timeline."""
    task = tasks.get(session=db.session, user=current_user, task_id=task_id)
    task.timeline = tasks.timeline(session=db.session, task=task)
    return _with_offer([task])[0]


def _step(task_id: int, action: str, **kwargs):
    task = tasks.get(session=db.session, user=current_user, task_id=task_id, lock=True)
    tasks.step(session=db.session, user=current_user, task=task, action=action, **kwargs)
    db.session.commit()
    return _with_offer([task])[0]


def _step_route(path: str, action: str, schema=None, doc: str = ""):
    def view(*args, task_id):
        body = args[0] if args else {}
        if action in ("decline", "fail"):
            return _step(task_id, action, reason=body["reason"])
        return _step(task_id, action, report=body or None)

    view.__name__ = f"task_{action}"
    view.__doc__ = doc
    view = tasks_blp.response(200, TaskOut)(view)
    if schema is not None:
        view = tasks_blp.arguments(schema)(view)
    view = allow("field")(view)
    tasks_blp.route(f"/<int:task_id>/{path}", methods=["POST"])(view)


_step_route("accept", "accept", doc="Accept the offered task.")
_step_route("decline", "decline", ReasonIn, "Decline the offer, saying why.")
_step_route("en-route", "en_route", doc="On the way.")
_step_route("on-site", "on_site", doc="Arrived (for a transfer: the group is picked up).")
_step_route("done", "done", ReportIn, "Done, with the report: proof of delivery, people handed over or checklist.")
_step_route("fail", "fail", ReasonIn, "Could not be done, saying why.")


@tasks_blp.route("/<int:task_id>/reassign", methods=["POST"])
@allow(*HQ_ROLES)
@tasks_blp.arguments(ReassignIn)
@tasks_blp.response(200, TaskOut)
def reassign(body, task_id):
    """HQ offers the task to a chosen team."""
    task = tasks.get(session=db.session, user=current_user, task_id=task_id, lock=True)
    team = teams.get_team(session=db.session, user=current_user, team_id=body["team_id"])
    tasks.reassign(session=db.session, user=current_user, task=task, team=team)
    db.session.commit()
    return _with_offer([task])[0]


@tasks_blp.route("/<int:task_id>/cancel", methods=["POST"])
@allow(*HQ_ROLES)
@tasks_blp.response(200, TaskOut)
def cancel(task_id):
    """HQ cancels the task."""
    task = tasks.get(session=db.session, user=current_user, task_id=task_id, lock=True)
    tasks.cancel(session=db.session, user=current_user, task=task)
    db.session.commit()
    return _with_offer([task])[0]
