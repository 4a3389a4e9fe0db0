"""API: start a CSV import (used by the domains' import routes) and follow its progress."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from coordinator.api.schemas import StrictSchema
from coordinator.authz import HQ_ROLES, allow
from coordinator.common.errors import Invalid
from coordinator.extensions import db
from coordinator.i18n import N_, text
from coordinator.imports import service as imports

blp = Blueprint("api_imports", __name__, url_prefix="/imports", description="CSV imports")


class ImportOut(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    status = fields.String()
    total_rows = fields.Integer()
    processed_rows = fields.Integer()
    created_rows = fields.Integer()
    errors = fields.List(fields.Dict())


def start_import(kind: str):
    """Store an uploaded CSV (multipart field `file`) as an import job; a
    worker imports it once this request commits."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(text(N_("Attach the CSV file as the multipart field 'file'.")), field="file")
    job = imports.create(
        session=db.session, user=current_user, kind=kind, filename=upload.filename or "", raw=upload.read()
    )
    db.session.commit()
    return imports.progress(session=db.session, user=current_user, import_id=job.id)


@blp.route("/<int:import_id>", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, ImportOut)
def import_status(import_id):
    """An import's progress and, when it failed, the row-by-row errors."""
    return imports.progress(session=db.session, user=current_user, import_id=import_id)
