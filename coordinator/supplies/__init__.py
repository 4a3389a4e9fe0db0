"""PPE and necessities: items, warehouses, stock moves, requests, deliveries."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the supplies API and the home pages of warehouse managers and requesters."""
    from coordinator import pages, queue
    from coordinator.api import register_api
    from coordinator.supplies import allocation_api, api, jobs, views

    for blueprint in (api.blp, api.catalogue_blp, api.requests_blp, api.orgs_blp):
        register_api(blueprint)
    register_api(allocation_api.blp, allocation_api.lines_blp)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC)
    pages.register_home(app, "warehouse_manager", views.warehouse_home)
    pages.register_home(app, "requester", views.requester_home)
    views.register_pages(app)
    _init_deliveries(app)
    from coordinator.supplies.item_names import item_text, unit_text

    app.jinja_env.globals.update(item_text=item_text, unit_text=unit_text)


def _init_deliveries(app: Flask) -> None:
    """Delivery runs: their API, pick-list page, planning job, what a run's
    task steps do, and the proof HQ's task history shows for a run's task."""
    from coordinator import queue
    from coordinator.api import register_api
    from coordinator.field import hooks, reports
    from coordinator.i18n import client_texts
    from coordinator.supplies import (
        deliveries,
        delivery_api,
        delivery_jobs,
        delivery_reads,
        delivery_steps,
        delivery_views,
    )

    register_api(delivery_api.runs_blp, delivery_api.stops_blp)
    app.register_blueprint(delivery_views.bp)
    queue.register(app, *delivery_jobs.JOBS, periodic=delivery_jobs.PERIODIC)
    client_texts(app, deliveries.TEXTS)
    hooks.on_step(app, deliveries.SOURCE, "on_site", delivery_steps.picked_up)
    hooks.on_step(app, deliveries.SOURCE, "done", delivery_steps.finished)
    hooks.on_step(app, deliveries.SOURCE, "failed", delivery_steps.abandoned)
    hooks.on_step(app, deliveries.SOURCE, "cancelled", delivery_steps.abandoned)
    reports.provide(app, deliveries.SOURCE, delivery_reads.task_reports, "supplies/_task_report.html")
