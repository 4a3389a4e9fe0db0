"""Hotline jobs: the duplicate check after each new case, and the SLA scan."""

from __future__ import annotations

from coordinator.extensions import db
from coordinator.hotline import duplicates, escalation
from coordinator.queue import Periodic, job


@job("default")
def check_duplicates(case_id: int) -> int:
    """Suggest links between a new case and recent ones (same employer, site or reporter)."""
    made = duplicates.suggest(session=db.session, case_id=case_id)
    db.session.commit()
    return len(made)


@job("default")
def scan_sla() -> dict:
    """Warn at 75 % of each SLA clock, escalate to the national HQ at breach."""
    result = escalation.scan(session=db.session)
    db.session.commit()
    return result


JOBS = (check_duplicates, scan_sla)
PERIODIC = (Periodic("scan-sla", 60, "scan_sla"),)
