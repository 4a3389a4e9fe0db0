"""The HQ screen (`/hq`: map, KPI strip, queues, alerts) and the situation report."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from coordinator import authz
from coordinator.alerts import service as alerts
from coordinator.authz import allow
from coordinator.common.errors import Invalid
from coordinator.extensions import db
from coordinator.geo.service import list_regions
from coordinator.situation import panels, service
from coordinator.situation import sitrep as sitrep_service

bp = Blueprint("situation", __name__)


@bp.route("/hq")
@allow(*authz.HQ_ROLES)
def hq_home():
    region_id = authz.region_scope(current_user)
    return render_template(
        "situation/map.html",
        regions=list_regions(session=db.session),
        scope=region_id,
        kpi=panels.kpis(session=db.session, user=current_user, region_id=region_id),
        queues=panels.queues(session=db.session, region_id=region_id),
        alerts=[alerts.to_dict(a) for a in alerts.list_alerts(session=db.session, user=current_user)],
        statuses=service.STATUSES,
        tile_url=current_app.config["TILE_URL"],
    )


@bp.route("/hq/map")
@allow(*authz.HQ_ROLES)
def map_page():
    return redirect(url_for("situation.hq_home"), code=301)


@bp.route("/sitrep")
@allow(*authz.HQ_ROLES)
def sitrep():
    raw = request.args.get("region_id", "").strip()
    if raw and not raw.isdigit():
        raise Invalid(f"Unknown region {raw!r}: pick a region from the list.", field="region_id")
    region_id = service.resolve_region(session=db.session, user=current_user, region_id=int(raw) if raw else None)
    rows = sitrep_service.today(session=db.session, region_id=region_id, locale=str(get_locale()))
    return render_template(
        "situation/sitrep.html",
        regions=list_regions(session=db.session),
        scope=authz.region_scope(current_user),
        region_id=region_id,
        rows=rows,
        totals=sitrep_service.totals(rows),
        history=sitrep_service.history(session=db.session, region_id=region_id),
        layers=list(service.LAYERS),
    )
