"""Field pages: the team's phone app (/field, installable, works offline),
HQ's teams and tasks board (/hq/teams) and the finished tasks (/hq/tasks/history)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coordinator import authz
from coordinator.authz import allow, public
from coordinator.common.clock import now
from coordinator.common.errors import Invalid
from coordinator.common.images import data_url_response
from coordinator.extensions import db
from coordinator.field import history
from coordinator.field import tasks as task_service
from coordinator.field import teams as team_service
from coordinator.field.models import OPEN_STATUSES, TASK_KINDS, Task
from coordinator.field.schemas import HistoryQuery

bp = Blueprint("field", __name__)


def team_home():
    """A field user's home is the field app."""
    return redirect(url_for("field.app"))


@bp.route("/field")
@allow("field")
def app():
    teams = team_service.list_teams(session=db.session, user=current_user)
    return render_template("field/app.html", team=teams[0] if teams else None, tile_url=current_app.config["TILE_URL"])


@bp.route("/field/sw.js")
@public
def service_worker():
    # Served from /field so its scope covers the app.
    resp = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    resp.headers["Service-Worker-Allowed"] = "/field"
    return resp


@bp.route("/field/manifest.webmanifest")
@public
def manifest():
    return send_from_directory(current_app.static_folder, "field.webmanifest", mimetype="application/manifest+json")


@bp.route("/hq/teams")
@allow(*authz.HQ_ROLES)
def teams():
    team_list = team_service.list_teams(session=db.session, user=current_user)
    query = select(Task).where(Task.status.in_(OPEN_STATUSES)).order_by(Task.priority, Task.id).limit(500)
    open_tasks = db.session.scalars(authz.scoped(query, current_user, region=Task.region_id)).all()
    current = {t.team_id: t for t in open_tasks if t.team_id and t.status != "offered"}
    return render_template(
        "field/teams.html",
        teams=team_list,
        tasks=open_tasks,
        current=current,
        stale={t.id: team_service.is_stale(t) for t in team_list},
        now=now(),
    )


@bp.route("/hq/tasks/history")
@allow(*authz.HQ_ROLES)
def task_history():
    """Finished tasks with their timelines and reports, filtered like the API."""
    raw = {k: v for k, v in request.args.items() if v and k in HistoryQuery().fields}
    errors = HistoryQuery().validate(raw)
    args = HistoryQuery().load({k: v for k, v in raw.items() if k not in errors})
    try:
        found = history.finished(session=db.session, user=current_user, **args)
    except Invalid as exc:  # the range ends before it starts: say so, show it unbounded
        errors[exc.field or "until"] = [exc.message]
        args.pop("until", None)
        found = history.finished(session=db.session, user=current_user, **args)
    return render_template(
        "field/history.html",
        found=found,
        args=args,
        filtered=bool(set(raw) - {"page", "per_page"}),
        errors=errors,
        kinds=TASK_KINDS,
        kind_labels={"delivery": _("Delivery"), "inspection": _("Inspection"), "transfer": _("Transfer")},
        teams=team_service.list_teams(session=db.session, user=current_user),
        page_url=lambda page: url_for("field.task_history", **(raw | {"page": page})),
    )


@bp.route("/hq/tasks/<int:task_id>/photos/<int:number>")
@allow(*authz.HQ_ROLES)
def task_photo(task_id: int, number: int):
    """A photo the team sent with its own report (a task no domain follows)."""
    task = task_service.get(session=db.session, user=current_user, task_id=task_id)
    return data_url_response(history.photo(task, number))


@bp.app_context_processor
def _labels():
    from coordinator.field import labels

    return {"task_label": labels.label}
