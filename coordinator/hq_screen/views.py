"""The HQ screen (`/hq`: map, KPI strip, queues, alerts) and the overview
(`/hq/overview`: the same figures with the raw event feed and the HQ list)."""

import json

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from coordinator import authz
from coordinator.alerts import service as alerts
from coordinator.authz import allow
from coordinator.extensions import db
from coordinator.field import teams as field_teams
from coordinator.geo.service import list_regions
from coordinator.headquarters import reports as hq_reports
from coordinator.housing import facilities as housing_facilities
from coordinator.hq_screen import feed, layers, panels
from coordinator.supplies import warehouses

bp = Blueprint("hq_screen", __name__)


@bp.route("/hq")
@allow(*authz.HQ_ROLES)
def home():
    region_id = authz.region_scope(current_user)
    # The same figures the API serves, computed once per change for every screen.
    shown = json.loads(panels.panels_json(session=db.session, user=current_user, region_id=region_id))
    return render_template(
        "hq_screen/screen.html",
        regions=list_regions(session=db.session),
        scope=region_id,
        kpi=shown["kpis"],
        queues=shown["queues"],
        alerts=[alerts.to_dict(a) for a in alerts.list_alerts(session=db.session, user=current_user)],
        alert_kinds=alerts.KIND_LABELS,
        feed_texts=feed.table(),
        statuses=layers.STATUSES,
        tile_url=current_app.config["TILE_URL"],
    )


@bp.route("/hq/map")
@allow(*authz.HQ_ROLES)
def map_page():
    return redirect(url_for("hq_screen.home"), code=301)


@bp.route("/hq/overview")
@allow(*authz.HQ_ROLES)
def overview():
    """Key figures (the same as the HQ screen's), the live event feed, HQs and warehouses."""
    return render_template(
        "hq_screen/overview.html",
        kpi=json.loads(
            panels.panels_json(session=db.session, user=current_user, region_id=authz.region_scope(current_user))
        )["kpis"],
        facilities=housing_facilities.list_facilities(session=db.session, user=current_user),
        hqs=hq_reports.list_hqs(session=db.session, user=current_user),
        teams=field_teams.list_teams(session=db.session, user=current_user),
        warehouses=warehouses.list_warehouses(session=db.session, user=current_user),
        feed_texts=feed.table(),
    )


def hq_home():
    """HQ users' home is the HQ screen."""
    return redirect(url_for("hq_screen.home"))
