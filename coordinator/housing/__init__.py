"""Quarantine housing: facilities, beds and placement requests."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register housing's API, pages, CSV handlers, jobs, the home page of
    facility managers, what a transfer task's pick-up does, and its report in
    HQ's task history."""
    from coordinator import pages, queue
    from coordinator.api import register_api
    from coordinator.field import hooks, reports
    from coordinator.housing import (
        api,
        batch,
        csv_rows,
        dispatch,
        jobs,
        placement,
        placement_api,
        reoptimise,
        steps,
        transfer_reports,
        views,
    )
    from coordinator.i18n import N_, client_texts

    register_api(api.blp, placement_api.blp)
    client_texts(app, [N_("occupied"), N_("held"), N_("in service"), N_("releases")])  # occupancy.js's legends
    app.register_blueprint(views.bp)
    csv_rows.register(app)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC, warm=(batch.warm,))
    pages.register_home(app, "facility_manager", views.manager_home)
    hooks.on_step(app, "placement", "on_site", placement.transfer_picked_up)
    reports.provide(app, "placement", transfer_reports.task_reports, "housing/_task_report.html")
    hooks.on_purpose(app, "placement", placement.transfer_purpose)
    client_texts(app, [steps.TEAM, dispatch.T_TRANSFER, dispatch.T_PICK_UP, *placement.PURPOSE_TEXTS])
    client_texts(app, [*reoptimise.TEXTS])  # the feed's reason for a move, and the closed transfer's
