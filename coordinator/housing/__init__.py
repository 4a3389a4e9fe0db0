"""Quarantine housing: facilities, beds and placement requests."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register housing's API, pages, CSV handlers, jobs, the home page of
    facility managers, and what a transfer task's pick-up does."""
    from coordinator import pages, queue
    from coordinator.api import register_api
    from coordinator.field import hooks
    from coordinator.housing import api, csv_rows, dispatch, jobs, placement, placement_api, views
    from coordinator.i18n import client_texts

    register_api(api.blp, placement_api.blp)
    app.register_blueprint(views.bp)
    csv_rows.register(app)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC)
    pages.register_home(app, "facility_manager", views.manager_home)
    hooks.on_step(app, "placement", "on_site", placement.transfer_picked_up)
    hooks.on_purpose(app, "placement", placement.transfer_purpose)
    client_texts(app, [dispatch.T_TRANSFER, dispatch.T_PICK_UP, *placement.PURPOSE_TEXTS])
