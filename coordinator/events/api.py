"""API: the event log, scoped to the caller's rooms (for replay over HTTP)."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coordinator import authz
from coordinator.api.ids import MAX_EVENT_ID
from coordinator.api.schemas import Id, StrictSchema
from coordinator.authz import ANY_USER, allow
from coordinator.events import service
from coordinator.extensions import db

blp = Blueprint("api_events", __name__, url_prefix="/events", description="Event log")


class EventsQuery(StrictSchema):
    after = Id(load_default=0, minimum=0, maximum=MAX_EVENT_ID)
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))


@blp.route("", methods=["GET"])
@allow(*ANY_USER)
@blp.arguments(EventsQuery, location="query")
def list_events(args):
    """Events after `after` that concern the caller's rooms, oldest first."""
    items = service.replay(
        session=db.session, rooms=authz.rooms_for(current_user), after_id=args["after"], limit=args["limit"]
    )
    return {"events": items, "last_event_id": service.last_id(session=db.session)}
