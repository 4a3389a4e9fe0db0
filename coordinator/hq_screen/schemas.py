"""Response schemas of the map API: each layer's points, the KPI strip and
the queues. A key a layer or panel gains must be added here too, or the
API leaves it out."""

from marshmallow import fields

from coordinator.api.schemas import StrictSchema
from coordinator.housing.schemas import SummaryOut

# Times inside layer rows are already text (`iso_utc`), as the CSV export writes them.
DATE_TIME = {"format": "date-time"}


class PointOut(StrictSchema):
    id = fields.Integer(required=True)
    lat = fields.Float(required=True, allow_none=True)
    lon = fields.Float(required=True, allow_none=True)
    name = fields.String(required=True)
    region_id = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"description": "What the status filter matches."})


class BedFiguresOut(StrictSchema):
    free = fields.Integer(required=True)
    held = fields.Integer(required=True)
    occupied = fields.Integer(required=True)
    total = fields.Integer(required=True)


class FacilityPointOut(PointOut):
    free = fields.Integer(required=True)
    in_service = fields.Integer(required=True)
    free_share = fields.Float(required=True)
    beds = fields.Dict(keys=fields.String(), values=fields.Nested(BedFiguresOut), required=True)


class WaitingPointOut(PointOut):
    people = fields.Integer(required=True)
    reason = fields.String(required=True, allow_none=True)
    priority = fields.Integer(required=True)


class CoverOut(StrictSchema):
    on_hand = fields.Float(required=True)
    per_day = fields.Float(required=True)
    days_of_cover = fields.Float(required=True, allow_none=True)


class WarehousePointOut(PointOut):
    worst_cover_days = fields.Float(required=True, allow_none=True)
    stock = fields.Dict(keys=fields.String(), values=fields.Nested(CoverOut), required=True)


class SupplyPointOut(PointOut):
    tier = fields.Integer(required=True)
    lines = fields.Integer(required=True)


class CasePointOut(PointOut):
    approximate = fields.Boolean(
        required=True, metadata={"description": "Reported with its region alone: drawn at the region's centre."}
    )
    category = fields.String(required=True)
    severity = fields.String(required=True)
    breached = fields.Boolean(required=True)
    sla = fields.String(required=True)
    sla_due_at = fields.String(required=True, allow_none=True, metadata=DATE_TIME)


class HQPointOut(PointOut):
    silent = fields.Boolean(required=True)
    last_report_at = fields.String(required=True, allow_none=True, metadata=DATE_TIME)


class TeamTaskOut(StrictSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    lat = fields.Float(required=True, allow_none=True)
    lon = fields.Float(required=True, allow_none=True)


class TeamPointOut(PointOut):
    stale = fields.Boolean(
        required=True, metadata={"description": "Its phone has been silent too long (a busy team can be too)."}
    )
    task = fields.Nested(TeamTaskOut, required=True, allow_none=True)


class LayersByNameOut(StrictSchema):
    """Only the layers asked for are present."""

    facilities = fields.List(fields.Nested(FacilityPointOut))
    waiting = fields.List(fields.Nested(WaitingPointOut))
    warehouses = fields.List(fields.Nested(WarehousePointOut))
    supply = fields.List(fields.Nested(SupplyPointOut))
    cases = fields.List(fields.Nested(CasePointOut))
    hqs = fields.List(fields.Nested(HQPointOut))
    teams = fields.List(fields.Nested(TeamPointOut))


class LayersOut(StrictSchema):
    region_id = fields.Integer(required=True, allow_none=True, metadata={"description": "The region shown, or none."})
    layers = fields.Nested(LayersByNameOut, required=True)


class KpisOut(SummaryOut):
    cover_days = fields.Float(required=True, allow_none=True, metadata={"description": "The scarcest item's cover."})
    cover_item = fields.String(required=True, allow_none=True)
    cases_open = fields.Integer(required=True)
    cases_breached = fields.Integer(required=True)
    teams_available = fields.Integer(required=True)
    teams_busy = fields.Integer(required=True)
    teams_stale = fields.Integer(required=True)


class ActionOut(StrictSchema):
    """A button: an API call (method, url, body) or a link (href)."""

    label = fields.String(required=True)
    method = fields.String()
    url = fields.String()
    body = fields.Dict()
    href = fields.String()


class QueueRowOut(StrictSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    age_minutes = fields.Integer(required=True)
    reason = fields.String(required=True)
    lat = fields.Float(required=True, allow_none=True)
    lon = fields.Float(required=True, allow_none=True)
    link = fields.String(required=True)
    action = fields.Nested(ActionOut, required=True, allow_none=True)


class QueuesOut(StrictSchema):
    placements = fields.List(fields.Nested(QueueRowOut), required=True)
    supply_lines = fields.List(fields.Nested(QueueRowOut), required=True)
    tasks = fields.List(fields.Nested(QueueRowOut), required=True)
    cases = fields.List(fields.Nested(QueueRowOut), required=True)


class PanelsOut(StrictSchema):
    region_id = fields.Integer(required=True, allow_none=True)
    kpis = fields.Nested(KpisOut, required=True)
    queues = fields.Nested(QueuesOut, required=True)
