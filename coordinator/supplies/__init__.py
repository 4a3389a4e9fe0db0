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
