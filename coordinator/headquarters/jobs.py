"""Headquarters jobs: flag HQs that missed their status report."""

from __future__ import annotations

from coordinator.extensions import db
from coordinator.headquarters import reports
from coordinator.queue import Periodic, job


@job("default")
def flag_silent_hqs() -> list[int]:
    """Flag HQs silent for longer than their report interval (the national HQ hears it live)."""
    ids = reports.flag_silent(session=db.session)
    db.session.commit()
    return ids


JOBS = (flag_silent_hqs,)
PERIODIC = (Periodic("flag-silent-hqs", 300, "flag_silent_hqs"),)
