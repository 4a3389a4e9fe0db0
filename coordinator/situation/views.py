"""The situation report page (`/sitrep`): today's figures by region, 30-day charts."""

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user
from marshmallow import Schema

from coordinator import authz
from coordinator.api.schemas import Id
from coordinator.authz import allow
from coordinator.extensions import db
from coordinator.geo.service import list_regions
from coordinator.hq_screen import layers
from coordinator.pages import query_args
from coordinator.situation import report

bp = Blueprint("situation", __name__)


class SitrepQuery(Schema):
    region_id = Id(error="Unknown region {input!r}: pick a region from the list.")


@bp.route("/sitrep")
@allow(*authz.HQ_ROLES)
def sitrep():
    asked = query_args(SitrepQuery()).get("region_id")
    region_id = authz.region_to_show(session=db.session, user=current_user, region_id=asked)
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
