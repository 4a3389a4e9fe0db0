"""The CSV import job: all rows or none, with progress for the page."""

from __future__ import annotations

from coordinator.extensions import db
from coordinator.imports import service as imports
from coordinator.imports.models import ImportJob
from coordinator.queue import job


@job("default", retry=None)
def run_import(import_id: int) -> str:
    """Validate and write an uploaded CSV file: all rows or none."""
    started = imports.start(session=db.session, import_id=import_id)
    if started is None:
        found = db.session.get(ImportJob, import_id)
        return found.status if found else "missing"
    db.session.commit()
    created, errors = imports.apply(session=db.session, job=started)
    if errors:
        db.session.rollback()  # a bad file writes nothing
    status = imports.finish(session=db.session, import_id=import_id, created=len(created), errors=errors)
    db.session.commit()
    return status


JOBS = (run_import,)
