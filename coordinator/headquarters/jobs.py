"""Headquarters jobs: flag HQs that missed their status report."""

from __future__ import annotations

from flask import current_app

from coordinator.extensions import db
from coordinator.headquarters import reports
from coordinator.queue import Periodic, job


@job("default")
def flag_silent_hqs() -> list[int]:
    """Flag HQs that missed their scheduled status report."""
    ids = reports.flag_silent(session=db.session, silence_minutes=current_app.config["HQ_SILENCE_MINUTES"])
    db.session.commit()
    return ids


JOBS = (flag_silent_hqs,)
PERIODIC = (Periodic("flag-silent-hqs", 300, "flag_silent_hqs"),)
