"""Field jobs: offer waiting tasks to teams, and expire unanswered offers.
Each takes ids (or nothing), uses the app's session, calls a service and commits."""

from __future__ import annotations

from coordinator.extensions import db
from coordinator.field import dispatch
from coordinator.queue import Periodic, job


@job("dispatch")
def offer_tasks() -> dict:
    """Offer every task that waits for a team, as one optimal batch."""
    result = dispatch.assign_pending(session=db.session)
    db.session.commit()
    return result


@job("dispatch")
def expire_offers() -> int:
    """Expire unanswered offers; their tasks go to the next team."""
    count = dispatch.expire_offers(session=db.session)
    db.session.commit()
    return count


JOBS = (offer_tasks, expire_offers)
PERIODIC = (
    Periodic("expire-offers", 60, "expire_offers"),
    Periodic("offer-tasks", 60, "offer_tasks"),
)
