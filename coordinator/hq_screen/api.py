"""API: the map's layers, its panels, layer exports and the region outlines."""

from flask import Response, stream_with_context
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from coordinator import authz
from coordinator.api.schemas import CSV_TEXT, GEOJSON, Id, StrictSchema
from coordinator.authz import ANY_USER, HQ_ROLES, allow
from coordinator.common.clock import now
from coordinator.common.errors import Invalid
from coordinator.events import versions
from coordinator.extensions import db
from coordinator.hq_screen import exports, outlines, panels
from coordinator.hq_screen import layers as map_layers
from coordinator.hq_screen.schemas import LayersOut, PanelsOut
from coordinator.i18n import N_, text

blp = Blueprint("api_map", __name__, url_prefix="/map", description="The HQ map")


class LayersQuery(StrictSchema):
    layers = fields.String(load_default=",".join(map_layers.LAYERS))
    region_id = Id(load_default=None)
    status = fields.String(load_default="")


class RegionQuery(StrictSchema):
    region_id = Id(load_default=None)


class ExportQuery(StrictSchema):
    region_id = Id(load_default=None)
    status = fields.String(load_default="")


EXPORTED = "The layer's points as CSV or GeoJSON, as `fmt` says."


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@blp.route("", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(LayersQuery, location="query")
@blp.response(200, LayersOut, headers=versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional(per_minute=True)
def layers(args):
    """Points of the named layers (comma-separated), in the caller's scope,
    optionally only those with the given statuses (comma-separated)."""
    return map_layers.layers(
        session=db.session,
        user=current_user,
        names=_split(args["layers"]),
        region_id=args["region_id"],
        statuses=_split(args["status"]),
    )


@blp.route("/panels", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(RegionQuery, location="query")
@blp.response(200, PanelsOut, headers=versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional(per_minute=True)
def panels_view(args):
    """The KPI strip and the queues of work waiting for HQ.

    Computed once per change of the data (and minute) for each region and
    language, whatever the number of screens that read them; conditional
    (`ETag`, `If-None-Match`)."""
    region_id = authz.region_to_show(session=db.session, user=current_user, region_id=args["region_id"])
    body = panels.panels_json(session=db.session, user=current_user, region_id=region_id)
    return Response(body, mimetype="application/json")


@blp.route("/export/<layer>.<fmt>", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(ExportQuery, location="query")
@blp.response(200, CSV_TEXT, content_type="text/csv", description=EXPORTED)
@blp.alt_response(200, schema=GEOJSON, content_type="application/geo+json", success=True, description=EXPORTED)
def export(args, layer, fmt):
    """Download one layer as CSV or GeoJSON, streamed, within the caller's scope."""
    if fmt not in exports.FORMATS:
        raise Invalid(
            text(
                N_("Unknown format %(format)s. Formats: %(formats)s."),
                format=repr(fmt),
                formats=", ".join(exports.FORMATS),
            ),
            field="format",
        )
    statuses = _split(args["status"])
    map_layers.check_filters([layer], statuses)
    region_id = authz.region_to_show(session=db.session, user=current_user, region_id=args["region_id"])
    rows = map_layers.rows(session=db.session, name=layer, region_id=region_id, statuses=statuses)
    stream = exports.csv_stream(rows) if fmt == "csv" else exports.geojson_stream(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/geo+json"
    name = f"birlik-{layer}-{now():%Y%m%d-%H%M}.{fmt}"
    return Response(
        stream_with_context(stream),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Accel-Buffering": "no"},
    )


@blp.route("/regions.geojson", methods=["GET"])
@allow(*ANY_USER)
@blp.response(200, GEOJSON, content_type="application/geo+json")
def region_outlines():
    """Outlines of the 20 regions, the map's base layer when tiles cannot load."""
    resp = Response(outlines.geojson(), mimetype="application/geo+json")
    resp.cache_control.max_age = 86400
    resp.cache_control.private = True
    return resp
