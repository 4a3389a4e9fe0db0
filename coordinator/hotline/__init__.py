"""Hotline reports and the cases they open: intake from three channels,
triage, the case workflow on SLA clocks, inspections and the reporter's privacy."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the hotline's settings, API, pages (the operator's and the
    public's), jobs, the operator's home page and what an inspection task's
    end does to its case."""
    from coordinator import pages, queue
    from coordinator.api import register_api
    from coordinator.hotline import api, inspections, jobs, public, public_views, settings, views

    settings.init_app(app)
    public.init_app(app)
    register_api(api.blp)
    app.register_blueprint(views.bp)
    app.register_blueprint(public_views.bp)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC)
    pages.register_home(app, "hotline_operator", views.operator_home)
    inspections.register(app)
