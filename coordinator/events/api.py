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


class EventOut(StrictSchema):
    """One event as `service.to_payload` makes it, live and on replay."""

    id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"description": "What happened, e.g. task.accepted."})
    actor_id = fields.Integer(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True, metadata={"description": "The acting user's name."})
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True, allow_none=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)
    # Already text (`iso_utc`, the form the socket sends too), so passed as is.
    at = fields.String(required=True, metadata={"format": "date-time"})
    rooms = fields.List(fields.String(), required=True)


class EventsOut(StrictSchema):
    events = fields.List(fields.Nested(EventOut), required=True, metadata={"description": "Oldest first."})
    last_event_id = fields.Integer(required=True, metadata={"description": "The newest event id of all."})


@blp.route("", methods=["GET"])
@allow(*ANY_USER)
@blp.arguments(EventsQuery, location="query")
@blp.response(200, EventsOut)
def list_events(args):
    """Events after `after` that concern the caller's rooms, oldest first."""
    items = service.replay(
        session=db.session, rooms=authz.rooms_for(current_user), after_id=args["after"], limit=args["limit"]
    )
    return {"events": items, "last_event_id": service.last_id(session=db.session)}
