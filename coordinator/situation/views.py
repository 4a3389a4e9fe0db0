"""The situation report page (`/sitrep`): today's figures by region, 30-day charts."""

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from coordinator import authz
from coordinator.authz import allow
from coordinator.common.errors import Invalid
from coordinator.extensions import db
from coordinator.geo.service import list_regions
from coordinator.hq_screen import layers
from coordinator.situation import report

bp = Blueprint("situation", __name__)


@bp.route("/sitrep")
@allow(*authz.HQ_ROLES)
def sitrep():
    raw = request.args.get("region_id", "").strip()
    if raw and not raw.isdigit():
        raise Invalid(f"Unknown region {raw!r}: pick a region from the list.", field="region_id")
    region_id = authz.region_to_show(session=db.session, user=current_user, region_id=int(raw) if raw else None)
    rows = report.today(session=db.session, region_id=region_id, locale=str(get_locale()))
    return render_template(
        "situation/sitrep.html",
        regions=list_regions(session=db.session),
        scope=authz.region_scope(current_user),
        region_id=region_id,
        rows=rows,
        totals=report.totals(rows),
        history=report.history(session=db.session, region_id=region_id),
        layers=list(layers.LAYERS),
    )
