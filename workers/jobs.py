"""Background jobs. Each is thin: it takes ids, uses the app's session and calls a service."""

from __future__ import annotations

from flask import current_app

from coordinator.alerts import service as alerts
from coordinator.extensions import db
from coordinator.field import dispatch as field_dispatch
from coordinator.housing import dispatch, facilities, placement
from coordinator.hq import service as hq_service
from workers.queue import job


@job("default")
def flag_silent_hqs() -> list[int]:
    """Flag HQs that missed their scheduled status report."""
    ids = hq_service.flag_silent(session=db.session, silence_minutes=current_app.config["HQ_SILENCE_MINUTES"])
    db.session.commit()
    if ids:
        scan_alerts.enqueue()
    return ids


@job("dispatch")
def dispatch_placement(placement_id: int) -> str | None:
    """Place one new request (or leave it waiting with the reason)."""
    p = dispatch.dispatch(session=db.session, placement_id=placement_id)
    status = p.status if p else None
    transfer = bool(p and p.needs_transport and status == "assigned")
    db.session.commit()
    if transfer:
        offer_tasks.enqueue()
    return status


@job("dispatch")
def place_waiting() -> int:
    """Place waiting requests now that beds may have freed up."""
    return dispatch.place_waiting(session=db.session)


@job("dispatch")
def expire_holds() -> int:
    """Return the beds of holds nobody confirmed in time, then re-place waiting groups."""
    count = placement.expire_holds(session=db.session)
    db.session.commit()
    if count:
        place_waiting.enqueue()
    return count


@job("default")
def release_due() -> int:
    """Release groups whose quarantine has ended, then re-place waiting groups."""
    count = placement.release_due(session=db.session)
    db.session.commit()
    if count:
        place_waiting.enqueue()
    return count


@job("default")
def snapshot_occupancy() -> int:
    """Record today's beds of every facility for the occupancy history."""
    count = facilities.snapshot_occupancy(session=db.session)
    db.session.commit()
    return count


@job("dispatch")
def offer_tasks() -> dict:
    """Offer every task that waits for a team, as one optimal batch."""
    result = field_dispatch.assign_pending(session=db.session)
    db.session.commit()
    if result.get("offered"):
        expire_offers.enqueue_in(current_app.config["OFFER_SECONDS"] + 1)
    if result.get("tasks", 0) > result.get("offered", 0):
        scan_alerts.enqueue()  # some went to HQ
    return result


@job("dispatch")
def expire_offers() -> int:
    """Expire unanswered offers and offer those tasks to the next team."""
    count = field_dispatch.expire_offers(session=db.session)
    db.session.commit()
    if count:
        offer_tasks.enqueue()
    return count


@job("default", retry=None)
def run_import(import_id: int) -> str:
    """Validate and write an uploaded CSV file: all rows or none."""
    from coordinator.imports import service as imports

    return imports.run(session=db.session, import_id=import_id)


@job("default")
def scan_alerts() -> dict:
    """Raise alerts for new conditions (stock, SLA, silence, untaken tasks, stale teams); clear ended ones."""
    result = alerts.scan(session=db.session)
    db.session.commit()
    return result


# Periodic jobs, declared as data: stable id, cron expression, function.
PERIODIC = (
    ("flag-silent-hqs", "*/5 * * * *", flag_silent_hqs),
    ("expire-holds", "* * * * *", expire_holds),
    ("release-due", "*/5 * * * *", release_due),
    ("snapshot-occupancy", "*/10 * * * *", snapshot_occupancy),
    ("place-waiting", "*/2 * * * *", place_waiting),
    ("expire-offers", "* * * * *", expire_offers),
    ("offer-tasks", "* * * * *", offer_tasks),
    ("scan-alerts", "* * * * *", scan_alerts),
)
