"""The HQ map page."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from coordinator import authz
from coordinator.authz import allow
from coordinator.extensions import db
from coordinator.geo.service import list_regions
from coordinator.housing import service as housing_service

bp = Blueprint("situation", __name__)


@bp.route("/hq/map")
@allow(*authz.HQ_ROLES)
def map_page():
    return render_template(
        "situation/map.html",
        regions=list_regions(session=db.session),
        scope=authz.region_scope(current_user),
        kpi=housing_service.summary(session=db.session, user=current_user),
        tile_url=current_app.config["TILE_URL"],
    )
