"""API: regions and offline geocoding."""

from flask_smorest import Blueprint
from marshmallow import fields, validate

from coordinator.api.schemas import StrictSchema
from coordinator.authz import ANY_USER, allow
from coordinator.extensions import db
from coordinator.geo import service

blp = Blueprint("api_geo", __name__, url_prefix="/geo", description="Regions and settlements")


class RegionOut(StrictSchema):
    id = fields.Integer()
    code = fields.String()
    kind = fields.String()
    name_en = fields.String()
    name_ru = fields.String()
    name_kk = fields.String()
    lat = fields.Float()
    lon = fields.Float()


class GeocodeQuery(StrictSchema):
    q = fields.String(required=True, validate=validate.Length(min=2, max=120))


class GeocodeOut(StrictSchema):
    query = fields.String()
    name = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    region = fields.Nested(RegionOut)


@blp.route("/regions", methods=["GET"])
@allow(*ANY_USER)
@blp.response(200, RegionOut(many=True))
def regions():
    """The 17 regions and 3 cities of republican significance."""
    return service.list_regions(session=db.session)


@blp.route("/geocode", methods=["GET"])
@allow(*ANY_USER)
@blp.arguments(GeocodeQuery, location="query")
@blp.response(200, GeocodeOut)
def geocode(args):
    """Find a settlement by a Latin or Cyrillic spelling (works offline)."""
    found, region = service.locate(session=db.session, name=args["q"], field="q")
    return {"query": args["q"], "name": found.name, "lat": found.lat, "lon": found.lon, "region": region}
