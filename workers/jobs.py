"""Housekeeping jobs. Each is thin: it opens the app's session and calls a service."""

from __future__ import annotations

from flask import current_app

from coordinator.extensions import db
from coordinator.hq import service as hq_service
from workers.queue import job


@job("default")
def flag_silent_hqs() -> list[int]:
    """Flag HQs that missed their scheduled status report."""
    ids = hq_service.flag_silent(session=db.session, silence_minutes=current_app.config["HQ_SILENCE_MINUTES"])
    db.session.commit()
    return ids


# Periodic jobs, declared as data: stable id, cron expression, function.
PERIODIC = (("flag-silent-hqs", "*/5 * * * *", flag_silent_hqs),)
