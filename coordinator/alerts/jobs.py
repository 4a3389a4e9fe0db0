"""The alert scan: raise alerts for new conditions, clear ended ones."""

from __future__ import annotations

from coordinator.alerts import service
from coordinator.extensions import db
from coordinator.queue import Periodic, job


@job("default")
def scan_alerts() -> dict:
    """Raise alerts for new conditions (stock, SLA, silence, untaken tasks, stale teams); clear ended ones."""
    result = service.scan(session=db.session)
    db.session.commit()
    return result


JOBS = (scan_alerts,)
PERIODIC = (Periodic("scan-alerts", 60, "scan_alerts"),)
