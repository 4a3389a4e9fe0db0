"""API: issue bearer tokens, and who am I."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coordinator.api.schemas import StrictSchema
from coordinator.auth import service
from coordinator.auth.security import client_address, throttle
from coordinator.authz import ANY_USER, allow, public
from coordinator.extensions import db

blp = Blueprint("api_auth", __name__, url_prefix="/auth", description="Sign-in for devices and scripts")


class TokenRequest(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    name = fields.String(load_default="api", validate=validate.Length(max=80))


class TokenResponse(StrictSchema):
    token = fields.String()
    user_id = fields.Integer()
    role = fields.String()


class Me(StrictSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    region_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    organization_id = fields.Integer(allow_none=True)
    facility_ids = fields.Method("_facilities")
    warehouse_ids = fields.Method("_warehouses")

    def _facilities(self, user):
        return [f.id for f in user.facilities]

    def _warehouses(self, user):
        return [w.id for w in user.warehouses]


@blp.route("/tokens", methods=["POST"])
@public
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
def create_token(body):
    """Exchange a username and password for a bearer token."""
    user = service.authenticate(
        session=db.session,
        throttle=throttle(),
        username=body["username"],
        password=body["password"],
        address=client_address(),
    )
    token = service.issue_token(session=db.session, user=user, name=body["name"])
    db.session.commit()
    return {"token": token, "user_id": user.id, "role": user.role}


@blp.route("/me", methods=["GET"])
@allow(*ANY_USER)
@blp.response(200, Me)
def me():
    """The signed-in user."""
    return current_user
