"""Import every domain's models so metadata (and Alembic) sees all tables."""

from coordinator.alerts.models import Alert
from coordinator.api.models import IdempotencyRecord
from coordinator.auth.models import ApiToken, User
from coordinator.events.models import Event, EventRoom
from coordinator.field.models import Task, TaskOffer, Team, TeamPosition
from coordinator.geo.models import Region
from coordinator.headquarters.models import Headquarters, HQStatusReport
from coordinator.hotline.models import Case, Report
from coordinator.housing.models import Facility, FacilityBeds, OccupancyDay, PlacementRequest
from coordinator.imports.models import ImportJob
from coordinator.queue.models import OutboxEntry, PeriodicRun
from coordinator.supplies.models import (
    Allocation,
    AllocationOverride,
    Delivery,
    DeliveryLine,
    DeliveryRun,
    Discrepancy,
    Item,
    Lot,
    Organization,
    StockBalance,
    StockMove,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)

__all__ = [
    "Alert",
    "Allocation",
    "AllocationOverride",
    "ApiToken",
    "Case",
    "Delivery",
    "DeliveryLine",
    "DeliveryRun",
    "Discrepancy",
    "Event",
    "EventRoom",
    "Facility",
    "FacilityBeds",
    "HQStatusReport",
    "Headquarters",
    "IdempotencyRecord",
    "ImportJob",
    "OccupancyDay",
    "OutboxEntry",
    "PeriodicRun",
    "Item",
    "Lot",
    "Organization",
    "PlacementRequest",
    "Region",
    "Report",
    "StockBalance",
    "StockMove",
    "SupplyRequest",
    "SupplyRequestLine",
    "Task",
    "TaskOffer",
    "Team",
    "TeamPosition",
    "User",
    "Warehouse",
]
