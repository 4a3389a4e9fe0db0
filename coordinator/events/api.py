"""API: the event log, scoped to the caller's rooms (for replay over HTTP)."""

from flask import request, url_for
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
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=service.REPLAY_LIMIT))


NEXT_LINK = {
    "Link": {
        "description": 'When truncated, the next page: `<…/api/v1/events?after=N&limit=L>; rel="next"`.',
        "schema": {"type": "string"},
    }
}


class EventOut(StrictSchema):
    """One event as `service.to_payload` makes it, live and on replay."""

    id = fields.Integer(required=True, metadata={"description": "Its place in commit order: the cursor for `after`."})
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
    truncated = fields.Boolean(
        required=True,
        metadata={"description": "More events concern the caller than `limit`: ask again from `next_after`."},
    )
    next_after = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "When truncated, the `after` of the next page (the last event's id); else null."},
    )


@blp.route("", methods=["GET"])
@allow(*ANY_USER)
@blp.arguments(EventsQuery, location="query")
@blp.response(200, EventsOut, headers=NEXT_LINK)
def list_events(args):
    """Events after `after` that concern the caller's rooms, oldest first, at
    most `limit`; `truncated` (and a `Link: rel="next"` header) says more are left."""
    page = service.replay_page(
        session=db.session, rooms=authz.rooms_for(current_user), after_id=args["after"], limit=args["limit"]
    )
    body = {
        "events": page.events,
        "last_event_id": service.last_id(session=db.session),
        "truncated": page.truncated,
        "next_after": page.next_after,
    }
    if not page.truncated:
        return body
    nxt = url_for("api_events.list_events", after=page.next_after, limit=args["limit"])
    return body, 200, {"Link": f'<{request.host_url.rstrip("/")}{nxt}>; rel="next"'}
