"""API: the map's layers and the region outlines."""

from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from coordinator.api.schemas import StrictSchema
from coordinator.authz import ANY_USER, HQ_ROLES, allow
from coordinator.extensions import db
from coordinator.situation import outlines, service

blp = Blueprint("api_map", __name__, url_prefix="/map", description="The HQ map")


class LayersQuery(StrictSchema):
    layers = fields.String(load_default=",".join(service.LAYERS))
    region_id = fields.Integer(load_default=None)


@blp.route("", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(LayersQuery, location="query")
def layers(args):
    """Points of the named layers (comma-separated), in the caller's scope."""
    names = [n.strip() for n in args["layers"].split(",") if n.strip()]
    return service.layers(session=db.session, user=current_user, names=names, region_id=args["region_id"])


@blp.route("/regions.geojson", methods=["GET"])
@allow(*ANY_USER)
def region_outlines():
    """Outlines of the 20 regions, the map's base layer when tiles cannot load."""
    resp = Response(outlines.geojson(), mimetype="application/geo+json")
    resp.cache_control.max_age = 86400
    resp.cache_control.private = True
    return resp
