"""Delivery pages: the printable pick list of a run, for the warehouse, and a stop's proof photo."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from coordinator.authz import WAREHOUSE_ROLES, allow
from coordinator.common.images import data_url_response
from coordinator.extensions import db
from coordinator.supplies import delivery_reads

bp = Blueprint("supplies_deliveries", __name__)


@bp.route("/supplies/runs/<int:run_id>/pick-list")
@allow(*WAREHOUSE_ROLES)
def pick_list(run_id):
    """What to put on the vehicle for a run (lots earliest expiry first), and what each stop gets."""
    run = delivery_reads.get_run(session=db.session, user=current_user, run_id=run_id)
    out = delivery_reads.run_out(db.session, run)
    from coordinator.supplies.views import labels

    picks = delivery_reads.pick_list(db.session, run)
    return render_template("supplies/pick_list.html", run=run, out=out, picks=picks, labels=labels())


@bp.route("/supplies/stops/<int:stop_id>/photo")
@allow(*WAREHOUSE_ROLES, "field", "requester")
def stop_photo(stop_id):
    """The photo taken with a stop's proof of delivery, for whoever may read the stop."""
    stop = delivery_reads.get_stop_for(session=db.session, user=current_user, stop_id=stop_id)
    return data_url_response(stop["photo"])
