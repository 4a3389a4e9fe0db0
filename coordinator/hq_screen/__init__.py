"""The HQ screen: the live map and its layers, the KPI strip and queues, the
exports, and the overview page. It reads every domain; no domain reads it
(the situation report reuses its layer list and filters)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the HQ screen's pages and API, and make it HQ users' home."""
    from coordinator import authz, pages
    from coordinator.api import register_api
    from coordinator.headquarters import case_figures
    from coordinator.hotline import cases, sla
    from coordinator.hotline.models import Case
    from coordinator.hq_screen import api, feed, views
    from coordinator.i18n import client_texts

    # HQs count open and breached cases by the hotline's own definitions; the
    # two domains may not import each other, so this screen hands them over.
    case_figures.provide(app, region=Case.region_id, open=cases.open_clause, breached=sla.breached_clause)
    register_api(api.blp)
    client_texts(app, feed.msgids())  # the live event feed's sentences
    _map_codes(app)
    app.register_blueprint(views.bp)
    for role in authz.HQ_ROLES:
        pages.register_home(app, role, views.hq_home)


def _map_codes(app: Flask) -> None:
    """The codes the map's popups show, as message ids the browser renders
    (Birlik.t): the hotline's categories and severities, the tasks' statuses."""
    from coordinator.field.labels import CODES as FIELD
    from coordinator.hotline.labels import CODES as HOTLINE
    from coordinator.i18n import client_texts

    codes = {**HOTLINE, "task": FIELD["status"]}
    client_texts(app, [msgid for table in codes.values() for msgid in table.values()])
    app.jinja_env.globals["map_codes"] = codes
