"""API: field teams."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from coordinator.api.schemas import StrictSchema
from coordinator.authz import allow
from coordinator.extensions import db
from coordinator.field import service

blp = Blueprint("api_field", __name__, url_prefix="/teams", description="Field teams")
ROLES = ("admin", "hq", "field")


class TeamOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    home_hq_id = fields.Integer()
    region_id = fields.Integer()
    can_deliver = fields.Boolean()
    vehicle_capacity_kg = fields.Integer()
    can_transfer = fields.Boolean()
    seats = fields.Integer()
    can_inspect = fields.Boolean()
    on_duty = fields.Boolean()
    last_lat = fields.Float(allow_none=True)
    last_lon = fields.Float(allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)


@blp.route("", methods=["GET"])
@allow(*ROLES)
@blp.response(200, TeamOut(many=True))
def list_teams():
    """Teams within the caller's scope."""
    return service.list_teams(session=db.session, user=current_user)


@blp.route("/<int:team_id>", methods=["GET"])
@allow(*ROLES)
@blp.response(200, TeamOut)
def get_team(team_id):
    """One team."""
    return service.get_team(session=db.session, user=current_user, team_id=team_id)
