"""Field teams and their tasks. Tasks are the bridge between domains: other
domains create them through `tasks.create` and follow them through `hooks`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the field API, pages and jobs."""
    from coordinator import pages, queue
    from coordinator.api import register_api
    from coordinator.field import api, dispatch, jobs, views
    from coordinator.i18n import client_texts

    register_api(api.blp, api.tasks_blp)
    client_texts(app, dispatch.TEXTS)  # "needs HQ" reasons inside live alerts
    app.register_blueprint(views.bp)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC, warm=(dispatch.warm,))
    pages.register_home(app, "field", views.team_home)
    _status_words(app)


def _status_words(app: Flask) -> None:
    """The field app shows a task's status through Birlik.t: its message ids."""
    from coordinator.field.labels import CODES
    from coordinator.i18n import client_texts

    client_texts(app, CODES["status"].values())
    app.jinja_env.globals["task_status_ids"] = CODES["status"]
